//go:build unix

package diskspace

import (
	"errors"
	"syscall"
)

// Free is how many bytes an unprivileged process can still write on the
// disk holding dir, or -1 when unknown.
func Free(dir string) int64 {
	free, _ := space(dir)
	return free
}

// Size is how many bytes the disk holding dir holds in all, or -1 when
// unknown: what can be asked of it is bounded by that.
func Size(dir string) int64 {
	_, size := space(dir)
	return size
}

// space reads the disk's free bytes (for an unprivileged process) and its
// size, both -1 when unknown.
func space(dir string) (free, size int64) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1, -1
	}
	return int64(st.Bavail) * int64(st.Bsize), int64(st.Blocks) * int64(st.Bsize)
}

// Full reports whether err says the disk has no room left.
func Full(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}
