//go:build unix

package linkchain

import (
	"os"
	"path/filepath"
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
