package worker

import (
	"context"
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Request is a file or a folder the person added, with where it should go.
// It is what the UI and the CLI hand to Queue.Add, before any walking.
type Request struct {
	// Path is the file or folder on this machine.
	Path string
	// FolderPath is the destination folder path on dStor (e.g. "/photos/");
	// empty means the account's root. Not together with ParentID.
	FolderPath string
	// ParentID is the destination folder id on dStor; nil means none. With
	// a folder, every file of it goes into this one folder (see the package
	// documentation).
	ParentID *int64
	// Comment is sent with every file of the request.
	Comment string
	// Again sends files even when the history has a verified upload of the
	// same version of them to the same place (otherwise such a file is not
	// sent again: its job is storage.JobAlready, with that upload's hash).
	Again bool
	// ExpectSHA256, when set, is the SHA-256 the file must have (64 hex
	// digits, any case): a file that differs fails before any byte is sent
	// (api.UploadRequest.ExpectSHA256). Only for a file, not a folder.
	ExpectSHA256 string
}

// Job is a snapshot of one upload job for the UI and the CLI. It is a copy,
// safe to keep and to read from any goroutine, so views never share state
// with the worker.
type Job struct {
	// ID identifies the job (and its history entry) for Cancel, Retry, …
	ID string
	// Seq is the job's place in the list (the order jobs were added), the
	// cursor of JobsPage and JobsBefore; 0 for a job that could not be
	// saved.
	Seq int64
	// BatchID groups the jobs of one Add call.
	BatchID string
	// LocalPath is the file on this machine (a folder for an "empty folder"
	// or "cannot read the folder" skipped entry).
	LocalPath string
	// Name is the file name it is uploaded under.
	Name string
	// Size is the file's size in bytes.
	Size int64
	// FolderPath is the destination folder path ("" when none).
	FolderPath string
	// ParentID is the destination folder id (nil when none).
	ParentID *int64
	// Comment is sent with the file.
	Comment string
	// State is where the job is.
	State storage.JobState
	// Attempts counts upload attempts so far.
	Attempts int
	// Err is a human sentence: why it failed or was skipped, or the last
	// error while a retry is pending, or why it waits for sign-in.
	Err string
	// Reason is the same as a code the window words in its language, and
	// ReasonArg that code's one detail (see ReasonCode); Reason is empty
	// when there is none, and in jobs saved before codes existed (Err
	// then stands alone).
	Reason    ReasonCode
	ReasonArg string
	// Sent is how many bytes of the current attempt were sent (Size once
	// done).
	Sent int64
	// Speed is the upload speed in bytes per second, a moving average over
	// the last few seconds; 0 when not uploading.
	Speed float64
	// ETA is the estimated time left for the current attempt; 0 when
	// unknown.
	ETA time.Duration
	// Hash is the CID dStor answered, once done.
	Hash string
	// Verified is true once done with dStor's hash equal to the local CID.
	Verified bool
	// RetryAt, while a queued job waits a long time (10 s or more) before
	// its next attempt, for instance because dStor sent Retry-After, is
	// when that attempt starts; zero otherwise. Err then says so too, so a
	// long wait is never silent.
	RetryAt time.Time
	// QuietSince, while an uploading job's attempt has made no progress
	// for Config.StallNotice or more (dStor takes no more of the file, or
	// has all of it — Sent equals Size — and has not answered), is when it
	// last moved: its start or its last byte sent. Zero otherwise. A
	// JobChanged event is published when it is set and when it clears.
	QuietSince time.Time
	// AnswerBegun, while an uploading job's attempt waits, is true once
	// dStor's answer to its request has begun to arrive (its headers
	// came): a quiet upload (QuietSince) then waits for the rest of an
	// answer that stopped arriving, not for dStor to answer at all.
	AnswerBegun bool
	// StartedAt is when the current (or last) attempt started.
	StartedAt time.Time
	// FinishedAt is when the job reached done, failed, canceled or skipped.
	FinishedAt time.Time
	// Live is the last check of the link of a done job (Config.LiveLink);
	// zero until it is checked.
	Live storage.LiveCheck
	// PausedAt is how many bytes had been sent when Pause stopped this
	// job's upload partway (0: it was not stopped). It is queued again and
	// starts from the beginning on Resume: dStor's add cannot resume.
	PausedAt int64
}

// Summary counts the queue's jobs and bytes, so a window title, a tray icon
// or the CLI can show overall progress without walking the job list.
type Summary struct {
	// Total is the number of jobs in the list.
	Total int
	// Queued, Uploading, Done, Failed, Canceled, Skipped, Waiting and
	// Already count the jobs in each state (Waiting = waiting-sign-in,
	// Already = already uploaded, not sent again). Uploading includes, for
	// a moment, uploads dStor accepted that are being written to the
	// history: more than the concurrency, which bounds the uploads sent at
	// once.
	Queued, Uploading, Done, Failed, Canceled, Skipped, Waiting, Already int
	// BytesTotal is the size of every job that is or will be uploaded
	// (queued, uploading, waiting for sign-in or done).
	BytesTotal int64
	// BytesDone is the size of the done jobs plus the bytes sent so far by
	// the uploads in flight.
	BytesDone int64
	// Paused is true after Pause, until Resume.
	Paused bool
	// WaitingSignIn is true while the queue waits for SetTokens.
	WaitingSignIn bool
	// SignInErr is why the queue waits for sign-in when an upload found
	// out (it wraps ErrSignInRequired; an *api.AccountChangedError when a
	// renewed token named another account); nil otherwise.
	SignInErr error
	// Stalled, when not empty, is why no new upload starts for now: the
	// disk holding the database is full, and finished uploads wait to be
	// recorded (so none is ever sent twice). It says what to do.
	Stalled string
	// StalledDisk is the full disk behind Stalled, for a caller that words
	// it in its own language (the window); nil when Stalled is empty or
	// not about a full disk.
	StalledDisk *storage.DiskFullError
	// HistoryGone is the database file found deleted or replaced while
	// open: nothing written since reaches a history. With
	// Config.StopWhenHistoryGone no upload starts any more; nil while
	// the file is there.
	HistoryGone *storage.ReplacedError
	// Walking is true while added folders are still being listed.
	Walking bool
	// UploadLimit is the bandwidth limit of the uploads, in bytes per
	// second (0: none).
	UploadLimit int64
}

// job is the worker's own record of a job it holds in memory (see
// window.go). Everything in it is guarded by Queue.mu.
type job struct {
	row storage.JobRow

	sent       int64
	speed      float64
	eta        time.Duration
	startedAt  time.Time
	finishedAt time.Time
	firstStart time.Time // the first attempt's start, for the history

	run       uint64                  // incremented at each start: a stale upload goroutine sees it changed
	cancel    context.CancelCauseFunc // the running attempt's cancel, nil when not uploading
	finishing bool                    // the upload succeeded and waits to be written to history (persist.go)
	pausedRun uint64                  // the run Pause stopped: its goroutine queues it again
	pausedAt  int64                   // bytes sent when Pause stopped it (Job.PausedAt)
	live      storage.LiveCheck       // the link's last check (Job.Live)
	ready     bool                    // in Queue.ready
	delayed   bool                    // in Queue.delayed
	notBefore time.Time               // retry backoff: not before this (monotonic clock)
	retryAt   time.Time               // notBefore on the wall clock, for Job.RetryAt; zero when not announced
	removed   bool                    // no longer in the list
	unsaved   bool                    // InsertJobs failed: there is no row to update
	writing   bool                    // the persister is writing its row
	retire    bool                    // leaves memory once its row is written (window.go)

	// movedAt is when the running attempt last moved (its start, or a
	// byte sent), on the monotonic clock; quietSince is movedAt once the
	// attempt has been quiet for Config.StallNotice (Job.QuietSince), zero
	// otherwise; quietTimer checks for that (quiet.go).
	movedAt    time.Time
	quietSince time.Time
	quietTimer *time.Timer
	// answerBegun is Job.AnswerBegun: dStor's answer to the running
	// attempt's request began to arrive (quiet.go).
	answerBegun bool

	// progress sampling for Speed and coalescing of progress events
	sampleAt   time.Time
	sampleSent int64
	firstAt    time.Time // the attempt's first progress, for the speed's first speedWindow
	firstSent  int64
	lastEmit   time.Time
}

// countsBytes reports whether a job in state s is part of Summary.BytesTotal.
func countsBytes(s storage.JobState) bool {
	switch s {
	case storage.JobQueued, storage.JobUploading, storage.JobDone, storage.JobWaitingSignIn:
		return true
	}
	return false
}

func copyID(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// mutate applies f, which may change j's state, size or sent bytes, keeping
// the summary's counters right. Called with q.mu held.
func (q *Queue) mutate(j *job, f func()) {
	q.uncount(j)
	f()
	q.count(j)
}

func (q *Queue) count(j *job) {
	s := j.row.State
	q.counts[s]++
	if countsBytes(s) {
		q.bytesTotal += j.row.Size
	}
	switch s {
	case storage.JobDone:
		q.bytesDone += j.row.Size
	case storage.JobUploading:
		q.inflight += j.sent
	}
}

func (q *Queue) uncount(j *job) {
	s := j.row.State
	q.counts[s]--
	if countsBytes(s) {
		q.bytesTotal -= j.row.Size
	}
	switch s {
	case storage.JobDone:
		q.bytesDone -= j.row.Size
	case storage.JobUploading:
		q.inflight -= j.sent
	}
}

func (q *Queue) summaryLocked() Summary {
	c := q.counts
	total := 0
	for _, n := range c {
		total += n
	}
	return Summary{
		Total:         total,
		Queued:        c[storage.JobQueued],
		Uploading:     c[storage.JobUploading],
		Done:          c[storage.JobDone],
		Failed:        c[storage.JobFailed],
		Canceled:      c[storage.JobCanceled],
		Skipped:       c[storage.JobSkipped],
		Already:       c[storage.JobAlready],
		Waiting:       c[storage.JobWaitingSignIn],
		BytesTotal:    q.bytesTotal,
		BytesDone:     q.bytesDone + q.inflight,
		Paused:        q.paused,
		WaitingSignIn: q.signIn,
		SignInErr:     q.signInErr,
		Stalled:       q.stalled,
		StalledDisk:   q.stalledDisk,
		HistoryGone:   q.historyGone,
		Walking:       q.walkBusy || len(q.pendingAdds) > 0,
		UploadLimit:   q.client.UploadRate(),
	}
}

// snapshot is j as it is now.
func (q *Queue) snapshot(j *job) Job {
	out := q.snapshotRow(j.row)
	out.Sent, out.Speed, out.ETA = j.sent, j.speed, j.eta
	out.StartedAt, out.FinishedAt, out.PausedAt = j.startedAt, j.finishedAt, j.pausedAt
	out.Live = j.live
	if j.row.State == storage.JobQueued {
		out.RetryAt = j.retryAt
	}
	if j.row.State == storage.JobUploading {
		out.QuietSince, out.AnswerBegun = j.quietSince, j.answerBegun
	}
	return out
}

// snapshotRow is the job of a row not in memory, as the row says: a done
// job has sent its whole size, and a finished one finished when its row
// last changed.
func (q *Queue) snapshotRow(r storage.JobRow) Job {
	out := Job{
		ID:         r.ID,
		Seq:        r.Seq,
		BatchID:    r.BatchID,
		LocalPath:  r.LocalPath,
		Name:       r.Name,
		Size:       r.Size,
		FolderPath: r.FolderPath,
		ParentID:   copyID(r.ParentID),
		Comment:    r.Comment,
		State:      r.State,
		Attempts:   r.Attempts,
		Err:        r.Error,
		Reason:     ReasonCode(r.Reason),
		ReasonArg:  r.ReasonArg,
		Hash:       r.Hash,
		Verified:   r.Verified,
	}
	if r.State == storage.JobDone {
		out.Sent = r.Size
	}
	if r.State.Final() {
		out.FinishedAt = r.UpdatedAt
	}
	return out
}
