//go:build !windows

package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// assertPrivate checks that only the owner can use path: mode 0700 for a
// directory, 0600 for a file.
func assertPrivate(t *testing.T, path string) {
	t.Helper()
	info, err := os.Stat(path)
	require.NoError(t, err, path)
	want := os.FileMode(0o600)
	if info.IsDir() {
		want = 0o700
	}
	assert.Equal(t, want, info.Mode().Perm(), path)
}

func TestOpenTightensExistingLooseFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, DBFileName), nil, 0o644))
	require.NoError(t, os.Chmod(filepath.Join(dir, DBFileName), 0o644)) // beat the umask
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	assertPrivate(t, filepath.Join(dir, DBFileName))
}
