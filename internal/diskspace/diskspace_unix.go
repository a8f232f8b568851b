//go:build unix

package diskspace

import (
	"errors"
	"syscall"
)

// Free is how many bytes an unprivileged process can still write on the
// disk holding dir, or -1 when unknown.
func Free(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * int64(st.Bsize)
}

// Full reports whether err says the disk has no room left.
func Full(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}
