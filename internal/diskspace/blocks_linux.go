package diskspace

import "syscall"

// blocksOf reads the block counts of a statfs answer. Linux counts them in
// units of Frsize (statvfs's f_frsize, the "fragment size"), which most
// local file systems set to Bsize but a network or FUSE one may not (Bsize
// is then a preferred transfer size: sshfs of a Mac home says 1 MiB for
// blocks of 4 KiB); a kernel that leaves Frsize 0 counts in Bsize, as
// glibc's statvfs takes it.
func blocksOf(st *syscall.Statfs_t) blocks {
	unit := max(st.Frsize, 0)
	if unit == 0 {
		unit = max(st.Bsize, 0)
	}
	return blocks{avail: st.Bavail, total: st.Blocks, unit: uint64(unit)}
}
