package ui

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// writeText is a save's write of text.
func writeText(text string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, text)
		return err
	}
}

// noRefusal is the check of a save that refuses none.
func noRefusal(saveTarget) error { return nil }

// requireSymlinkTo requires link to be a symbolic link still, to target.
func requireSymlinkTo(t *testing.T, link, target string) {
	t.Helper()
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&fs.ModeSymlink, "%s is a symbolic link still", link)
	to, err := os.Readlink(link)
	require.NoError(t, err)
	assert.Equal(t, target, to)
}

// TestSaveThroughALinkToNoFileYetWritesItsTarget: a save onto a symbolic
// link to a file not there yet replaced the link by a regular file (the
// link was gone, its target never made), while a link to a file there was
// followed. Now the save makes the file the link leads to, through a
// chain of links too, with a target relative to the link's folder, and
// the links stay as they were.
func TestSaveThroughALinkToNoFileYetWritesItsTarget(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	target := filepath.Join(elsewhere, "export.csv")
	link := filepath.Join(dir, "export.csv")
	testfs.SymlinkOrSkip(t, target, link)
	require.NoError(t, saveReplacing(link, 0o600, noRefusal, writeText("the export")))
	requireSymlinkTo(t, link, target)
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "the export", string(b))

	first, second := filepath.Join(dir, "first.png"), filepath.Join(dir, "second.png")
	testfs.SymlinkOrSkip(t, "second.png", first)
	testfs.SymlinkOrSkip(t, filepath.Join("..", filepath.Base(elsewhere), "qr.png"), second)
	require.NoError(t, saveReplacing(first, 0o644, noRefusal, writeText("the QR code")))
	requireSymlinkTo(t, first, "second.png")
	requireSymlinkTo(t, second, filepath.Join("..", filepath.Base(elsewhere), "qr.png"))
	b, err = os.ReadFile(filepath.Join(elsewhere, "qr.png"))
	require.NoError(t, err)
	assert.Equal(t, "the QR code", string(b))
}

// TestSaveThroughALinkIntoNoFolderSaysWhatToDo: a symbolic link to a file
// in a folder that is not there cannot be followed: the save fails,
// leaves the link as it was, and says in the window's language that the
// link leads into a folder that is not there, and to make that folder or
// choose another name.
func TestSaveThroughALinkIntoNoFolderSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "gone", "export.csv")
	link := filepath.Join(dir, "export.csv")
	testfs.SymlinkOrSkip(t, target, link)
	err := saveReplacing(link, 0o600, noRefusal, writeText("the export"))
	require.Error(t, err)
	requireSymlinkTo(t, link, target)
	assert.NoDirExists(t, filepath.Join(dir, "gone"))
	assert.Equal(t, []string{"export.csv"}, namesIn(t, dir), "nothing else left")
	requireSaidInEveryLanguage(t, err, link+" is a symbolic link to "+target+", in a folder that is not there ("+filepath.Dir(target)+
		"). Make that folder, or save under another name or in another folder.", link, target, filepath.Dir(target)+")")
}

// requireSaidInEveryLanguage requires the window to word err as english
// in English, and in each other language otherwise, with each of parts.
func requireSaidInEveryLanguage(t *testing.T, err error, english string, parts ...string) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		said := errorText(err)
		for _, p := range parts {
			assert.Contains(t, said, p, l.Tag)
		}
		if l.Tag == "en" {
			assert.Equal(t, english, said)
			continue
		}
		assert.NotEqual(t, english, said, l.Tag)
	}
}

