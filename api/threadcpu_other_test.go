//go:build !linux

package api

import "time"

// threadCPU is 0 where the OS gives no per-thread CPU time: the benchmarks
// then report wall-time ratios only.
func threadCPU() time.Duration { return 0 }
