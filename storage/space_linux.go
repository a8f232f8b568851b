package storage

import "syscall"

// freeSpace is how many bytes an unprivileged process can still write on
// the disk holding dir, or -1 when unknown.
func freeSpace(dir string) int64 {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return -1
	}
	return int64(st.Bavail) * st.Bsize
}