// TestSaveRemovesItsOwnStaleParts: a save writes a new file beside the
// one it replaces (.dstor-uploader-N.part, N new for each save), which a
// kill mid-save left there for good, one more at each kill. A save now
// removes from its folder the ones of earlier saves not written to for
// an hour, which no save under way leaves so long; it leaves a newer one
// (a save of another window may be writing it), a name that only looks
// like one of them, someone else's .part file, and a link or folder of
// such a name.
func TestSaveRemovesItsOwnStaleParts(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	write := func(name string, mtime time.Time) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("part of a save"), 0o600))
		require.NoError(t, os.Chtimes(p, mtime, mtime))
		return p
	}
	write(".dstor-uploader-1234567890.part", old)
	write(".dstor-uploader-42.part", old)
	kept := []string{
		filepath.Base(write(".dstor-uploader-99.part", time.Now().Add(-time.Minute))),
		filepath.Base(write("export.csv.part", old)),
		filepath.Base(write(".dstor-uploader-notes.part", old)),
		filepath.Base(write(".dstor-uploader-.part", old)),
		filepath.Base(write("dstor-uploader-7.part", old)),
		".dstor-uploader-8.part",
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".dstor-uploader-8.part"), 0o700))
	require.NoError(t, os.Chtimes(filepath.Join(dir, ".dstor-uploader-8.part"), old, old))
	if testfs.Symlink(t, filepath.Join(elsewhere, "kept"), filepath.Join(dir, ".dstor-uploader-9.part")) {
		kept = append(kept, ".dstor-uploader-9.part")
		require.NoError(t, os.WriteFile(filepath.Join(elsewhere, "kept"), nil, 0o600))
		require.NoError(t, os.Chtimes(filepath.Join(elsewhere, "kept"), old, old))
	}

	require.NoError(t, saveReplacing(filepath.Join(dir, "export.csv"), 0o600, noRefusal, writeText("the export")))
	assert.ElementsMatch(t, append(kept, "export.csv"), namesIn(t, dir))
	assert.FileExists(t, filepath.Join(elsewhere, "kept"))
}

// TestSaveWritesWhatItChecked: a save was checked (could it write a file
// of dStor Uploader's data folder?) on the path chosen, and then written
// through what that path led to by then: a symbolic link put there, or in
// place of its folder, between the check and the save led the save into
// the data folder unchecked, over the history database. The save now
// checks the file it writes, found once, in a folder it holds open from
// before the check: a link put in the file's place after the check is
// replaced, not followed, and a folder moved away and replaced meanwhile
// stops the save, which says so. Here the check is the test's, a folder
// that stands for the data folder, and the race is run by it.
func TestSaveWritesWhatItChecked(t *testing.T) {
	own := t.TempDir()
	history := filepath.Join(own, "history.db")
	require.NoError(t, os.WriteFile(history, []byte("the history"), 0o600))
	refuseOwnThenRun := func(race func()) func(saveTarget) error {
		return func(target saveTarget) error {
			dir, err := os.Stat(filepath.Dir(target.dest))
			require.NoError(t, err)
			ownDir, err := os.Stat(own)
			require.NoError(t, err)
			if os.SameFile(dir, ownDir) {
				return &saveRefusedError{why: "the data folder"}
			}
			race()
			return nil
		}
	}

	out := t.TempDir()
	export := filepath.Join(out, "export.csv")
	require.NoError(t, os.WriteFile(export, []byte("the export before"), 0o600))
	err := saveReplacing(export, 0o600, refuseOwnThenRun(func() {
		require.NoError(t, os.Remove(export))
		testfs.SymlinkOrSkip(t, history, export)
	}), writeText("the export"))
	require.NoError(t, err)
	requireFileHolds(t, history, "the history")
	requireFileHolds(t, export, "the export")

	sub := filepath.Join(out, "sub")
	require.NoError(t, os.Mkdir(sub, 0o700))
	err = saveReplacing(filepath.Join(sub, "history.db"), 0o600, refuseOwnThenRun(func() {
		require.NoError(t, os.Rename(sub, filepath.Join(out, "moved")))
		testfs.SymlinkOrSkip(t, own, sub)
	}), writeText("the export"))
	requireSaidInEveryLanguage(t, err, "The folder "+sub+" was moved or replaced while the file was being saved in it, so nothing was saved. Try again.", sub)
	requireFileHolds(t, history, "the history")
	assert.ElementsMatch(t, []string{"history.db"}, namesIn(t, own), "nothing made in the data folder")
	assert.Empty(t, namesIn(t, filepath.Join(out, "moved")), "no part left in the folder moved away")
}

