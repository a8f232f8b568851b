package ui

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

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
