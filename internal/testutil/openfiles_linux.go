package testutil

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// OpenHere reports whether this process holds path open (Linux:
// /proc/self/fd), so a test can see that a file opened after its caller
// gave up on the open is closed, not left to a finalizer. (Package api's
// own tests keep a copy: this package imports api.)
func OpenHere(t testing.TB, path string) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	for _, fd := range fds {
		if to, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && to == path {
			return true
		}
	}
	return false
}
