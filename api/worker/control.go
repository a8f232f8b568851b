package worker

import (
	"slices"
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The person's controls: cancel, pause, retry, clear, the number of
// uploads at once and the sign-in. Each changes the jobs under q.mu and
// returns; the scheduler, the walker and the persister do the rest.

// Cancel stops one job: a queued or waiting job will not start, an upload in
// flight is aborted at once. The job becomes "canceled" (persisted) and is
// never written to the history. Finished jobs are left alone. It fails,
// changing nothing, when the job's row cannot be read, so the person hears
// the click did nothing and may try again.
func (q *Queue) Cancel(id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	j, err := q.activateLocked(id)
	if j != nil {
		q.cancelLocked(j)
		q.retireLocked(j)
	}
	return err
}

// CancelAll cancels every job that is not finished, and stops listing the
// folders added but not yet listed (forgetting them: the next start does
// not list them again), for a "Stop everything" button.
func (q *Queue) CancelAll() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	// The requests not listed yet are forgotten, in the database too;
	// their folder shares say they were stopped before their end.
	for _, c := range q.pendingAdds {
		c.dropped = true
		q.dropWalksLocked(c.batchID, c.walkIDs, storage.CutStopped)
	}
	q.giveUpShareLooksLocked(true) // the saver's, for the calls just forgotten
	if q.walkCall != nil {
		q.dropWalksLocked(q.walkCall.batchID, q.walkCall.walkIDs, storage.CutStopped)
	}
	q.pendingAdds = nil
	q.notListed = nil
	if q.walkCancel != nil {
		q.walkCancel()
	}
	q.cancelAllLocked()
}

// cancelAllLocked cancels every job not finished: those in memory one by
// one, the others with one statement.
func (q *Queue) cancelAllLocked() {
	for _, j := range q.active {
		q.cancelLocked(j)
		q.retireLocked(j)
	}
	q.changeStoredLocked(storage.JobChange{From: []storage.JobState{storage.JobQueued, storage.JobWaitingSignIn}, To: storage.JobCanceled})
	q.publish(JobsChanged, nil, false)
}

func (q *Queue) cancelLocked(j *job) {
	switch j.row.State {
	case storage.JobQueued, storage.JobWaitingSignIn:
	case storage.JobUploading:
		if j.finishing {
			return // it succeeded; the history entry is being written
		}
		if j.cancel != nil {
			j.cancel(errCanceled)
			j.cancel = nil
		}
	default:
		return
	}
	q.mutate(j, func() { j.row.State = storage.JobCanceled })
	none.set(&j.row)
	j.speed, j.eta = 0, 0
	j.finishedAt = q.now()
	q.markDirty(j)
	q.publish(JobChanged, j, false)
}

// Pause stops the uploads: none starts, and those in flight are stopped at
// once (no more bytes are sent) and go back to the queue. dStor's add
// cannot resume an upload partway, so each of those starts again from the
// beginning on Resume (Job.PausedAt tells how far it had got). An upload
// whose answer has already arrived is recorded as done. Jobs added while
// paused wait.
func (q *Queue) Pause() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.paused {
		return
	}
	q.paused = true
	for _, j := range q.active {
		if j.row.State == storage.JobUploading && !j.finishing && j.cancel != nil {
			j.pausedRun = j.run // its goroutine puts it back in the queue
			j.cancel(errPaused)
		}
	}
	q.publish(QueueChanged, nil, false)
}

// Resume lets queued jobs start again after Pause.
func (q *Queue) Resume() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || !q.paused {
		return
	}
	q.paused = false
	q.publish(QueueChanged, nil, false)
	q.wakeScheduler()
}

// MaxAttempts is how many times a job is tried before it fails
// (Config.MaxAttempts, or its default).
func (q *Queue) MaxAttempts() int { return q.maxAttempts }

// Paused reports whether Pause is in effect, for the pause button's state.
func (q *Queue) Paused() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.paused
}

