package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// A big folder being listed reaches the window as many batches of
// JobAdded events, each making the list longer and nothing else once the
// window is full. Each refresh of the list makes Fyne build a row to
// measure (kept in its cache a minute or more), so the list is drawn for
// its length at most once per refreshInterval, not once per batch.
func TestListedFolderRedrawsTheListByTimeNotByBatch(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	a := e.a
	const batches = 40
	e.ui(func() {
		v := a.upload
		a.win.Canvas().Capture() // the list and its rows drawn
		made := 0
		create := v.list.CreateItem
		v.list.CreateItem = func() fyne.CanvasObject { made++; return create() }
		seq := int64(0)
		feed := func(n int) {
			batch := make([]worker.Event, n)
			sum := v.sum
			sum.Walking = true
			for i := range batch {
				seq++
				sum.Total++
				sum.Queued++
				j := worker.Job{ID: fmt.Sprintf("listed-%d", seq), Seq: seq, Name: fmt.Sprintf("f%d.txt", seq), State: storage.JobQueued}
				batch[i] = worker.Event{Kind: worker.JobAdded, Job: j, Summary: sum}
			}
			v.apply(batch)
		}
		feed(listCap) // fills the window: its rows changed, drawn at once
		made = 0
		start := time.Now()
		for range batches {
			feed(maxBatch)
		}
		elapsed := time.Since(start)
		bound := 1 + int(elapsed/refreshInterval)
		t.Logf("%d batches in %v: %d rows made to measure, at most %d allowed", batches, elapsed, made, bound)
		assert.LessOrEqual(t, made, bound, "a list whose length alone changes is drawn by time, not by batch")
		assert.Equal(t, int(seq), v.listLen())
	})
}

// After a folder's last batch, with no event to follow, the list the
// window draws is as long as the queue: the draw held back for time is
// brought by the pump's tick.
func TestListedFolderListIsDrawnWholeWhenEventsStop(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	a := e.a
	n := 3*maxBatch + 100
	dir := filepath.Join(t.TempDir(), "big")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i := range n {
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%05d.txt", i)), []byte("x"), 0o644))
	}
	e.ui(func() { a.upload.onPauseResume() }) // nothing uploads: the list only grows
	e.eventually(func() bool { return a.upload.sum.Paused }, "paused")
	e.ui(func() {
		a.win.Canvas().Capture()
		a.addPaths([]string{dir})
	})
	var listed time.Time
	e.eventually(func() bool {
		v := a.upload
		if listed.IsZero() && v.sum.Total == n && !v.sum.Walking {
			listed = time.Now()
		}
		return !listed.IsZero() && v.drawn.length == n
	}, "the list drawn as long as the queue")
	t.Logf("%d files listed; the list drawn whole %v after the last batch was applied", n, time.Since(listed))
}
