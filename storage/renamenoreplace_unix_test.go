//go:build !windows

package storage

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnrecordedFileLinkedIntoPlaceReplacesNone: where the file system
// has no rename that keeps a file there (macOS, a Linux file system
// without RENAME_NOREPLACE), a file of uploads not recorded goes into
// place by a hard link: onto a name taken it fails with fs.ErrExist and
// changes neither file; onto a free one it moves the file.
func TestUnrecordedFileLinkedIntoPlaceReplacesNone(t *testing.T) {
	dir := t.TempDir()
	tmp, taken, free := filepath.Join(dir, ".tmp"), filepath.Join(dir, "taken.txt"), filepath.Join(dir, "free.txt")
	require.NoError(t, os.WriteFile(tmp, []byte("mine"), 0o600))
	require.NoError(t, os.WriteFile(taken, []byte("another quit's"), 0o600))

	require.ErrorIs(t, linkNoReplace(tmp, taken), fs.ErrExist)
	for path, want := range map[string]string{tmp: "mine", taken: "another quit's"} {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
	}

	require.NoError(t, linkNoReplace(tmp, free))
	assert.NoFileExists(t, tmp)
	b, err := os.ReadFile(free)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(b))
}
