package worker

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The queue in memory is a window, not the list.
//
// A job lives in the database from the moment it is listed; the queue holds
// in memory (Queue.active) only the jobs it is working on: the next few to
// start (Queue.ready, read windowSize at a time in the order they were added
// through storage.DB.QueuedJobs), the uploads in flight, the jobs waiting
// for a retry, and jobs whose latest change the persister has not written
// yet. A job that reaches a final state leaves memory once its row says so
// (retireLocked), so a queue of 100,000 files costs what a queue of 100
// does. The summary's counts cover every listed job: read once when the
// queue opens (storage.DB.JobCounts), then kept as jobs change, one by one
// in memory and by what each bulk change reports for the rows it moved.
//
// For a job held in memory the memory is right and the persister brings its
// row up to date; for any other job the row is right. Bulk changes (cancel
// all, retry failed, clear finished, sign-in) therefore act on the jobs in
// memory one by one and on all the others with one statement that leaves
// the jobs in memory out (storage.JobChange.Except).

// ErrQueueUnread is in every failed read of the queue's rows that a caller
// gets (errors.Is): a page of the list (JobsPage, JobsBefore), a job's row
// for a control (Cancel, Retry, UploadAgain, Remove, RemoveFailed), and the
// next jobs to upload still unread as the queue closes (Close). A read
// writes nothing, so nothing was changed and the same call may work a
// moment later: the window and the command line branch on it to say so in
// one sentence, whichever read it was.
var ErrQueueUnread = errors.New("the upload queue could not be read")

// QueueUnreadError is a failed read of the queue's rows: what was being
// read, and the database's error (Err), which the window's row that could
// not be read shows as its detail. It matches ErrQueueUnread.
type QueueUnreadError struct {
	What string // what was being read, e.g. "read the job to change"
	Err  error
}

func (e *QueueUnreadError) Error() string { return e.What + ": " + e.Err.Error() }

// Unwrap is the database's error, for errors.Is and errors.As on its cause
// (a replaced database, a busy one).
func (e *QueueUnreadError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrQueueUnread) hold for every QueueUnreadError.
func (e *QueueUnreadError) Is(target error) bool { return target == ErrQueueUnread }

// windowSize is how many queued jobs one read brings into memory.
const windowSize = 256

// refillRetry is how long the scheduler waits before reading the next
// window again after a read failed.
const refillRetry = time.Second

// refillLocked reads the next window of queued jobs after q.cursor into
// q.ready and reports whether the scheduler should look again (something
// was read, or the window changed while the database was read). Called with
// q.mu held; it releases it during the read.
func (q *Queue) refillLocked() bool {
	if q.exhausted {
		return false
	}
	gen, cursor := q.bulkGen, q.cursor
	q.refillLeft = make(map[string]bool)
	q.mu.Unlock()
	rows, err := q.db.QueuedJobs(q.env, q.account, storage.JobQueued, cursor, q.window)
	if q.afterRefill != nil {
		q.afterRefill()
	}
	q.mu.Lock()
	left := q.refillLeft
	q.refillLeft = nil
	// A failed read is no failed write (unreadLocked). The scheduler
	// reads again in refillRetry; Close reports it if it is still failing
	// then, as the jobs it could not read were not uploaded.
	q.refillErr = nil
	if err != nil {
		q.refillErr = q.unreadLocked("read the next jobs to upload", err)
	}
	if q.closed || err != nil {
		return false
	}
	if gen != q.bulkGen {
		return true // the rows may be stale: read again
	}
	for _, r := range rows {
		if left[r.ID] {
			// Canceled or removed while in memory, and written and gone
			// from memory since: the row read may still say queued, and
			// taking it would upload what the person canceled.
			return true // read again
		}
	}
	for _, r := range rows {
		q.cursor = max(q.cursor, r.Seq)
		if q.active[r.ID] != nil {
			continue // in memory already: retrying, or changed meanwhile
		}
		j := &job{row: r}
		q.active[r.ID] = j
		j.ready = true
		q.ready = append(q.ready, j)
	}
	if len(rows) < q.window {
		q.exhausted = true
	}
	return len(rows) > 0
}

