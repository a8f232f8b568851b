package cli

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Garbage-collector settings of the window and of the commands that run
// the queue (see tuneGC).
const (
	// windowGCPercent and windowMemoryLimit keep the window's Go heap from
	// doubling while it uploads (and, with the Local sandbox, stores the
	// file a second time in the same process); make bench measures the
	// peak RSS. The limit is soft and well above the window's live heap,
	// even with a 10,000-file queue.
	windowGCPercent   = 200
	windowMemoryLimit = 64 << 20
	// queueGCPercent keeps the heap of upload and resume, whose live heap
	// stays small however many files they send, at one and a half times
	// that live heap instead of the twice Go's default lets it reach; make
	// bench measures what it saves in peak RSS and costs in CPU (README,
	// "Many files").
	queueGCPercent = 50
)

// gcProfile is a command's garbage-collector setting: GOGC, and a soft
// memory limit (0 = none).
type gcProfile struct {
	percent int
	limit   int64
}

// windowGC is the window's profile, queueGC that of the commands that run
// the queue; the other commands keep Go's defaults (the zero profile).
var (
	windowGC = gcProfile{percent: windowGCPercent, limit: windowMemoryLimit}
	queueGC  = gcProfile{percent: queueGCPercent}
)

// gcProfileOf is the profile of the command cobra found for the process's
// arguments.
func gcProfileOf(cmd *cobra.Command) gcProfile {
	switch {
	case !cmd.HasParent():
		return windowGC
	case cmd.Name() == "upload" || cmd.Name() == "resume":
		return queueGC
	}
	return gcProfile{}
}

// tuneGC caps the window's Go heap (see windowMemoryLimit), keeps the
// queue's commands' heap close to their live heap (queueGCPercent) and
// leaves the other commands at Go's defaults. It never overrides GOGC or
// GOMEMLIMIT set by the person.
//
// Big files need no tuning: api.CIDHasher allocates nothing per chunk, and
// make bench measures the peak RSS and CPU of one big upload with the
// profile's GOGC and with a tighter one alike. Many small files do: each
// makes a little garbage (its request, its rows, its events).
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
