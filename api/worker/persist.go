package worker

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The queue's rows are written by one goroutine, the persister, so that
// Cancel, Retry or CancelAll on a thousand jobs never block the caller (the
// UI goroutine) on the disk. Each write stores the job's latest state, read
// at write time under the job's dbMu, so writes can never land out of order.
// FinishJob is the exception: the upload goroutine calls it itself, because a
// job must be in the history before it is shown as done.

// markDirty schedules j's row to be rewritten. Called with q.mu held.
func (q *Queue) markDirty(j *job) {
	if j.unsaved {
		return
	}
	q.dirty[j] = struct{}{}
	q.signalPersist()
}

func (q *Queue) signalPersist() {
	select {
	case q.persistWake <- struct{}{}:
	default:
	}
}

// persistLoop writes dirty rows until Close, then writes what is left.
func (q *Queue) persistLoop() {
	defer q.persistWG.Done()
	for {
		select {
		case <-q.persistWake:
			q.flushDB()
		case <-q.persistStop:
			q.flushDB()
			return
		}
	}
}

// flushDB writes every dirty row, then runs the pending deletes (after the
// writes, so a removed job's row already has the state the delete selects).
func (q *Queue) flushDB() {
	for {
		q.mu.Lock()
		dirty, deletes := q.dirty, q.deletes
		if len(dirty) == 0 && len(deletes) == 0 {
			if q.persisting {
				q.persisting = false
				q.broadcast() // Wait may be waiting for the rows
			}
			q.mu.Unlock()
			return
		}
		q.dirty = make(map[*job]struct{})
		q.deletes = nil
		q.persisting = true
		q.mu.Unlock()

		for j := range dirty {
			q.noteDBErr(q.writeJob(j))
		}
		if len(deletes) > 0 {
			slices.Sort(deletes)
			deletes = slices.Compact(deletes)
			if _, err := q.db.DeleteJobIDs(deletes...); err != nil {
				q.noteDBErr(fmt.Errorf("remove finished jobs: %w", err))
			}
		}
	}
}

// writeJob stores j's current state, re-inserting the row if it went
// missing (see Remove).
func (q *Queue) writeJob(j *job) error {
	j.dbMu.Lock()
	defer j.dbMu.Unlock()
	q.mu.Lock()
	row := j.row
	row.ParentID = copyID(row.ParentID)
	unsaved, removed := j.unsaved, j.removed
	q.mu.Unlock()
	if unsaved || row.State == storage.JobDone {
		return nil // no row to update, or FinishJob wrote it
	}
	err := q.db.UpdateJob(row.ID, row.State, row.Attempts, row.Error)
	switch {
	case err == nil, errors.Is(err, storage.ErrJobDone):
		return nil
	case errors.Is(err, storage.ErrNotFound) && removed:
		return nil // removed from the list: no row is the goal
	case errors.Is(err, storage.ErrNotFound):
		row.Hash, row.Verified = "", false
		row.CreatedAt, row.UpdatedAt = time.Time{}, time.Time{}
		err = q.db.InsertJobs([]storage.JobRow{row})
	}
	if err != nil {
		return fmt.Errorf("save job %s (%s): %w", row.Name, row.State, err)
	}
	return nil
}

func (q *Queue) noteDBErr(err error) {
	if err == nil {
		return
	}
	q.mu.Lock()
	if q.dbErr == nil {
		q.dbErr = err
	}
	q.mu.Unlock()
}