// moreQueuedLocked tells the scheduler that the database may hold queued
// jobs it has not read: from startSeq on, or from the start (0) after a bulk
// change made jobs queued anywhere in the list.
func (q *Queue) moreQueuedLocked(startSeq int64) {
	q.bulkGen++
	q.cursor = min(q.cursor, max(startSeq-1, 0))
	q.exhausted = false
	q.wakeScheduler()
}

// retireLocked lets j leave memory once its row holds its latest state: at
// once, or when the persister has written it. Jobs that are running or
// waiting to start stay, and so do jobs without a row.
func (q *Queue) retireLocked(j *job) {
	if j.unsaved || j.removed || j.ready || j.delayed || j.row.State == storage.JobUploading {
		return // removed jobs leave once their row is gone (flushDB)
	}
	if _, dirty := q.dirty[j]; dirty || j.writing {
		j.retire = true
		return
	}
	if q.active[j.row.ID] == j {
		q.forgetLocked(j.row.ID)
	}
}

// forgetLocked lets the job with this id leave memory. Its row may have
// been read before it was written (a view's page): forgotten counts the
// jobs that left, so such a page is read again (snapshotRows).
func (q *Queue) forgetLocked(id string) {
	delete(q.active, id)
	if q.refillLeft != nil {
		q.refillLeft[id] = true
	}
	q.forgotten++
}

// activateLocked brings the job with this id into memory: the one there,
// or its row read from the database (nil when there is none, or it was
// cleared from the list). A failed read is returned (unreadLocked), for
// the person's control to say it did nothing.
func (q *Queue) activateLocked(id string) (*job, error) {
	if j := q.active[id]; j != nil {
		return j, nil
	}
	r, err := q.db.Job(id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, q.unreadLocked("read the job to change", err)
	}
	if r.Env != q.env || r.Account != q.account || r.Cleared {
		return nil, nil
	}
	j := &job{row: r}
	q.active[id] = j
	return j, nil
}

// unreadLocked is err, the database's failure to read the queue's rows
// for what, as the caller gets it: a *QueueUnreadError, the one error of
// every such read (a page of the list, a job's row for a control, the
// next jobs to upload). A read wrote nothing, so it is no failed write
// (dbErr, which Close reports); a database found deleted or replaced is
// still noted, as every use of it notes it. Called with q.mu held.
func (q *Queue) unreadLocked(what string, err error) error {
	q.noteGoneLocked(err)
	return &QueueUnreadError{What: what, Err: err}
}

// exceptLocked are the ids of the jobs in memory, which a bulk change must
// leave to the persister.
func (q *Queue) exceptLocked() []string {
	return slices.Collect(maps.Keys(q.active))
}

// changeStoredLocked applies c (From → To) to the rows of the jobs not in
// memory and moves the counts by what it changed. Called with q.mu held.
func (q *Queue) changeStoredLocked(c storage.JobChange) storage.StateCounts {
	c.Env, c.Account, c.Except = q.env, q.account, q.exceptLocked()
	moved, err := q.db.ChangeJobs(c)
	if err != nil {
		q.noteDBErrLocked(fmt.Errorf("change %v jobs to %s: %w", c.From, c.To, err))
		return nil
	}
	for s, n := range moved {
		q.countStored(s, -n.Jobs, -n.Bytes)
		q.countStored(c.To, n.Jobs, n.Bytes)
	}
	if len(moved) > 0 {
		q.bulkGen++
	}
	return moved
}

// clearStoredLocked takes the rows of the jobs not in memory in any of
// states out of the list (kept, marked cleared, for batches still being
// listed) and out of the counts.
func (q *Queue) clearStoredLocked(states ...storage.JobState) {
	gone, err := q.db.ClearJobs(q.env, q.account, states, q.exceptLocked(), slices.Collect(maps.Keys(q.liveBatches)))
	if err != nil {
		q.noteDBErrLocked(fmt.Errorf("clear finished jobs: %w", err))
		return
	}
	for s, n := range gone {
		q.countStored(s, -n.Jobs, -n.Bytes)
	}
}

