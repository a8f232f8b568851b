package worker

import (
	"path/filepath"
	"sync"
	"testing"
)

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
// so far, at least atLeast of them, are all uploaded.
func (h *listingHold) awaitSavedUploaded(t *testing.T, e *testEnv, atLeast int) {
	t.Helper()
	<-h.held
	eventually(t, hangGuard, func() bool {
		jobs, err := e.db.Jobs()
		return err == nil && len(jobs) >= atLeast && len(history(t, e.db)) == len(jobs)
	}, "the files saved so far uploaded")
}
