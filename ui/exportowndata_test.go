package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestExportIntoTheDataFolderIsRefused: Export… to a file the person
// picks in dStor Uploader's own data folder (which Settings names) opened
// it with O_TRUNC first: picking the history database, its -wal or the
// window's lock emptied the live database under the window, and the whole
// history was gone. Now an export into that folder is refused with what to
// do, before anything is opened, and the history is untouched; an export
// elsewhere still writes. A file in a folder under the data folder (the
// Local sandbox's store) passed the guard, which compared only the folder
// the file is in, and was overwritten: it is refused too.
func TestExportIntoTheDataFolderIsRefused(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	dataDir := filepath.Dir(e.db.Path())
	blob := writeSandboxBlob(t, dataDir)
	requireSavesRefused(e, blob, exportCSV(a), tr("Cannot export"), tr("This is dStor Uploader's own data folder, where its history and queue are kept: an export there could overwrite them. Choose another folder."),
		e.db.Path(), e.db.Path()+"-wal", filepath.Join(dataDir, "dstor-uploads.csv"), blob)
	assert.NoFileExists(t, filepath.Join(dataDir, "dstor-uploads.csv"))

	exportCSVAndWait(e, filepath.Join(t.TempDir(), "export.csv"), "exported elsewhere")
}

// TestExportOntoAHardLinkIntoTheDataFolderIsRefused: the guard above
// compared folders only, so a hard link outside the data folder to the
// history database (or to a queue's lock file) passed it, and exporting
// onto it truncated the live database. An export onto a file that is the
// same file as one in the data folder is now refused as well, and the
// history is untouched. The files of the folders under the data folder
// (here the Local sandbox's store) were not compared, and a hard link to
// one was overwritten: it is refused too. The refusal said "This is
// dStor Uploader's own data folder", which the folder picked is not: it
// now says the file picked is the same file as one kept there, and to
// choose another name or folder.
func TestExportOntoAHardLinkIntoTheDataFolderIsRefused(t *testing.T) {
	e := newTestEnv(t)
	seedHistory(t, e.db, 3)
	lock, err := e.db.LockQueue("sandbox", "someone@example.com")
	require.NoError(t, err)
	defer lock.Release()
	locks, err := filepath.Glob(filepath.Join(filepath.Dir(e.db.Path()), "locks", "*.lock"))
	require.NoError(t, err)
	require.NotEmpty(t, locks)
	blob := writeSandboxBlob(t, filepath.Dir(e.db.Path()))
	requireSavesRefused(e, blob, exportCSV(e.a), tr("Cannot export"), tr("The chosen file is the same file as one dStor Uploader keeps in its data folder: an export onto it would overwrite that file. Choose another name or folder."),
		hardLinks(t, map[string]string{"history.csv": e.db.Path(), "lock.csv": locks[0], "blob.csv": blob})...)
}

// TestQRCodeIntoTheDataFolderIsRefused: a QR code's Save as PNG… is
// guarded as an export is (storage.DB.InDataFolder), and says which
// of the two it met: a file in the data folder, or elsewhere the same
// file as one there (a hard link), which said "This is dStor Uploader's
// own data folder" too.
func TestQRCodeIntoTheDataFolderIsRefused(t *testing.T) {
	e := newTestEnv(t)
	seedHistory(t, e.db, 3)
	blob := writeSandboxBlob(t, filepath.Dir(e.db.Path()))
	save := func(path string) { e.a.saveQRTo(path, []byte("not really a PNG")) }
	title := tr("Cannot save the QR code")
	requireSavesRefused(e, blob, save, title, tr("This is dStor Uploader's own data folder, where its history and queue are kept: a file saved there could overwrite them. Choose another folder."), e.db.Path(), blob)
	requireSavesRefused(e, blob, save, title, tr("The chosen file is the same file as one dStor Uploader keeps in its data folder: saving the QR code onto it would overwrite that file. Choose another name or folder."),
		hardLinks(t, map[string]string{"history.png": e.db.Path(), "blob.png": blob})...)
}

