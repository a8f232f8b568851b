package cli

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Garbage-collector settings of the window (see tuneGC).
const (
	// windowGCPercent and windowMemoryLimit keep the window's Go heap from
	// doubling while it uploads (and, with the Local sandbox, stores the
	// file a second time in the same process); make bench measures the
	// peak RSS. The limit is soft and well above the window's live heap,
	// even with a 10,000-file queue.
	windowGCPercent   = 200
	windowMemoryLimit = 64 << 20
)

// gcProfile is a command's garbage-collector setting: GOGC, and a soft
// memory limit (0 = none).
type gcProfile struct {
	percent int
	limit   int64
}

// windowGC is the window's profile; the commands keep Go's defaults (the
// zero profile). upload and resume ran at GOGC=50 for a while: at 100,000
// small files that kept 9 MiB off their peak RSS (48 against 57 MiB) and
// cost 9 % more CPU (README, "Small files"), and the peak is under its
// 64 MiB bound either way.
var windowGC = gcProfile{percent: windowGCPercent, limit: windowMemoryLimit}

// gcProfileOf is the profile of the command cobra found for the process's
// arguments.
func gcProfileOf(cmd *cobra.Command) gcProfile {
	if !cmd.HasParent() {
		return windowGC
	}
	return gcProfile{}
}

// tuneGC caps the window's Go heap (see windowMemoryLimit) and leaves the
// commands at Go's defaults. It never overrides GOGC or GOMEMLIMIT set by
// the person.
//
// The commands need no tuning: api.CIDHasher allocates nothing per chunk,
// and the queue keeps a window of its jobs in memory, not the list; make
// bench measures the peak RSS of one big upload and of 100,000 small files
// with Go's defaults, and of the big upload with a tighter setting too.
func tuneGC(p gcProfile) {
	if p == (gcProfile{}) {
		return
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(p.percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" && p.limit > 0 {
		debug.SetMemoryLimit(p.limit)
	}
}
