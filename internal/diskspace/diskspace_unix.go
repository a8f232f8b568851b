//go:build unix

package diskspace

import (
	"errors"
	"math"
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

// blocks are the counts of a statfs answer, none below 0, and the size
// in bytes of the blocks they count.
type blocks struct {
	avail, total, unit uint64
}

// bytesOf is count blocks of unit bytes, math.MaxInt64 when that is more
// (a network or FUSE file system that reports no limit as 2⁶⁴−1 blocks):
// never a negative figure, which callers take for unknown.
func bytesOf(count, unit uint64) int64 {
	if unit != 0 && count > math.MaxInt64/unit {
		return math.MaxInt64
	}
	return int64(count * unit)
}

// Full reports whether err says the disk has no room left.
func Full(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}
