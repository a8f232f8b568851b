//go:build unix

package linkchain

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFollowTakesDotDotAfterALinkWhereItLeads: a link's target
// "sub/../x.txt", sub a link to a folder elsewhere, leads to x.txt beside
// that folder, as the system reads ".." after a link (in the folder it
// leads to, not lexically); so does a path given that way. Each file is
// made by a write through the path, and Follow must name it.
func TestFollowTakesDotDotAfterALinkWhereItLeads(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(dir string) string
	}{
		{"a link's target", func(dir string) string {
			p := filepath.Join(dir, "save.txt")
			require.NoError(t, os.Symlink("sub/../x.txt", p))
			return p
		}},
		{"the path given", func(dir string) string { return dir + "/sub/../x.txt" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, elsewhere := t.TempDir(), t.TempDir()
			deep := filepath.Join(elsewhere, "deep")
			require.NoError(t, os.Mkdir(deep, 0o700))
			require.NoError(t, os.Symlink(deep, filepath.Join(dir, "sub")))
			p := tc.path(dir)
			require.NoError(t, os.WriteFile(p, []byte("x"), 0o600))
			got, err := Follow(p)
			require.NoError(t, err)
			sameFile(t, filepath.Join(elsewhere, "x.txt"), got.Dest)
			_, err = os.Lstat(filepath.Join(dir, "x.txt"))
			require.ErrorIs(t, err, os.ErrNotExist, "the write went where the system reads the path")
		})
	}
}

// TestMissingFolderAfterALinkIsNamedAsTheSystemReadsIt: a link whose
// target is "sub/../x.txt", sub a link to a folder that is gone, leads
// into a folder that is not there (the system reads ".." where sub
// leads): the error names that folder, sub/.., not the link's own
// folder, which is there.
func TestMissingFolderAfterALinkIsNamedAsTheSystemReadsIt(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(dir, "unplugged", "deep"), filepath.Join(dir, "sub")))
	link := filepath.Join(dir, "save.txt")
	require.NoError(t, os.Symlink("sub/../x.txt", link))
	require.Error(t, os.WriteFile(link, []byte("x"), 0o600), "the system finds no folder to write in")

	_, err := Follow(link)
	var missing *MissingFolderError
	require.ErrorAs(t, err, &missing)
	require.Equal(t, dir+"/sub/../x.txt", missing.Target)
	said := err.Error()
	folder := said[strings.LastIndexByte(said, '(')+1 : len(said)-1]
	require.Equal(t, dir+"/sub/..", folder, said)
	_, err = os.Stat(folder)
	require.ErrorIs(t, err, os.ErrNotExist, "the folder named is not there")
}
