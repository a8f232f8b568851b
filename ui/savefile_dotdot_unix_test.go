//go:build unix

package ui

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSaveThroughALinkWithDotDotAfterALinkWritesWhereItLeads: a save
// through a link to "sub/../export.csv", sub a link to a folder elsewhere,
// writes export.csv beside that folder, where the system reads the link
// (".." after a link leaves the folder it leads to), and leaves the
// person's own export.csv beside the link as it was.
func TestSaveThroughALinkWithDotDotAfterALinkWritesWhereItLeads(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	deep := filepath.Join(elsewhere, "deep")
	require.NoError(t, os.Mkdir(deep, 0o700))
	require.NoError(t, os.Symlink(deep, filepath.Join(dir, "sub")))
	mine := filepath.Join(dir, "export.csv")
	require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o600))
	link := filepath.Join(dir, "save.csv")
	require.NoError(t, os.Symlink("sub/../export.csv", link))

	require.NoError(t, saveReplacing(link, 0o600, noRefusal, writeText("the export")))
	requireSymlinkTo(t, link, "sub/../export.csv")
	b, err := os.ReadFile(link)
	require.NoError(t, err)
	assert.Equal(t, "the export", string(b), "read through the link")
	b, err = os.ReadFile(mine)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b), "the file beside the link is not the link's")
}

// TestSaveThroughALinkWithDotDotIntoNoFolderNamesThatFolder: a save
// through a link to "sub/../export.csv", sub a link to a folder that is
// gone (a drive unplugged), fails, and the window names the folder that
// is not there as the system reads the link: sub/.., not the link's own
// folder, which is there (the sentence said so, and to make it).
func TestSaveThroughALinkWithDotDotIntoNoFolderNamesThatFolder(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(dir, "unplugged", "deep"), filepath.Join(dir, "sub")))
	link := filepath.Join(dir, "save.csv")
	require.NoError(t, os.Symlink("sub/../export.csv", link))

	err := saveReplacing(link, 0o600, noRefusal, writeText("the export"))
	require.Error(t, err)
	requireSymlinkTo(t, link, "sub/../export.csv")
	target := dir + "/sub/../export.csv"
	requireSaidInEveryLanguage(t, err, link+" is a symbolic link to "+target+", in a folder that is not there ("+dir+"/sub/..)"+
		". Make that folder, or save under another name or in another folder.", link, target, dir+"/sub/..)")
	_, err = os.Stat(dir + "/sub/..")
	require.ErrorIs(t, err, os.ErrNotExist, "the folder named is not there")
}
