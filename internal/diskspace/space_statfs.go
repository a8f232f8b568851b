//go:build unix && !netbsd && !solaris

package diskspace

import "syscall"

// space reads the disk's free bytes (for an unprivileged process) and its
// size, both -1 when unknown.
func space(dir string) (free, size int64) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1, -1
	}
	return statfsSpace(&st)
}

// statfsSpace is the free bytes (for an unprivileged process) and the
// size of a disk whose statfs answer is st: its block counts times the
// size of the blocks they count (blocksOf).
func statfsSpace(st *syscall.Statfs_t) (free, size int64) {
	b := blocksOf(st)
	return bytesOf(b.avail, b.unit), bytesOf(b.total, b.unit)
}