// requireFileHolds requires the file at path to hold text.
func requireFileHolds(t *testing.T, path, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, text, string(b), path)
}

// TestSaveReplacesAHardLinkedFileAtItsNameOnly: a save puts a new file in
// place of the one chosen (a rename), never writes into it, so a file
// with other hard links is replaced at the name chosen only: its other
// names keep what it held. Writing into it after the part was whole would
// keep the links, but a write that fails part-way (a full disk, the file
// size limit) would leave the file half-written under every name, and a
// hard link to the history swapped in after the check would be written.
func TestSaveReplacesAHardLinkedFileAtItsNameOnly(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	chosen, other := filepath.Join(dir, "export.csv"), filepath.Join(elsewhere, "export.csv")
	require.NoError(t, os.WriteFile(chosen, []byte("the export before"), 0o640))
	require.NoError(t, os.Link(chosen, other))
	require.NoError(t, saveReplacing(chosen, 0o600, noRefusal, writeText("the export")))
	requireFileHolds(t, chosen, "the export")
	requireFileHolds(t, other, "the export before")
	was, err := os.Stat(other)
	require.NoError(t, err)
	now, err := os.Stat(chosen)
	require.NoError(t, err)
	assert.False(t, os.SameFile(was, now), "a new file at the name chosen")
	assert.Equal(t, was.Mode().Perm(), now.Mode().Perm(), "with the mode of the file it replaced")
}

// TestSaveIsOnTheDriveBeforeItReplacesTheFile: a save was renamed over
// the file it replaces without its bytes written through to the drive,
// so a drive that reports a failure only then (a failing stick, a disk
// that fills as its cache is written) gave "saved", and a power loss
// just after could leave an empty file where the old one was. Now the
// part is synced whole before the rename, and a failed sync fails the
// save with the drive's error, leaving the old file as it was and no
// part behind.
func TestSaveIsOnTheDriveBeforeItReplacesTheFile(t *testing.T) {
	dir := t.TempDir()
	export := filepath.Join(dir, "export.csv")
	require.NoError(t, os.WriteFile(export, []byte("the old export"), 0o600))
	var synced []string // what the part and the destination held at each sync
	fail := true        // as a failing drive's sync does
	syncPartBefore := syncPart
	t.Cleanup(func() { syncPart = syncPartBefore })
	syncPart = func(f *os.File) error {
		part, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		dest, err := os.ReadFile(export)
		require.NoError(t, err)
		synced = append(synced, string(part)+" | "+string(dest))
		if fail {
			return &fs.PathError{Op: "sync", Path: f.Name(), Err: syscall.EIO}
		}
		return syncPartBefore(f)
	}

	err := saveReplacing(export, 0o600, noRefusal, writeText("the new export"))
	require.ErrorIs(t, err, syscall.EIO, "the drive's failure fails the save")
	assert.Equal(t, "Cannot use "+export+" (the disk reported an error reading or writing; it may be failing).", errorText(err),
		"the file chosen is named, not the part the person never sees")
	assert.Equal(t, []string{"the new export | the old export"}, synced, "synced whole, before the rename")
	b, err := os.ReadFile(export)
	require.NoError(t, err)
	assert.Equal(t, "the old export", string(b), "the old file as it was")
	left, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, left, 1, "no part left behind: %v", left)

	fail, synced = false, nil
	require.NoError(t, saveReplacing(export, 0o600, noRefusal, writeText("the new export")))
	assert.Equal(t, []string{"the new export | the old export"}, synced)
	b, err = os.ReadFile(export)
	require.NoError(t, err)
	assert.Equal(t, "the new export", string(b))
}
