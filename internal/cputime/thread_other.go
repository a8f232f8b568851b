//go:build !linux

package cputime

import "time"

// Thread is 0 where the OS gives no per-thread CPU time: the benchmarks
// then report wall-time ratios only.
func Thread() time.Duration { return 0 }
