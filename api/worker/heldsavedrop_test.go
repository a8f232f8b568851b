package worker

import (
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestCloseAfterAHeldLookSavedTheRequestBeforeIt: an Add call of a folder
// and of a folder inside it (upload d d/sub) whose second request's first
// look hangs. While it waits, the listing saves what the first request
// listed (walk.saveDue): its last rows, its share and the drop of its walk
// row, which before waited for the next row. Closed then, the next queue
// resumes the second request alone, with no job of this call pending in
// memory (the first request's jobs are in the database only): each folder
// share must still hold each of its files once.
func TestCloseAfterAHeldLookSavedTheRequestBeforeIt(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeListedTrip(e)
	sub := filepath.Join(dir, "sub")
	cfg := e.config()
	cfg.Paused = true // nothing uploads before Close
	q := e.queue(cfg)
	hung := hangNth(t, readhook.SetPathLook, "sub", 3) // 1, 2: the walk saver's, 3: the walker's
	q.Add(Request{Path: dir}, Request{Path: sub})
	<-hung.started
	var seen atomic.Value
	eventually(t, hangGuard, func() bool {
		jobs, err := e.db.Jobs()
		walks, werr := e.db.Walks(testEnvName, testEmail)
		seen.Store(fmt.Sprintf("%d jobs, %d walks, errors %v %v", len(jobs), len(walks), err, werr))
		return err == nil && werr == nil && len(jobs) == 13 && len(walks) == 1
	}, "the first request saved while the second's look hangs: %s", observed(func() string { s, _ := seen.Load().(string); return s }))

	closeKeepsTheListing(t, e, q, hung)
	requireWholeOnce(t, e, dir, 13, "the first request's share")
	requireWholeOnce(t, e, sub, 3, "the second request's share, resumed")
	assert.Empty(t, walksLeft(t, e.db), "both listed to their end")
}

// TestCancelAllDuringTheSaveOfAHeldListing: Cancel all while the listing,
// held at an entry, saves what it listed (walk.saveDue): the rows that
// save writes after the stop are canceled as they are shown, none is
// uploaded, and the listing lists nothing more.
func TestCancelAllDuringTheSaveOfAHeldListing(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeListedTrip(e)
	cfg := e.config()
	cfg.Paused = true // rows a save by time wrote before the hold wait for Cancel all too
	var q atomic.Pointer[Queue]
	h := holdWithUnsavedFiles(&cfg, 5, func() { q.Load().CancelAll() })
	started, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, started.Close()) })
	t.Cleanup(h.release) // before Close
	q.Store(started)
	started.Add(Request{Path: dir})
	before := h.await(t)
	require.NoError(t, wait(t, started, hangGuard), "idle once Cancel all canceled what the listing saved")
	h.release()
	eventually(t, hangGuard, func() bool { return len(walksLeft(t, e.db)) == 0 }, "the stop recorded")

	jobs, err := e.db.Jobs()
	require.NoError(t, err)
	assert.Len(t, jobs, before, "the files listed before the hold, saved")
	for _, j := range jobs {
		assert.Equal(t, storage.JobCanceled, j.State, j.LocalPath)
	}
	assert.Empty(t, history(t, e.db), "nothing uploaded")
}

// unsavedHold holds a folder's listing at the first file, after some, it
// looks at while a file it looked at before is in no save yet, so that
// the listing has rows to save while it is held. A hold at a fixed entry
// does not do: on a loaded machine the listing may save by time
// (flushEvery) as it adds the row before that entry, and then has nothing
// to save while held; and a hook in the listing's first save that waited
// for the hold held the listing before it came to the entry, so the test
// waited for good (a00 saved by time as it was added, at load, under
// -race). Each file looked at is one row, added before the next look.
type unsavedHold struct {
	mu        sync.Mutex
	files     int  // the files looked at (before the hold, once held)
	saved     int  // the rows of the saves begun
	heldSaved bool // a save began while held
	// held is closed, with mu held, once the listing is held: whether it
	// is (isHeld) is read from it, not kept a second time.
	held    chan struct{}
	release func() // lets the listing go on; once, then a no-op
}

// isHeld says whether the listing is held; called with h.mu held, which
// h.held is closed under, so it agrees with the counts beside it.
func (h *unsavedHold) isHeld() bool {
	select {
	case <-h.held:
		return true
	default:
		return false
	}
}

// holdWithUnsavedFiles sets cfg's listing hooks to hold it (unsavedHold)
// after atLeast files, and to call onHeldSave in the first save that
// begins while it is held, before that save writes its rows. The caller
// registers release with t.Cleanup after starting the queue, as for
// holdListingAt.
func holdWithUnsavedFiles(cfg *Config, atLeast int, onHeldSave func()) *unsavedHold {
	h := &unsavedHold{held: make(chan struct{})}
	released := make(chan struct{})
	h.release = sync.OnceFunc(func() { close(released) })
	cfg.beforeListingEntry = func(p string) {
		if filepath.Ext(p) != ".jpg" { // a folder: no row
			return
		}
		h.mu.Lock()
		hold := !h.isHeld() && h.files >= atLeast && h.saved < h.files
		if hold {
			close(h.held)
		} else if !h.isHeld() {
			h.files++
		}
		h.mu.Unlock()
		if hold {
			<-released
		}
	}
	cfg.beforeListedRows = func(_, rows int) {
		h.mu.Lock()
		h.saved += rows
		first := h.isHeld() && !h.heldSaved
		h.heldSaved = h.heldSaved || first
		h.mu.Unlock()
		if first {
			onHeldSave()
		}
	}
	return h
}

// await waits until the listing is held and returns how many files it
// looked at before; a listing that saved each file before it looked at
// the next never holds, and fails the test once hangGuard passed.
func (h *unsavedHold) await(t *testing.T) int {
	t.Helper()
	select {
	case <-h.held:
	case <-time.After(hangGuard):
		h.mu.Lock()
		defer h.mu.Unlock()
		t.Fatalf("the listing never held: it saved each of the %d files it looked at before the next", h.files)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t.Logf("held after %d files, %d of them saved before", h.files, h.saved)
	return h.files
}
