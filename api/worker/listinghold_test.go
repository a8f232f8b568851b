package worker

import (
	"errors"
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

// awaitSavedUploaded waits until the listing is held and the listed
// files, the files met before the held entry, are all saved and uploaded:
// the listing saves what it listed once it waited flushEvery, also while
// it waits on an entry (walk.saveDue), so every one of them is, however
// few (before, it saved only as it added a row: on a busy machine two
// flushes by time saved 2 rows, the next flush was due at 32, and the
// listing held at its 21st entry saved no more).
func (h *listingHold) awaitSavedUploaded(t *testing.T, e *testEnv, listed int) {
	t.Helper()
	<-h.held
	awaitListedUploaded(t, e, listed)
}

// awaitListedUploaded waits until the queue's database holds listed jobs,
// no more, each of them uploaded (in the history); on giving up it says
// what it saw last. Its condition runs on a goroutine of its own, which
// may outlive a failed test and its database: it reports errors, never
// fails the test itself.
func awaitListedUploaded(t *testing.T, e *testEnv, listed int) {
	t.Helper()
	var seen atomic.Value // written by the condition's goroutine
	eventually(t, hangGuard, func() bool {
		jobs, err := e.db.Jobs()
		states := map[storage.JobState]int{}
		for _, j := range jobs {
			states[j.State]++
		}
		n, herr := e.db.HistoryCount("")
		seen.Store(fmt.Sprintf("%d jobs %v, %d in the history, errors %v", len(jobs), states, n, errors.Join(err, herr)))
		return err == nil && herr == nil && len(jobs) == listed && n == listed
	}, "the %d files listed saved and uploaded: %s", listed, observed(func() string { s, _ := seen.Load().(string); return s }))
}
