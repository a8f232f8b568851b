package worker

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// alreadyQueuedEvents collects the AlreadyQueued events of q; total sums
// their counts.
type alreadyQueuedEvents struct {
	t      *testing.T
	q      *Queue
	events <-chan Event
	seen   uint64 // serial of the last event taken
	got    []Event
}

func watchAlreadyQueued(t *testing.T, q *Queue) *alreadyQueuedEvents {
	t.Helper()
	events, unsub := q.Subscribe(4096)
	t.Cleanup(unsub)
	return &alreadyQueuedEvents{t: t, q: q, events: events}
}

// drain takes every event published so far (up to q.LastEvent).
func (a *alreadyQueuedEvents) drain() {
	timeout := time.After(hangGuard)
	for last := a.q.LastEvent(); a.seen < last; {
		select {
		case ev := <-a.events:
			a.seen = ev.Serial
			if ev.Kind == AlreadyQueued {
				a.got = append(a.got, ev)
			}
		case <-timeout:
			a.t.Fatalf("events up to %d not delivered (last %d)", last, a.seen)
		}
	}
}

func (a *alreadyQueuedEvents) total() int {
	a.drain()
	n := 0
	for _, ev := range a.got {
		n += ev.Count
	}
	return n
}

// uploadsByName counts this test's sandbox uploads per folder path and name.
func uploadsByName(e *testEnv) map[string]int {
	m := make(map[string]int)
	for _, u := range e.sandboxUploads() {
		m[u.FolderPath+u.Name]++
	}
	return m
}

// writeFolder writes n small files into the folder rel under e.files and
// returns the folder.
func writeFolder(e *testEnv, rel string, n int) string {
	for i := range n {
		e.write(fmt.Sprintf("%s/%03d.txt", rel, i), testutil.Content(fmt.Sprint(rel, i), 100+i))
	}
	return filepath.Join(e.files, filepath.FromSlash(rel))
}

// TestFolderAddedAgainWhileItsFilesWaitIsUploadedOnce: a folder whose files
// still wait in the saved queue from an interrupted run (closed with them
// queued, as a kill leaves them) is added again by the next run: nothing
// is queued twice, every file reaches dStor once, and the run says how
// many files were already queued.
func TestFolderAddedAgainWhileItsFilesWaitIsUploadedOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeFolder(e, "again", 12)
	cfg := e.config()
	cfg.Paused = true
	first, err := New(cfg)
	require.NoError(t, err)
	first.Add(Request{Path: dir, FolderPath: "/twice/"})
	eventually(t, 10*time.Second, func() bool { s := first.Summary(); return s.Queued == 12 && !s.Walking })
	require.NoError(t, first.Close())

	second := e.queue(cfg)
	seen := watchAlreadyQueued(t, second)
	second.Add(Request{Path: dir, FolderPath: "/twice/"})
	// Listed before any upload finishes, so every file is still queued
	// (one that finished first would be already uploaded instead).
	eventually(t, 10*time.Second, func() bool { return !second.Summary().Walking })
	second.Resume()
	require.NoError(t, wait(t, second, 30*time.Second))

	for name, n := range uploadsByName(e) {
		assert.Equal(t, 1, n, "%s uploaded %d times", name, n)
	}
	assert.Equal(t, 12, uploadsUnder(e, "/twice/"))
	assert.Equal(t, 12, second.Summary().Done)
	for p, n := range countPaths(second.Jobs()) {
		assert.Equal(t, 1, n, "%s listed %d times", p, n)
	}
	assert.Equal(t, 12, seen.total(), "the run says the folder's files were already queued")
	require.Len(t, seen.got, 1, "one event for the Add call")
	assert.Equal(t, filepath.Dir(seen.got[0].Job.LocalPath), dir)
	assert.Empty(t, seen.got[0].Job.ID, "not a job of the list")
	requireHistoryOnce(t, e.db, second.Jobs())
}

