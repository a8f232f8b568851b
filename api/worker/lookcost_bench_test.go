//go:build unix

package worker

import (
	"context"
	"syscall"
	"testing"

	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// BenchmarkLookAtTheHistory times the look the scheduler takes before
// each upload it starts (lookAtFileLocked), on a history in use: the
// window's storage.DB.CheckFile (three stats where the -wal and -shm are
// watched) and the command line's CheckIndex (one), each alone and off
// the scheduler's goroutine as lookAtFileLocked runs it (offlocal.Until).
func BenchmarkLookAtTheHistory(b *testing.B) {
	d, err := storage.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = d.Close() })
	if _, err := d.HistoryCount(""); err != nil { // the -wal and -shm made and watched
		b.Fatal(err)
	}
	for _, look := range []struct {
		name string
		look func() error
	}{{"CheckFile", d.CheckFile}, {"CheckIndex", d.CheckIndex}} {
		b.Run(look.name, func(b *testing.B) {
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				if err := look.look(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(look.name+" offlocal.Until", func(b *testing.B) {
			b.ReportAllocs()
			ctx := context.Background()
			defer reportCPU(b)()
			for b.Loop() {
				if err, _ := offlocal.Until(ctx, nil, look.look); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportCPU starts counting the process's CPU time (user and system, all
// threads: the look's goroutine and the wakeups it costs too); the func
// it returns reports it per op (cpu-ns/op), which the load of other
// processes on the machine changes less than the wall time.
func reportCPU(b *testing.B) func() {
	before := cpuTime(b)
	return func() { b.ReportMetric(float64(cpuTime(b)-before)/float64(b.N), "cpu-ns/op") }
}

// cpuTime is the process's CPU time so far, in nanoseconds.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
