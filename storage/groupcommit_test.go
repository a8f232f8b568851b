package storage

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Concurrent writes share transactions (withTxGrouped) yet each caller gets
// exactly its own result: failures of some never fail or undo the others.
func TestGroupCommitKeepsEachCallersResult(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(60, "group")
	require.NoError(t, d.InsertJobs(rows))
	stored, err := d.Jobs()
	require.NoError(t, err)
	require.Len(t, stored, len(rows))

	var wg sync.WaitGroup
	errs := make([]error, 90)
	for i := range errs {
		wg.Go(func() {
			switch {
			case i < 30: // finish
				row := stored[i]
				row.Hash, row.Verified, row.Attempts = fmt.Sprintf("QmHash%02d", i), true, 1
				errs[i] = d.FinishJob(row, HistoryEntry{Env: row.Env, Account: row.Account, LocalPath: row.LocalPath,
					Name: row.Name, Size: row.Size, Hash: row.Hash, Verified: true, FinishedAt: baseTime})
			case i < 60: // a state change
				errs[i] = d.UpdateJob(stored[i].ID, JobUploading, 1, "")
			default: // an unknown job: fails alone
				errs[i] = d.UpdateJob(fmt.Sprintf("no-such-job-%d", i), JobUploading, 1, "")
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i < 60 {
			assert.NoError(t, err, "write %d", i)
		} else {
			assert.ErrorIs(t, err, ErrNotFound, "write %d", i)
		}
	}
	after, err := d.Jobs()
	require.NoError(t, err)
	byID := map[string]JobRow{}
	for _, r := range after {
		byID[r.ID] = r
	}
	for i, r := range stored {
		got := byID[r.ID]
		if i < 30 {
			assert.Equal(t, JobDone, got.State, "job %d", i)
			assert.Equal(t, fmt.Sprintf("QmHash%02d", i), got.Hash)
		} else {
			assert.Equal(t, JobUploading, got.State, "job %d", i)
		}
	}
	n, err := d.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, 30, n)

	// Finishing a job twice (a retried finish) still records it once.
	row := stored[0]
	row.Hash = "QmHash00"
	require.NoError(t, d.FinishJob(row, HistoryEntry{Name: row.Name, Hash: row.Hash, FinishedAt: baseTime}))
	n, err = d.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, 30, n)
}

// Writes that pile up while a transaction runs are committed together, and
// a failing one among them (an unknown job) fails alone.
func TestGroupCommitBatchesAndIsolatesFailures(t *testing.T) {
	d := openTestDB(t)
	require.NoError(t, d.InsertJobs(sampleJobs(8, "pile")))
	stored, err := d.Jobs()
	require.NoError(t, err)

	const writers = 9 // 8 jobs and one unknown id
	var once sync.Once
	beforeGroup = func() {
		once.Do(func() { // hold the first batch until every writer waits
			// Polled: nothing tells when a writer joined the pile. The
			// bound only keeps a broken pile from hanging the test.
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				d.group.mu.Lock()
				n := len(d.group.pending)
				d.group.mu.Unlock()
				if n == writers {
					return
				}
			}
		})
	}
	t.Cleanup(func() { beforeGroup = nil })

	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() {
			id := "no-such-job"
			if i < len(stored) {
				id = stored[i].ID
			}
			errs[i] = d.UpdateJob(id, JobFailed, 2, fmt.Sprintf("error %d", i))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i < len(stored) {
			assert.NoError(t, err, "write %d", i)
		} else {
			assert.ErrorIs(t, err, ErrNotFound)
		}
	}
	after, err := d.Jobs()
	require.NoError(t, err)
	for _, r := range after {
		assert.Equal(t, JobFailed, r.State)
		assert.Equal(t, 2, r.Attempts)
	}
}
