//go:build unix

package storage

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestALookThatFailsTellsNothing: what a look at the history's path (a
// stat) failing with each error says. Only nothing there (ENOENT) is the
// history deleted; a network file system that stopped answering (EIO,
// ESTALE, ETIMEDOUT, EHOSTDOWN), no permission, or a folder on the path
// that is a file now tells nothing (nil): the write itself says what is
// wrong. Windows: TestALookAtAShareThatBlinksTellsNothing.
func TestALookThatFailsTellsNothing(t *testing.T) {
	const path = "/mnt/share/dstor/dstor-uploader.db"
	for _, tc := range []struct {
		errno   syscall.Errno
		deleted bool
	}{
		{syscall.ENOENT, true},
		{syscall.EIO, false},
		{syscall.ESTALE, false},
		{syscall.ETIMEDOUT, false},
		{syscall.EHOSTDOWN, false},
		{syscall.ENOTCONN, false},
		{syscall.EACCES, false},
		{syscall.ENOTDIR, false},
		{syscall.EINTR, false},
	} {
		err := &os.PathError{Op: "stat", Path: path, Err: tc.errno}
		var want *ReplacedError
		if tc.deleted {
			want = &ReplacedError{Path: path, Deleted: true}
		}
		assert.Equal(t, want, replacedBy(path, false, err), "%v", tc.errno)
	}
}
