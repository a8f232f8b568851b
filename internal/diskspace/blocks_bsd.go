//go:build unix && !linux && !openbsd && !netbsd && !solaris

package diskspace

import "syscall"

// blocksOf reads the block counts of a statfs answer. The BSDs', macOS's
// and AIX's statfs has no Frsize: its Bsize is the fundamental block size
// the counts are in (the transfer size, where there is one, is Iosize), so
// it is the unit here. FreeBSD's available count goes below 0 when root has
// used the space kept for it: nothing is free then.
func blocksOf(st *syscall.Statfs_t) blocks {
	return blocks{avail: uint64(max(st.Bavail, 0)), total: uint64(max(st.Blocks, 0)), unit: uint64(max(st.Bsize, 0))}
}
