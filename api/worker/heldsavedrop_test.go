package worker

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

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
// held at an entry, saves what it listed (walk.saveDue, its first save):
// the rows that save writes after the stop are canceled as they are
// shown, none is uploaded, and the listing lists nothing more.
func TestCancelAllDuringTheSaveOfAHeldListing(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeListedTrip(e)
	cfg := e.config()
	h := holdListingAt(&cfg, "a05.jpg")
	var q atomic.Pointer[Queue]
	cfg.beforeListedRows = func(group int) {
		if group == 1 { // the save while held: the first, 5 rows short of firstFlushRows
			<-h.held
			q.Load().CancelAll()
		}
	}
	started, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, started.Close()) })
	t.Cleanup(h.release) // before Close
	q.Store(started)
	started.Add(Request{Path: dir})
	<-h.held
	require.NoError(t, wait(t, started, hangGuard))
	h.release()
	eventually(t, hangGuard, func() bool { return len(walksLeft(t, e.db)) == 0 }, "the stop recorded")

	jobs, err := e.db.Jobs()
	require.NoError(t, err)
	assert.Len(t, jobs, 5, "the files listed before the hold, saved")
	for _, j := range jobs {
		assert.Equal(t, storage.JobCanceled, j.State, j.LocalPath)
	}
	assert.Empty(t, history(t, e.db), "nothing uploaded")
}
