package ui

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
	require.NoError(t, saveReplacing(link, 0o600, writeText("the export")))
	requireSymlinkTo(t, link, target)
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "the export", string(b))

	first, second := filepath.Join(dir, "first.png"), filepath.Join(dir, "second.png")
	testfs.SymlinkOrSkip(t, "second.png", first)
	testfs.SymlinkOrSkip(t, filepath.Join("..", filepath.Base(elsewhere), "qr.png"), second)
	require.NoError(t, saveReplacing(first, 0o644, writeText("the QR code")))
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
	err := saveReplacing(link, 0o600, writeText("the export"))
	require.Error(t, err)
	requireSymlinkTo(t, link, target)
	assert.NoDirExists(t, filepath.Join(dir, "gone"))
	assert.Equal(t, []string{"export.csv"}, namesIn(t, dir), "nothing else left")
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	var english string
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		said := errorText(err)
		for _, p := range []string{link, target, filepath.Dir(target) + ")"} {
			assert.Contains(t, said, p, l.Tag)
		}
		if l.Tag == "en" {
			english = said
			assert.Equal(t, link+" is a symbolic link to "+target+", in a folder that is not there ("+filepath.Dir(target)+
				"). Make that folder, or save under another name or in another folder.", said)
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

	require.NoError(t, saveReplacing(filepath.Join(dir, "export.csv"), 0o600, writeText("the export")))
	assert.ElementsMatch(t, append(kept, "export.csv"), namesIn(t, dir))
	assert.FileExists(t, filepath.Join(elsewhere, "kept"))
}