// TestSaveThroughALinkToAFileInTheDataFolderIsRefused: the check is made
// on the file a save writes (the one a symbolic link leads to), and says
// what the person chose: a link elsewhere to the history database or a
// file deeper in the data folder is the same file as one kept there, and
// a link chosen in the data folder is in that folder.
func TestSaveThroughALinkToAFileInTheDataFolderIsRefused(t *testing.T) {
	e := newTestEnv(t)
	seedHistory(t, e.db, 3)
	dataDir := filepath.Dir(e.db.Path())
	blob := writeSandboxBlob(t, dataDir)
	out := t.TempDir()
	link := func(dir, name, to string) string {
		p := filepath.Join(dir, name)
		testfs.SymlinkOrSkip(t, to, p)
		return p
	}
	requireSavesRefused(e, blob, exportCSV(e.a), tr("Cannot export"), tr("The chosen file is the same file as one dStor Uploader keeps in its data folder: an export onto it would overwrite that file. Choose another name or folder."),
		link(out, "history.csv", e.db.Path()), link(out, "blob.csv", blob))
	requireSavesRefused(e, blob, exportCSV(e.a), tr("Cannot export"), tr("This is dStor Uploader's own data folder, where its history and queue are kept: an export there could overwrite them. Choose another folder."),
		link(dataDir, "history.csv", e.db.Path()))
}

// exportCSV exports History in CSV to a path.
func exportCSV(a *App) func(string) {
	return func(path string) { a.history.exportToPath(path, "csv", storage.ExportOptions{}) }
}

// exportCSVAndWait exports History in CSV to out and waits until the
// window says it did (when names the wait).
func exportCSVAndWait(e *testEnv, out, when string) {
	e.t.Helper()
	since := e.markShown()
	e.ui(func() { exportCSV(e.a)(out) })
	e.eventually(func() bool { return strings.Contains(since.toastAfter(e.a), "exported with links to "+out) }, when)
}

// requireDialogSays waits until an action marked by since (markShown,
// taken before it) ends in a toast or dialog shown after the mark,
// requires a dialog (not a toast saying it was saved: what says what was
// expected) whose text holds each of want, and closes the dialog.
func requireDialogSays(e *testEnv, since shownMark, what string, want ...string) {
	e.t.Helper()
	t, c := e.t, e.a.win.Canvas()
	e.eventually(func() bool { return since.dialogAfter(e.a) != nil || since.toastAfter(e.a) != "" }, what+": a dialog or toast after it")
	e.ui(func() {
		require.NotNil(t, since.dialogAfter(e.a), "%s: no dialog; the toast says %q", what, since.toastAfter(e.a))
		text := overlayText(c)
		for _, w := range want {
			assert.Contains(t, text, w, what)
		}
		c.Overlays().Top().Hide()
		c.Overlays().Remove(c.Overlays().Top())
	})
}

// hardLinks makes, in a new folder, a hard link of each name to its file
// and returns their paths.
func hardLinks(t *testing.T, to map[string]string) []string {
	t.Helper()
	out := t.TempDir()
	var links []string
	for name, linked := range to {
		link := filepath.Join(out, name)
		require.NoError(t, os.Link(linked, link))
		links = append(links, link)
	}
	return links
}

// sandboxBlobText is what writeSandboxBlob writes.
const sandboxBlobText = "an upload to the Local sandbox"

// writeSandboxBlob writes a file deeper in the data folder dataDir, in
// the Local sandbox's store (sandbox/blobs, as its server keeps it), and
// returns its path.
func writeSandboxBlob(t *testing.T, dataDir string) string {
	t.Helper()
	blob := filepath.Join(dataDir, "sandbox", "blobs", "bafkreiexample")
	require.NoError(t, os.MkdirAll(filepath.Dir(blob), 0o700))
	require.NoError(t, os.WriteFile(blob, []byte(sandboxBlobText), 0o600))
	return blob
}

// requireSavesRefused saves (an export or a QR code) to each target, each
// in the data folder or the same file as one there, and requires every
// save to be refused with a dialog titled title that says want; then the
// data folder is untouched: the database no smaller than before and its
// history still there, and blob (from writeSandboxBlob) as it was written.
func requireSavesRefused(e *testEnv, blob string, save func(path string), title, want string, targets ...string) {
	e.t.Helper()
	t := e.t
	before, err := os.Stat(e.db.Path())
	require.NoError(t, err)
	for _, target := range targets {
		since := e.markShown()
		e.ui(func() { save(target) })
		requireDialogSays(e, since, "refused, not saved onto "+target, title, want)
	}
	after, err := os.Stat(e.db.Path())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, after.Size(), before.Size(), "the database is not overwritten")
	entries, err := e.db.HistoryPage(storage.HistoryQuery{})
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "the history is still there")
	kept, err := os.ReadFile(blob)
	require.NoError(t, err)
	assert.Equal(t, sandboxBlobText, string(kept), "a file deeper in the data folder is not overwritten")
}

