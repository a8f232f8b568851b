//go:build netbsd || solaris

package diskspace

import "golang.org/x/sys/unix"

// space reads the disk's free bytes (for an unprivileged process) and its
// size, both -1 when unknown. NetBSD, Solaris and illumos have no statfs
// but statvfs, whose counts are in units of Frsize, the fundamental block
// size (Bsize is the preferred transfer size there).
func space(dir string) (free, size int64) {
	var st unix.Statvfs_t
	if err := unix.Statvfs(dir, &st); err != nil {
		return -1, -1
	}
	unit := st.Frsize
	if unit == 0 {
		unit = st.Bsize
	}
	return bytesOf(st.Bavail, unit), bytesOf(st.Blocks, unit)
}