// countStored moves the counts of state s by n jobs of bytes in all, for
// rows counted without a job in memory.
func (q *Queue) countStored(s storage.JobState, n int, bytes int64) {
	q.counts[s] += n
	if countsBytes(s) {
		q.bytesTotal += bytes
	}
	if s == storage.JobDone {
		q.bytesDone += bytes
	}
}

// Jobs returns a snapshot of every job in the list, in the order they were
// added. It reads the whole list from the database, so it costs O(n) time
// and memory: a view reads pages with JobsPage instead; tests use this.
// A page that cannot be read ends the list there, without an error: every
// caller is a test (none in the program) reading a database that answers
// (a test of failed reads calls JobsPage, which returns ErrQueueUnread), and
// an error here would add a check to each of its hundred-odd calls.
func (q *Queue) Jobs() []Job {
	out := q.savedJobs(1000)
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range q.active {
		if j.unsaved && !j.removed {
			out = append(out, q.snapshot(j)) // no row: listed last
		}
	}
	return out
}

// savedJobs returns the jobs that have rows, in the order they were added,
// read through JobsPage a page of size jobs at a time.
func (q *Queue) savedJobs(size int) []Job {
	var out []Job
	var after int64
	for {
		page, next, err := q.JobsPage(after, 0, size)
		if err != nil {
			return out // what could be read: see Jobs
		}
		out = append(out, page...)
		if len(page) < size {
			return out
		}
		after = next
	}
}

// JobsPage returns up to limit jobs of the list in the order they were
// added, skipping offset of them after the job whose Seq is afterSeq (0:
// from the start), and the Seq of the last one (the cursor of the next
// page). A job in memory is shown as it is now, the others as their rows
// say. Paging by a known row costs O(log n); an offset costs O(offset).
// It fails when the database cannot be read; the caller reads again later.
func (q *Queue) JobsPage(afterSeq int64, offset, limit int) ([]Job, int64, error) {
	var rows []storage.JobRow
	page, err := q.readPage(func() (err error) {
		rows, err = q.db.ListJobs(q.env, q.account, afterSeq, offset, limit)
		return err
	}, &rows)
	return page, lastSeq(rows, afterSeq), err
}

// JobsBefore returns up to limit jobs of the list added just before the job
// whose Seq is beforeSeq, in the order they were added: the page above a
// known row. It fails as JobsPage does.
func (q *Queue) JobsBefore(beforeSeq int64, limit int) ([]Job, error) {
	var rows []storage.JobRow
	return q.readPage(func() (err error) {
		rows, err = q.db.ListJobsBefore(q.env, q.account, beforeSeq, limit)
		return err
	}, &rows)
}

// pageReads bounds how many times readPage reads a page again because jobs
// left memory meanwhile; past it, a row may show a state a moment old.
const pageReads = 4

// readPage reads a page of rows (read, into *rows) and snapshots it. A job
// that left memory while the rows were read (finished, or removed) may have
// a row older than its last state, or one about to be deleted, so the page
// is read again then. A failed read is returned (unreadLocked), and the
// caller reads again.
func (q *Queue) readPage(read func() error, rows *[]storage.JobRow) ([]Job, error) {
	for i := 1; ; i++ {
		q.mu.Lock()
		gen := q.forgotten
		q.mu.Unlock()
		if err := read(); err != nil {
			q.mu.Lock()
			defer q.mu.Unlock()
			return nil, q.unreadLocked("list the queue", err)
		}
		if out, ok := q.snapshotRows(*rows, gen, i == pageReads); ok {
			return out, nil
		}
	}
}

// snapshotRows is the snapshot of each row, or of its job when it is in
// memory, and false when a job left memory since gen (the rows may be
// stale), unless anyway.
func (q *Queue) snapshotRows(rows []storage.JobRow, gen uint64, anyway bool) ([]Job, bool) {
	out := make([]Job, 0, len(rows))
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.forgotten != gen && !anyway {
		return nil, false
	}
	for _, r := range rows {
		if j := q.active[r.ID]; j != nil {
			if !j.removed {
				out = append(out, q.snapshot(j))
			}
			continue
		}
		out = append(out, q.snapshotRow(r))
	}
	return out, true
}

func lastSeq(rows []storage.JobRow, none int64) int64 {
	if len(rows) == 0 {
		return none
	}
	return rows[len(rows)-1].Seq
}
