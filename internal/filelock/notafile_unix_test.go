//go:build unix

package filelock

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTakeMakesNoFileThroughALink: a symbolic link at a lock's path that
// points to nothing is refused, not followed to make a file where it
// points (any file of the user's: a link put there by someone else), and
// so is a link to a folder, and a folder at the path; each says which path
// is wrong and what to do, and the link is left as it is. (A link to a
// file is followed: TestTakeThroughALink.)
func TestTakeMakesNoFileThroughALink(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	nowhere := filepath.Join(elsewhere, "made-by-the-lock")
	cases := []struct {
		name, target, want string
	}{
		{"dangling link", nowhere, "is a symbolic link"},
		{"link to a folder", elsewhere, "is a symbolic link"},
		{"folder", "", "is a folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".lock")
			if c.target != "" {
				require.NoError(t, os.Symlink(c.target, path))
			} else {
				require.NoError(t, os.Mkdir(path, 0o700))
			}
			k, err := Take(path)
			if k != nil {
				_ = k.Close()
			}
			var e *NotAFileError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, path, e.Path)
			assert.Contains(t, err.Error(), path+" "+c.want)
			assert.Contains(t, err.Error(), "then try again")
			if c.target != "" {
				assert.Contains(t, err.Error(), "remove the link")
				got, err := os.Readlink(path)
				require.NoError(t, err)
				assert.Equal(t, c.target, got, "the link is left as it is")
			}
		})
	}
	assert.NoFileExists(t, nowhere, "no file made where the link points")
}
