package ui

import (
	"fmt"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// A drop of many files reaches the window in batches of at most maxBatch
// events, in order, none lost; the rest of a cut batch is the next one.
func TestEventBatchesAreBounded(t *testing.T) {
	var p pendingEvents
	n := 2*maxBatch + 276
	for i := range n {
		p.add(worker.Event{Kind: worker.JobAdded, Job: worker.Job{ID: fmt.Sprint(i), State: storage.JobQueued}})
	}
	var sizes []int
	next := 0
	for !p.empty() {
		batch := p.take()
		sizes = append(sizes, len(batch))
		for _, ev := range batch {
			require.Equal(t, fmt.Sprint(next), ev.Job.ID, "in the order added")
			next++
		}
	}
	assert.Equal(t, []int{maxBatch, maxBatch, 276}, sizes)
	assert.Equal(t, n, next, "every event applied")
}

// A job's progress waiting to be applied is replaced by its newest, but
// never inside a batch already taken (the UI goroutine may be applying it).
func TestEventProgressCoalescesAcrossBatches(t *testing.T) {
	var p pendingEvents
	progress := func(id string, sent int64) worker.Event {
		return worker.Event{Kind: worker.JobChanged, Job: worker.Job{ID: id, State: storage.JobUploading, Sent: sent}}
	}
	for i := range maxBatch {
		p.add(progress(fmt.Sprint(i), 1))
	}
	p.add(progress("last", 1))
	p.add(progress("0", 2)) // replaces job 0's first, still waiting
	first := p.take()
	require.Len(t, first, maxBatch)
	assert.Equal(t, int64(2), first[0].Job.Sent)

	p.add(progress("0", 3))    // job 0's event was taken: a new one
	p.add(progress("last", 2)) // still waiting: replaced
	assert.Equal(t, int64(2), first[0].Job.Sent, "a batch taken is left alone")
	second := p.take()
	require.Len(t, second, 2)
	assert.Equal(t, "last", second[0].Job.ID)
	assert.Equal(t, int64(2), second[0].Job.Sent)
	assert.Equal(t, "0", second[1].Job.ID)
	assert.Equal(t, int64(3), second[1].Job.Sent)
	assert.True(t, p.empty())
}

// refreshCounter is the current Fyne app with every canvas refresh
// counted: a widget whose text, value or look changes refreshes the
// objects it draws with (canvas.Refresh), one that is left alone does not.
type refreshCounter struct {
	fyne.App
	n atomic.Int64
}

func (c *refreshCounter) Driver() fyne.Driver { return countingDriver{c.App.Driver(), c} }

type countingDriver struct {
	fyne.Driver
	c *refreshCounter
}

func (d countingDriver) CanvasForObject(o fyne.CanvasObject) fyne.Canvas {
	return countingCanvas{d.Driver.CanvasForObject(o), d.c}
}

type countingCanvas struct {
	fyne.Canvas
	c *refreshCounter
}

func (c countingCanvas) Refresh(o fyne.CanvasObject) {
	c.c.n.Add(1)
	c.Canvas.Refresh(o)
}

// countRefreshes makes every canvas refresh until the test ends counted.
func countRefreshes(t *testing.T) *refreshCounter {
	prev := fyne.CurrentApp()
	c := &refreshCounter{App: prev}
	fyne.SetCurrentApp(c)
	t.Cleanup(func() { fyne.SetCurrentApp(prev) })
	return c
}

// A batch of events that changes nothing the Upload tab shows (a job's
// progress unchanged, the summary the same) refreshes no control: not the
// summary line, the buttons, the banners, the progress bar, nor the list
// and its rows. A batch that changes the summary refreshes it.
func TestQuietBatchRefreshesNothing(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	e.uploadOne("first.txt")
	a := e.a
	var job worker.Job
	e.ui(func() {
		v := a.upload
		require.NotEmpty(t, v.jobs)
		job = v.jobs[0]
		a.win.Canvas().Capture() // the rows drawn
	})
	c := countRefreshes(t)
	e.ui(func() {
		v := a.upload
		sum := v.sum
		v.apply([]worker.Event{{Kind: worker.JobChanged, Job: job, Summary: sum}})
		assert.Zero(t, c.n.Load(), "a batch that changes nothing refreshes nothing")

		sum.Failed++
		v.apply([]worker.Event{{Kind: worker.JobChanged, Job: job, Summary: sum}})
		assert.NotZero(t, c.n.Load(), "a new summary is shown")
		assert.Contains(t, v.summary.Text, "1 failed")
	})
}
