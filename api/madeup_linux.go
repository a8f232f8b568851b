package api

import (
	"os"

	"golang.org/x/sys/unix"
)

// madeUpAsRead reports whether the open file f, of size bytes, is on a file
// system the kernel makes up as it is read (/proc, /sys and their kin):
// its size says nothing of what reading it gives (0 bytes for
// /proc/cpuinfo, 4096 for a /sys attribute), so an upload of it would be
// found changed on every attempt. Only files of those two sizes are
// asked about (one fstatfs, when a file is listed, not at its upload: no
// such file can be moved into a listed file's place, and a link made
// there later is refused); a stored file of either is not refused.
func madeUpAsRead(f *os.File, size int64) bool {
	if size != 0 && size != 4096 {
		return false
	}
	conn, err := f.SyscallConn()
	if err != nil {
		return false
	}
	var sfs unix.Statfs_t
	var serr error
	if err := conn.Control(func(fd uintptr) { serr = unix.Fstatfs(int(fd), &sfs) }); err != nil || serr != nil {
		return false
	}
	switch int64(sfs.Type) {
	case unix.PROC_SUPER_MAGIC, unix.SYSFS_MAGIC, unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC, unix.SECURITYFS_MAGIC,
		unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC, unix.BPF_FS_MAGIC, unix.EFIVARFS_MAGIC:
		return true
	}
	return false
}