// TestSameFolderAddedTwiceWhileListedIsQueuedOnce: the same folder dropped
// twice, the second time while the first is still being listed (the queue
// paused, so nothing finishes in between), and one file of it dropped again
// on its own, are one job per file, each uploaded once.
func TestSameFolderAddedTwiceWhileListedIsQueuedOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeFolder(e, "dropped", 300) // more than one flush of rows (flushRows)
	one := filepath.Join(dir, "007.txt")
	cfg := e.config()
	cfg.Paused = true
	q := e.queue(cfg)
	seen := watchAlreadyQueued(t, q)
	q.Add(Request{Path: dir})
	q.Add(Request{Path: dir})
	q.Add(Request{Path: one, FolderPath: "/dropped/"}) // the same file to the same place
	eventually(t, time.Minute, func() bool { return !q.Summary().Walking })
	assert.Equal(t, 300, q.Summary().Queued)
	assert.Equal(t, 301, seen.total(), "the second drop and the single file were already queued")
	q.Resume()
	require.NoError(t, wait(t, q, 60*time.Second))
	for name, n := range uploadsByName(e) {
		assert.Equal(t, 1, n, "%s uploaded %d times", name, n)
	}
	assert.Equal(t, 300, uploadsUnder(e, "/dropped/"))
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestFileAddedAgainWhileUploadingIsUploadedOnce: a file added again in a
// new batch while its upload is in flight is not queued again.
func TestFileAddedAgainWhileUploadingIsUploadedOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("inflight.txt", testutil.Content("inflight", 5000))
	hold, client := e.heldServer()
	cfg := e.config()
	cfg.Client = client
	q := e.queue(cfg)
	seen := watchAlreadyQueued(t, q)
	q.Add(Request{Path: f, FolderPath: "/inflight/"})
	<-hold.Started()
	require.Equal(t, storage.JobUploading, stateOf(q, f))
	q.Add(Request{Path: f, FolderPath: "/inflight/"})
	eventually(t, 10*time.Second, func() bool { return seen.total() == 1 }, "the second add says the file is already queued")
	hold.Release()
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Len(t, q.Jobs(), 1)
	assert.Equal(t, 1, uploadsUnder(e, "/inflight/"))
}

// TestAddedAgainAfterCancelOrElsewhereIsQueued: what is not waiting to be
// uploaded to that place is queued as usual: a file whose job was just
// canceled (its row may still say queued: the queue's own state counts),
// and the same file to another folder.
func TestAddedAgainAfterCancelOrElsewhereIsQueued(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("elsewhere.txt", testutil.Content("elsewhere", 700))
	cfg := e.config()
	cfg.Paused = true
	q := e.queue(cfg)
	seen := watchAlreadyQueued(t, q)
	q.Add(Request{Path: f, FolderPath: "/first/"})
	eventually(t, 10*time.Second, func() bool { return stateOf(q, f) == storage.JobQueued })
	q.Cancel(jobFor(t, q, f).ID)
	q.Add(Request{Path: f, FolderPath: "/first/"}, Request{Path: f, FolderPath: "/second/"})
	eventually(t, 10*time.Second, func() bool { return len(q.Jobs()) == 3 && !q.Summary().Walking })
	q.Resume()
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, 1, uploadsUnder(e, "/first/"))
	assert.Equal(t, 1, uploadsUnder(e, "/second/"))
	assert.Zero(t, seen.total(), "nothing was already queued")
}

// TestCanceledAfterTheListingReadIsNotWaiting: a listing reads the jobs
// already queued for its request before it lists, and a job canceled
// after that read may be written and leave memory before the listing
// looks at it. It must count as canceled then, not as the queued job the
// read saw, or the file added again is left out as already queued.
func TestCanceledAfterTheListingReadIsNotWaiting(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("canceled.txt", testutil.Content("canceled", 700))
	cfg := e.config()
	cfg.Paused = true
	q := e.queue(cfg)
	q.Add(Request{Path: f, FolderPath: "/first/"})
	eventually(t, 10*time.Second, func() bool { return stateOf(q, f) == storage.JobQueued })
	id := jobFor(t, q, f).ID
	eventually(t, 10*time.Second, func() bool { return dbState(t, e.db, id).State == storage.JobQueued })

	w := &walk{q: q}
	w.loadQueued(f) // reads the job as queued
	q.Cancel(id)
	eventually(t, 10*time.Second, func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		return q.active[id] == nil
	}, "the canceled job is written and leaves memory")
	require.Equal(t, storage.JobCanceled, dbState(t, e.db, id).State)

	st := w.statesOf(w.queued.Of(f), dbState(t, e.db, id))
	assert.False(t, st.waiting, "the job read as queued was canceled since")
}