// Retry queues a failed, canceled or already uploaded job again with a
// fresh attempt count. Done and skipped jobs are left alone (a skipped path, such as a symbolic
// link, would be skipped again; add it anew instead). It fails as Cancel
// does.
func (q *Queue) Retry(id string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return nil
	}
	j, err := q.activateLocked(id)
	if j != nil {
		q.retryLocked(j)
		q.retireLocked(j) // when there was nothing to retry
	}
	return err
}

// UploadAgain sends a file found already uploaded (storage.JobAlready)
// once more: a new upload with its own history entry. (Retry does the
// same; this name says what the window's button and --again mean.)
func (q *Queue) UploadAgain(id string) error { return q.Retry(id) }

// RetryFailed queues every failed job again, for a "Retry all" button.
func (q *Queue) RetryFailed() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	for _, j := range q.active {
		if j.row.State == storage.JobFailed {
			q.retryLocked(j)
		}
	}
	to, c := storage.JobQueued, none
	if q.signIn {
		to, c = storage.JobWaitingSignIn, q.signInCauseLocked()
	}
	moved := q.changeStoredLocked(storage.JobChange{From: []storage.JobState{storage.JobFailed}, To: to, Msg: c.text, Reason: string(c.code), ResetAttempts: true})
	if len(moved) > 0 {
		q.moreQueuedLocked(0)
		q.publish(JobsChanged, nil, false)
	}
}

func (q *Queue) retryLocked(j *job) {
	switch j.row.State {
	case storage.JobFailed, storage.JobCanceled, storage.JobAlready:
	default:
		return
	}
	state, c := storage.JobQueued, none
	if q.signIn {
		state, c = storage.JobWaitingSignIn, q.signInCauseLocked()
	}
	q.mutate(j, func() {
		j.row.State = state
		j.sent = 0
	})
	j.row.Attempts = 0
	c.set(&j.row)
	j.row.Hash, j.row.Verified = "", false
	j.speed, j.eta = 0, 0
	j.startedAt, j.finishedAt, j.firstStart = time.Time{}, time.Time{}, time.Time{}
	j.notBefore, j.retryAt = time.Time{}, time.Time{}
	j.unsaved = false // the persister re-inserts a missing row
	if state == storage.JobQueued {
		q.enqueueLocked(j)
	}
	q.markDirty(j)
	q.publish(JobChanged, j, false)
}

// ClearFinished removes done, canceled, skipped and already uploaded jobs
// from the list and their rows from the database (done ones stay in the
// history), so the saved queue never grows without bound. Failed jobs stay
// until retried or removed one by one, so no failure goes unseen. Jobs in
// memory go one by one (JobRemoved), the others with one statement
// (JobsChanged).
func (q *Queue) ClearFinished() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	finished := []storage.JobState{storage.JobDone, storage.JobCanceled, storage.JobSkipped, storage.JobAlready}
	for _, j := range q.active {
		if slices.Contains(finished, j.row.State) && !j.removed {
			q.dropLocked(j)
			q.deleteRowLocked(j)
		}
	}
	q.clearStoredLocked(finished...)
	q.publish(JobsChanged, nil, false)
	q.signalPersist()
}

// Remove takes one finished job (done, failed, canceled, skipped or already
// uploaded) out of the list and its row out of the database; cancel an
// active job first. It fails as Cancel does.
func (q *Queue) Remove(id string) error {
	_, _, err := q.remove(id, storage.JobState.Final)
	return err
}

// RemoveFailed takes job id out of the queue as Remove does (the window's
// Remove of a failed row), only when it failed: it returns the job as it
// was and true, or false when no failed job of this queue has that id. It
// fails as Cancel does.
func (q *Queue) RemoveFailed(id string) (Job, bool, error) {
	return q.remove(id, func(s storage.JobState) bool { return s == storage.JobFailed })
}

