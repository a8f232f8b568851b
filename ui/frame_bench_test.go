package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/cputime"
)

// BenchmarkQueueFrame measures the window's frame time with a big queue:
// DSTOR_BENCH_QUEUE_FILES small files (say 100000) in sub-folders of 1,000
// are dropped on the window, signed in to the Local sandbox; once they are
// all listed, the benchmark draws frames for DSTOR_BENCH_FRAME_SECONDS
// (default 10) while they upload. A frame is timed from asking for the UI
// goroutine (which waits for any event batch being applied) to the window
// painted (render and a software capture of the whole canvas): the wall
// time is what a person waits for on this machine, and the CPU time of the
// thread that drew is the frame's own cost, which other jobs on a busy
// machine disturb much less. It reports the median, the 99th percentile
// and the slowest frame, and frames during the listing too. Run by hand
// under Xvfb; make bench counts the real window's frames instead
// (.ci/window-frames.sh), which has no software capture.
func BenchmarkQueueFrame(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("DSTOR_BENCH_QUEUE_FILES"))
	if n <= 0 {
		b.Skip("set DSTOR_BENCH_QUEUE_FILES to the number of files to queue")
	}
	seconds, _ := strconv.Atoi(os.Getenv("DSTOR_BENCH_FRAME_SECONDS"))
	if seconds <= 0 {
		seconds = 10
	}
	src := b.TempDir()
	for i := range n {
		dir := filepath.Join(src, fmt.Sprintf("d%04d", i/1000))
		if i%1000 == 0 {
			require.NoError(b, os.MkdirAll(dir, 0o755))
		}
		require.NoError(b, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d", i)), []byte(strconv.Itoa(i)), 0o644))
	}
	e := newTestEnv(b)
	a := e.a
	e.signInSandbox()
	e.ui(func() { a.addPaths([]string{src}) })

	runtime.LockOSThread() // for the thread's CPU time
	defer runtime.UnlockOSThread()
	var cpu, renderCPU []time.Duration
	frame := func() time.Duration {
		start, used := time.Now(), cputime.Thread()
		e.ui(func() {
			before := cputime.Thread()
			a.upload.render()
			renderCPU = append(renderCPU, cputime.Thread()-before)
			a.win.Canvas().Capture()
		})
		cpu = append(cpu, cputime.Thread()-used)
		return time.Since(start)
	}
	var listing []time.Duration
	deadline := time.Now().Add(10 * time.Minute)
	for {
		var total int
		var walking bool
		e.ui(func() { total, walking = a.upload.sum.Total, a.upload.sum.Walking })
		if total >= n && !walking {
			break
		}
		require.True(b, time.Now().Before(deadline), "listed %d of %d files in 10 minutes", total, n)
		listing = append(listing, frame())
		time.Sleep(16 * time.Millisecond)
	}
	b.ResetTimer()
	cpu, renderCPU = nil, nil
	var uploading []time.Duration
	end := time.Now().Add(time.Duration(seconds) * time.Second)
	for time.Now().Before(end) {
		uploading = append(uploading, frame())
		time.Sleep(16 * time.Millisecond)
	}
	b.StopTimer()
	var done int
	e.ui(func() { done = a.upload.sum.Done })
	b.Logf("%d files queued; %d listing frames, %d uploading frames (%d uploaded meanwhile)", n, len(listing), len(uploading), done)
	report := func(name string, d []time.Duration) {
		if len(d) == 0 {
			return
		}
		slices.Sort(d)
		ms := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))]) / 1e6 }
		b.ReportMetric(ms(0.5), name+"-p50-ms")
		b.ReportMetric(ms(0.99), name+"-p99-ms")
		b.ReportMetric(ms(1), name+"-max-ms")
	}
	report("frame", uploading)
	report("frame-cpu", cpu)
	report("render-cpu", renderCPU) // the view's own work, without the software painter
	report("listing", listing)
}
