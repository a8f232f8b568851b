package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	requireExportsRefused(e, blob, e.db.Path(), e.db.Path()+"-wal", filepath.Join(dataDir, "dstor-uploads.csv"), blob)
	assert.NoFileExists(t, filepath.Join(dataDir, "dstor-uploads.csv"))

	out := filepath.Join(t.TempDir(), "export.csv")
	e.ui(func() { a.history.exportToPath(out, "csv", storage.ExportOptions{}) })
	e.eventually(func() bool { return strings.Contains(a.toast.Text, "exported with links to "+out) }, "exported elsewhere")
}

// TestExportOntoAHardLinkIntoTheDataFolderIsRefused: the guard above
// compared folders only, so a hard link outside the data folder to the
// history database (or to a queue's lock file) passed it, and exporting
// onto it truncated the live database. An export onto a file that is the
// same file as one in the data folder is now refused as well, and the
// history is untouched. The files of the folders under the data folder
// (here the Local sandbox's store) were not compared, and a hard link to
// one was overwritten: it is refused too.
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
	out := t.TempDir()
	var targets []string
	for name, linked := range map[string]string{"history.csv": e.db.Path(), "lock.csv": locks[0], "blob.csv": blob} {
		target := filepath.Join(out, name)
		require.NoError(t, os.Link(linked, target))
		targets = append(targets, target)
	}
	requireExportsRefused(e, blob, targets...)
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

// requireExportsRefused exports History to each target, each in the data
// folder or the same file as one there, and requires every export to be
// refused with a dialog that says so; then the data folder is untouched:
// the database no smaller than before and its history still there, and
// blob (from writeSandboxBlob) as it was written.
func requireExportsRefused(e *testEnv, blob string, targets ...string) {
	e.t.Helper()
	t, a := e.t, e.a
	before, err := os.Stat(e.db.Path())
	require.NoError(t, err)
	for _, target := range targets {
		e.ui(func() { a.history.exportToPath(target, "csv", storage.ExportOptions{}) })
		e.eventually(func() bool {
			return a.win.Canvas().Overlays().Top() != nil || strings.Contains(a.toast.Text, "exported")
		}, "done")
		e.ui(func() {
			require.NotNil(t, a.win.Canvas().Overlays().Top(), "refused, not exported onto %s: %q", target, a.toast.Text)
			text := overlayText(a.win.Canvas())
			assert.Contains(t, text, tr("Cannot export"))
			assert.Contains(t, text, "data folder", target)
			a.win.Canvas().Overlays().Top().Hide()
			a.win.Canvas().Overlays().Remove(a.win.Canvas().Overlays().Top())
		})
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
