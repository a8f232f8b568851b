package cputime

import (
	"syscall"
	"time"
)

// Thread is the CPU time (user and system) the calling OS thread has
// used; the caller locks its goroutine to the thread.
func Thread() time.Duration {
	const rusageThread = 1 // RUSAGE_THREAD
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
