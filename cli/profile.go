package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/spf13/cobra"
)

// profileFlag is the hidden debug flag that profiles a run, so that a slow
// or fat run on someone's machine can be looked at.
const profileFlag = "debug-profile"

// heapSampleEvery is how often a profiled run looks at its live heap, to
// keep the heap profile of its largest moment.
const heapSampleEvery = 250 * time.Millisecond

// addProfileFlag adds --debug-profile DIR to root (hidden): the command
// writes DIR/cpu.pprof for the whole run, and DIR/heap.pprof taken when the
// live heap was largest (read both with `go tool pprof`), with that peak in
// DIR/heap.pprof.txt.
func addProfileFlag(root *cobra.Command) {
	root.PersistentFlags().String(profileFlag, "", "write cpu.pprof and heap.pprof (at the largest live heap) into this folder")
	_ = root.PersistentFlags().MarkHidden(profileFlag)
}

// startProfile starts profiling when cmd's --debug-profile is set and
// returns what stops it and writes the files (a no-op otherwise).
func startProfile(cmd *cobra.Command) (stop func() error, err error) {
	dir, _ := cmd.Flags().GetString(profileFlag)
	if dir == "" {
		return func() error { return nil }, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("--%s: %w", profileFlag, err)
	}
	cpu, err := os.Create(filepath.Join(dir, "cpu.pprof"))
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", profileFlag, err)
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		_ = cpu.Close()
		return nil, fmt.Errorf("--%s: %w", profileFlag, err)
	}
	h := &heapPeak{path: filepath.Join(dir, "heap.pprof"), quit: make(chan struct{})}
	h.wg.Add(1)
	go h.watch()
	return func() error {
		pprof.StopCPUProfile()
		close(h.quit)
		h.wg.Wait()
		return cpu.Close()
	}, nil
}

// heapPeak writes a heap profile each time the live heap reaches a new
// maximum, so the file left is the largest moment's (or the last one's,
// for a run too short to be sampled), and the peak itself to heap-peak.txt.
type heapPeak struct {
	path string
	quit chan struct{}
	wg   sync.WaitGroup
	max  uint64
	at   time.Duration // since the start
}

func (h *heapPeak) watch() {
	defer h.wg.Done()
	start := time.Now()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(heapSampleEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-h.quit:
			if h.max == 0 {
				h.write()
			}
			_ = os.WriteFile(h.path+".txt", fmt.Appendf(nil, "peak live heap %d bytes, %s after the start\n", h.max, h.at.Round(time.Millisecond)), 0o600)
			return
		}
		metrics.Read(sample)
		if live := sample[0].Value.Uint64(); live > h.max {
			h.max, h.at = live, time.Since(start)
			h.write()
		}
	}
}

func (h *heapPeak) write() {
	runtime.GC() // the profile reflects the heap as of the last collection
	f, err := os.Create(h.path)
	if err != nil {
		return
	}
	_ = pprof.Lookup("heap").WriteTo(f, 0)
	_ = f.Close()
}