// TestSaveThroughALinkToANewFileInTheDataFolderIsRefused: a symbolic link
// elsewhere to a name in the data folder where no file is yet is refused
// (storage.LinkToNewFileInDataFolder) with what is wrong: the save would
// make a new file there, among the history and queue. It said the file
// picked was the same file as one kept there and that the save "would
// overwrite that file", which is not there.
func TestSaveThroughALinkToANewFileInTheDataFolderIsRefused(t *testing.T) {
	e := newTestEnv(t)
	seedHistory(t, e.db, 3)
	dataDir := filepath.Dir(e.db.Path())
	blob := writeSandboxBlob(t, dataDir)
	out := t.TempDir()
	newFile := filepath.Join(dataDir, "made-through-a-link")
	link := func(name string) string {
		p := filepath.Join(out, name)
		require.NoError(t, os.Symlink(newFile, p))
		return p
	}
	for _, tt := range []struct {
		title, want string
		save        func(string)
		link        string
	}{
		{tr("Cannot export"), tr("The chosen file is a symbolic link to a new file in dStor Uploader's own data folder, where its history and queue are kept: an export through it would make that file there. Choose another name or folder."),
			exportCSV(e.a), link("export.csv")},
		{tr("Cannot save the QR code"), tr("The chosen file is a symbolic link to a new file in dStor Uploader's own data folder, where its history and queue are kept: saving the QR code through it would make that file there. Choose another name or folder."),
			func(path string) { e.a.saveQRTo(path, []byte("not really a PNG")) }, link("qr.png")},
	} {
		requireSavesRefused(e, blob, tt.save, tt.title, tt.want, tt.link)
		assert.NoFileExists(t, newFile, "no file made through the link")
	}
}

// TestSaveAsTheJournalOfAMovedHistoryIsRefused: where the history database
// is a link to one elsewhere (moved to a larger disk), a save into the
// folder it really is in, under the name SQLite gives its journal
// (-journal, not there while the history is in WAL mode), is refused as
// before (storage.NewJournalBesideDatabase), saying what is wrong: the
// save would make a file SQLite could take for the history's own. It said
// the chosen file was the same file as one kept in the data folder and
// that the save "would overwrite that file", which is not there.
func TestSaveAsTheJournalOfAMovedHistoryIsRefused(t *testing.T) {
	e := &testEnv{t: t, dir: t.TempDir(), secrets: storage.NewMemorySecretStore()}
	realDB := filepath.Join(t.TempDir(), storage.DBFileName)
	testfs.SymlinkOrSkip(t, realDB, filepath.Join(e.dir, storage.DBFileName))
	db, err := storage.Open(e.dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	e.db = db
	e.a = e.open(Deps{})
	seedHistory(t, e.db, 3)
	blob := writeSandboxBlob(t, e.dir)
	journal := realDB + "-journal"
	require.NoFileExists(t, journal)
	for _, tt := range []struct {
		title, want string
		save        func(string)
	}{
		{tr("Cannot export"), tr("The chosen name is one SQLite gives the journal of dStor Uploader's upload history, in the folder that history really is in (its data folder links to it): an export there would make a file SQLite could take for the history's own. Choose another name or folder."),
			exportCSV(e.a)},
		{tr("Cannot save the QR code"), tr("The chosen name is one SQLite gives the journal of dStor Uploader's upload history, in the folder that history really is in (its data folder links to it): saving the QR code there would make a file SQLite could take for the history's own. Choose another name or folder."),
			func(path string) { e.a.saveQRTo(path, []byte("not really a PNG")) }},
	} {
		requireSavesRefused(e, blob, tt.save, tt.title, tt.want, journal)
		assert.NoFileExists(t, journal, "no journal made")
	}
}
