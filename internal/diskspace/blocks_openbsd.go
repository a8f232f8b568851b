package diskspace

import "syscall"

// blocksOf reads the block counts of a statfs answer. OpenBSD's statfs
// names its fields F_*: the counts are in F_bsize, the fundamental block
// size (F_iosize is the transfer size), and the available count goes below
// 0 when root has used the space kept for it: nothing is free then.
func blocksOf(st *syscall.Statfs_t) blocks {
	return blocks{avail: uint64(max(st.F_bavail, 0)), total: st.F_blocks, unit: uint64(st.F_bsize)}
}
