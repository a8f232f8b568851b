package worker

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// observed is what a wait last saw, formatted (%s) when it gives up.
type observed func() string

func (o observed) String() string { return o() }

// listingHold holds a folder's listing at one entry, so that a test can
// act (Stop everything, move the folder) while the folder is part-way
// listed and the files saved so far are uploaded.
type listingHold struct {
	held    chan struct{}
	release func() // lets the listing go on; once, then a no-op
}

// holdListingAt makes cfg's listing wait before the entry named name
// until the hold is released; a hook cfg already has runs after it. The
// caller registers release with t.Cleanup after starting the queue, so
// that a failure lets the listing go before the queue is closed.
func holdListingAt(cfg *Config, name string) *listingHold {
	h := &listingHold{held: make(chan struct{})}
	released := make(chan struct{})
	h.release = sync.OnceFunc(func() { close(released) })
	next := cfg.beforeListingEntry
	cfg.beforeListingEntry = func(p string) {
		if filepath.Base(p) == name {
			close(h.held)
			<-released
		}
		if next != nil {
			next(p)
		}
	}
	return h
}

// awaitSavedUploaded waits until the listing is held and the files saved
// so far, one at least, are all uploaded. How many are saved then is not
// known: the listing saves its rows by count (firstFlushRows, then
// doubling) and by time (flushEvery), and only as it adds a row, so on a
// busy machine two flushes by time saved 2 rows, the next flush was due at
// 32, and the listing held at its 21st entry saved no more (a wait for
// firstFlushRows saw "2 jobs map[done:2], 2 in the history" for 2
// minutes: GOMAXPROCS=1 and three busy loops, 1 run in 20).
func (h *listingHold) awaitSavedUploaded(t *testing.T, e *testEnv) {
	t.Helper()
	<-h.held
	var seen atomic.Value // written by the condition's goroutine
	eventually(t, hangGuard, func() bool {
		jobs, err := e.db.Jobs()
		states := map[storage.JobState]int{}
		for _, j := range jobs {
			states[j.State]++
		}
		n := len(history(t, e.db))
		seen.Store(fmt.Sprintf("%d jobs %v, %d in the history, err %v", len(jobs), states, n, err))
		return err == nil && len(jobs) > 0 && n == len(jobs)
	}, "the files saved so far uploaded: %s", observed(func() string { s, _ := seen.Load().(string); return s }))
}