// remove takes job id out of the list and its row out of the database
// when its state is final and one it may remove, and returns the job as
// it was, and whether it did, or the failed read of its row.
func (q *Queue) remove(id string, may func(storage.JobState) bool) (Job, bool, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return Job{}, false, nil
	}
	j, err := q.activateLocked(id)
	if j == nil || j.removed {
		return Job{}, false, err
	}
	if !j.row.State.Final() || !may(j.row.State) {
		q.retireLocked(j)
		return Job{}, false, nil
	}
	was := q.snapshot(j)
	q.dropLocked(j)
	q.deleteRowLocked(j)
	q.signalPersist()
	return was, true, nil
}

// dropLocked takes j out of the list and the counts and tells subscribers;
// it leaves memory once its row is deleted (persist.go).
func (q *Queue) dropLocked(j *job) {
	q.uncount(j)
	j.removed = true
	q.publish(JobRemoved, j, false)
}

// SetConcurrency changes how many uploads run at once (clamped like
// Config.Concurrency). Lowering it lets uploads in flight finish.
func (q *Queue) SetConcurrency(n int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = clampConcurrency(n)
	if q.closed || n == q.concurrency {
		return
	}
	q.concurrency = n
	q.publish(QueueChanged, nil, false)
	q.wakeScheduler()
}

// SetUploadLimit changes the most bytes per second all uploads together
// may send (0: no limit), at once, for the uploads in flight too.
func (q *Queue) SetUploadLimit(bytesPerSecond int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || bytesPerSecond == q.client.UploadRate() {
		return
	}
	q.client.SetUploadRate(bytesPerSecond)
	q.publish(QueueChanged, nil, false)
}

// SetTokens replaces the token source after the person signed in (or
// switched from a password to an API key): jobs waiting for sign-in are
// queued again and the queue goes on. nil puts the queue in "waiting for
// sign-in".
func (q *Queue) SetTokens(ts TokenSource) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	q.tokens = ts
	q.signInErr = nil
	if ts == nil {
		q.enterSignInLocked()
		return
	}
	if !q.signIn {
		return
	}
	q.signIn = false
	for _, j := range q.active {
		if j.row.State != storage.JobWaitingSignIn {
			continue
		}
		q.mutate(j, func() { j.row.State = storage.JobQueued })
		none.set(&j.row)
		q.enqueueLocked(j)
		q.markDirty(j)
		q.publish(JobChanged, j, false)
	}
	if moved := q.changeStoredLocked(storage.JobChange{From: []storage.JobState{storage.JobWaitingSignIn}, To: storage.JobQueued}); len(moved) > 0 {
		q.publish(JobsChanged, nil, false)
	}
	q.moreQueuedLocked(0)
	q.publish(QueueChanged, nil, false)
}

// enterSignInLocked stops the queue for sign-in: every queued job waits,
// and those in memory leave it (SetTokens reads them again).
func (q *Queue) enterSignInLocked() {
	changed := !q.signIn
	q.signIn = true
	c := q.signInCauseLocked()
	for _, j := range q.ready {
		j.ready = false
	}
	for _, j := range q.delayed {
		j.delayed = false
	}
	q.ready, q.delayed = nil, nil
	for _, j := range q.active {
		if j.row.State == storage.JobQueued {
			q.mutate(j, func() { j.row.State = storage.JobWaitingSignIn })
			c.set(&j.row)
			q.markDirty(j)
			q.publish(JobChanged, j, false)
		}
		q.retireLocked(j)
	}
	if moved := q.changeStoredLocked(storage.JobChange{From: []storage.JobState{storage.JobQueued}, To: storage.JobWaitingSignIn, Msg: c.text, Reason: string(c.code)}); len(moved) > 0 {
		q.publish(JobsChanged, nil, false)
	}
	if changed {
		q.publish(QueueChanged, nil, false)
	}
}
