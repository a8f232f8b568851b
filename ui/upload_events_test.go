package ui

import (
	"fmt"
	"testing"

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
