//go:build unix

package storage

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenWhereTheDatabaseIsNotAFileSaysSo: a folder or a named pipe where
// the history database file should be stopped every start with the raw
// "open …/dstor-uploader.db: is a directory" or "disk I/O error (10)",
// which said neither what was there nor what to do. Open now names what is
// there and says to move it away, and a named pipe never hangs it; what is
// there is left untouched.
func TestOpenWhereTheDatabaseIsNotAFileSaysSo(t *testing.T) {
	for _, tc := range []struct {
		name, what string
		make       func(path string) error
	}{
		{"folder", "a folder", func(p string) error { return os.Mkdir(p, 0o700) }},
		{"named pipe", "a named pipe", func(p string) error { return syscall.Mkfifo(p, 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, DBFileName)
			require.NoError(t, tc.make(path))
			before, err := os.Lstat(path)
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() {
				d, err := Open(dir)
				if err == nil {
					_ = d.Close()
				}
				done <- err
			}()
			select {
			case err = <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Open hangs on " + tc.what)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), path)
			assert.Contains(t, err.Error(), "is "+tc.what+", not a file")
			assert.Contains(t, err.Error(), "move it away")
			assert.NotContains(t, err.Error(), "disk I/O error")
			assert.NotContains(t, err.Error(), "is a directory")
			after, err := os.Lstat(path)
			require.NoError(t, err)
			assert.Equal(t, before.Mode(), after.Mode(), "left as it was")
		})
	}
}
