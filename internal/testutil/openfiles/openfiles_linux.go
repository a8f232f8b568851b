// Package openfiles tells a test whether this process holds a file open,
// so that it can see a file opened after its caller gave up on the open
// closed at once, not left to a finalizer (Linux: /proc/self/fd).
//
// It is a package of its own, importing nothing of this module, so that
// package api's internal tests (which internal/testutil imports) use the
// same look as everyone else's. It is imported by tests only.
package openfiles

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Holds reports whether this process holds path open: a test asks it
// after an open it gave up on has returned, to see that nothing keeps the
// person from moving or deleting the file.
func Holds(t testing.TB, path string) bool {
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
