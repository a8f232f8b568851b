package diskspace

import (
	"math"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestStatfsSpaceCountsFragments: Linux counts a disk's blocks in units of
// Frsize (statvfs's f_frsize), which a network or FUSE file system may
// report apart from Bsize, its preferred transfer size (sshfs of a Mac
// home: 1 MiB, blocks of 4 KiB); a kernel that leaves Frsize 0 counts
// in Bsize; and a count too large for int64 is the largest figure, not a
// negative one.
func TestStatfsSpaceCountsFragments(t *testing.T) {
	for _, tc := range []struct {
		name       string
		st         syscall.Statfs_t
		free, size int64
	}{
		{"Frsize equal to Bsize", syscall.Statfs_t{Bsize: 4096, Frsize: 4096, Bavail: 250, Blocks: 1000}, 250 * 4096, 1000 * 4096},
		{"Frsize below Bsize (sshfs)", syscall.Statfs_t{Bsize: 1 << 20, Frsize: 4096, Bavail: 250, Blocks: 1000}, 250 * 4096, 1000 * 4096},
		{"Frsize above Bsize", syscall.Statfs_t{Bsize: 512, Frsize: 65536, Bavail: 3, Blocks: 10}, 3 * 65536, 10 * 65536},
		{"Frsize not given", syscall.Statfs_t{Bsize: 4096, Bavail: 250, Blocks: 1000}, 250 * 4096, 1000 * 4096},
		{"counts beyond int64", syscall.Statfs_t{Bsize: 4096, Frsize: 4096, Bavail: math.MaxUint64, Blocks: math.MaxUint64}, math.MaxInt64, math.MaxInt64},
		{"nothing free", syscall.Statfs_t{Bsize: 4096, Frsize: 4096, Blocks: 1000}, 0, 1000 * 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			free, size := statfsSpace(&tc.st)
			assert.Equal(t, tc.free, free, "free")
			assert.Equal(t, tc.size, size, "size")
		})
	}
}
