package worker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Defaults of Config. How many uploads run at once is a setting, bounded
// by storage.MinConcurrency and storage.MaxConcurrency (the window's
// slider, the CLI's --concurrency and the queue check the same numbers).
const (
	// DefaultMaxAttempts is how many times a job is tried before it fails.
	DefaultMaxAttempts = 5
	// DefaultBaseBackoff is the first retry's maximum wait.
	DefaultBaseBackoff = time.Second
	// DefaultMaxBackoff caps the exponential backoff between retries.
	DefaultMaxBackoff = time.Minute
	// MaxRetryAfter caps how long a server's Retry-After can hold a job.
	MaxRetryAfter = 5 * time.Minute
	// DefaultProgressInterval is the least time between two progress events
	// of one job: about four a second, plenty for a progress bar.
	DefaultProgressInterval = 250 * time.Millisecond
)

// ErrClosed is returned by Wait when the queue is closed, so a caller waiting
// for the uploads to finish is not left hanging at shutdown.
var ErrClosed = errors.New("the upload queue is closed")

// errCanceled and errClosing are the causes given to an upload's context,
// so its goroutine knows why it stopped.
var (
	errCanceled = errors.New("upload canceled")
	errClosing  = errors.New("upload queue closing")
	errPaused   = errors.New("uploads paused")
)

// Config sets up a Queue. Client and DB are required; the rest has defaults,
// so the UI and the CLI only set what the person chose.
type Config struct {
	// Client uploads the files.
	Client *api.Client
	// DB persists the queue and the history. The queue does not close it.
	DB *storage.DB
	// Tokens gives the token for each upload; nil means "not signed in
	// yet": jobs wait for sign-in until SetTokens.
	Tokens TokenSource
	// Env and Account are recorded in every job row and history entry; the
	// queue only loads the unfinished jobs of this environment and account.
	Env, Account string
	// Concurrency is how many uploads run at once (0: storage.DefaultConcurrency;
	// at most storage.MaxConcurrency).
	Concurrency int
	// MaxAttempts is how many times a job is tried before it fails
	// (default 5).
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the wait before a retry: a random
	// duration up to BaseBackoff·2^(attempt-1), capped at MaxBackoff
	// (defaults 1 s and 60 s). A Retry-After from the server wins, up to
	// MaxRetryAfter.
	BaseBackoff, MaxBackoff time.Duration
	// ProgressInterval is the least time between two progress events of one
	// job (default 250 ms).
	ProgressInterval time.Duration
	// Now is the clock for recorded times and speeds; nil means time.Now.
	Now func() time.Time
}

// Queue is the persisted upload queue. All its methods are safe for
// concurrent use and return quickly (no network or disk work happens on the
// caller's goroutine except in New, Wait and Close), so the UI can call
// them directly.
type Queue struct {
	client           *api.Client
	db               *storage.DB
	env, account     string
	maxAttempts      int
	baseBackoff      time.Duration
	maxBackoff       time.Duration
	progressInterval time.Duration
	now              func() time.Time

	ctx    context.Context // canceled by Close; parent of every upload
	cancel context.CancelCauseFunc

	mu          sync.Mutex
	tokens      TokenSource
	closed      bool
	paused      bool
	signIn      bool // waiting for SetTokens
	concurrency int
	running     int // upload goroutines alive

	jobs    []*job // in add order
	byID    map[string]*job
	ready   []*job // queued jobs that may start, FIFO (lazy: stale entries are skipped)
	delayed []*job // queued jobs in retry backoff

	counts     map[storage.JobState]int
	bytesTotal int64
	bytesDone  int64 // sizes of done jobs
	inflight   int64 // bytes sent by running uploads

	pendingAdds []*addCall
	walkBusy    bool
	walkCancel  context.CancelFunc
	walkCall    *addCall // the call being listed

	// Walk rows (see persist.go): requests saved before they are listed.
	walkSaves   []*addCall          // calls whose walk rows are not written yet
	walkDrops   []walkDrop          // walk rows to delete
	walkSaving  bool                // the walk saver is writing
	liveWalks   map[string]string   // walk id → batch id, for walk rows not deleted yet
	liveBatches map[string]int      // batch id → its walk rows not deleted yet
	heldDeletes map[string][]string // batch id → job rows to delete once its walk rows are gone

	subs    map[*subscriber]struct{}
	changed chan struct{} // closed and replaced at every state change (for Wait)

	lock *storage.QueueLock // this account's queue is ours while we run

	dirty      map[*job]struct{} // jobs whose row must be rewritten
	deletes    []string          // ids of rows to delete
	dbErr      error             // first failed persist, reported by Close
	persisting bool              // the persister is writing a batch

	wake      chan struct{} // scheduler
	walkWake  chan struct{}
	persister *writeBehind // job rows (flushDB)
	walkSaver *writeBehind // walk rows (saveWalks)

	workers   sync.WaitGroup // scheduler, walker, uploads
	subsWG    sync.WaitGroup
	closeDone chan struct{}
	closeErr  error
}

// New opens the queue of cfg.Env and cfg.Account on cfg.DB: it requeues jobs
// a crash left "uploading" (storage.DB.RequeueInterrupted), loads the
// unfinished jobs (queued, uploading, waiting for sign-in) of this
// environment and account, and starts uploading them. Files and folders
// whose listing a crash, a kill or Close interrupted (storage.DB.Walks) are
// listed again in the background, adding only the files their batch has no
// job for yet. Jobs that waited for sign-in are tried again with
// cfg.Tokens. Failed, canceled and skipped jobs of earlier runs are listed
// again, so a failure stays visible and retryable after a restart; done
// jobs are in the history, so their queue rows are dropped here and the
// saved queue never grows without bound.
func New(cfg Config) (*Queue, error) {
	if cfg.Client == nil {
		return nil, errors.New("worker: Config.Client is nil")
	}
	if cfg.DB == nil {
		return nil, errors.New("worker: Config.DB is nil")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxBackoff < cfg.BaseBackoff {
		cfg.MaxBackoff = cfg.BaseBackoff
	}
	if cfg.ProgressInterval <= 0 {
		cfg.ProgressInterval = DefaultProgressInterval
	}

	// One process at a time runs an account's queue: otherwise a second
	// one (the CLI while the window is open) would take the first one's
	// in-flight jobs for interrupted ones and upload them again.
	lock, err := cfg.DB.LockQueue(cfg.Env, cfg.Account)
	if err != nil {
		return nil, err
	}
	q, err := load(cfg, lock)
	if err != nil {
		lock.Release()
		return nil, err
	}
	q.persister.start()
	q.walkSaver.start()
	q.workers.Add(2)
	go q.schedule()
	go q.walker()
	return q, nil
}

// load reads the account's saved queue into a new Queue (not started yet).
func load(cfg Config, lock *storage.QueueLock) (*Queue, error) {
	if _, err := cfg.DB.RequeueInterruptedOf(cfg.Env, cfg.Account); err != nil {
		return nil, fmt.Errorf("worker: requeue interrupted uploads: %w", err)
	}
	walks, err := cfg.DB.Walks(cfg.Env, cfg.Account)
	if err != nil {
		return nil, fmt.Errorf("worker: load the folders being listed: %w", err)
	}
	walkBatches := make(map[string]bool)
	for _, w := range walks {
		walkBatches[w.BatchID] = true
	}
	rows, err := cfg.DB.Jobs()
	if err != nil {
		return nil, fmt.Errorf("worker: load the queue: %w", err)
	}
	var doneIDs []string
	for _, r := range rows {
		// A done row of a batch still being listed stays until the
		// listing ends: it tells the listing the file is uploaded.
		if r.State == storage.JobDone && r.Env == cfg.Env && r.Account == cfg.Account && !walkBatches[r.BatchID] {
			doneIDs = append(doneIDs, r.ID)
		}
	}
	if _, err := cfg.DB.DeleteJobIDs(doneIDs...); err != nil {
		return nil, fmt.Errorf("worker: drop finished jobs: %w", err)
	}

	q := &Queue{
		client:           cfg.Client,
		db:               cfg.DB,
		env:              cfg.Env,
		account:          cfg.Account,
		maxAttempts:      cfg.MaxAttempts,
		baseBackoff:      cfg.BaseBackoff,
		maxBackoff:       cfg.MaxBackoff,
		progressInterval: cfg.ProgressInterval,
		now:              cfg.Now,
		tokens:           cfg.Tokens,
		signIn:           cfg.Tokens == nil,
		concurrency:      clampConcurrency(cfg.Concurrency),
		byID:             make(map[string]*job),
		counts:           make(map[storage.JobState]int),
		subs:             make(map[*subscriber]struct{}),
		changed:          make(chan struct{}),
		dirty:            make(map[*job]struct{}),
		liveWalks:        make(map[string]string),
		liveBatches:      make(map[string]int),
		heldDeletes:      make(map[string][]string),
		wake:             make(chan struct{}, 1),
		walkWake:         make(chan struct{}, 1),
		closeDone:        make(chan struct{}),
		lock:             lock,
	}
	q.ctx, q.cancel = context.WithCancelCause(context.Background())
	q.persister = newWriteBehind(q.flushDB)
	q.walkSaver = newWriteBehind(q.saveWalks)

	for _, r := range rows {
		if r.Env != cfg.Env || r.Account != cfg.Account || r.State == storage.JobDone {
			continue
		}
		j := &job{row: r}
		if r.State.Final() { // failed, canceled, skipped: listed, not run
			q.jobs = append(q.jobs, j)
			q.byID[r.ID] = j
			q.count(j)
			continue
		}
		want := storage.JobQueued
		if q.signIn {
			want = storage.JobWaitingSignIn
		}
		if j.row.State != want {
			j.row.State = want
			j.row.Error = ""
			if want == storage.JobWaitingSignIn {
				j.row.Error = msgSignIn
			}
			q.dirty[j] = struct{}{}
		}
		q.jobs = append(q.jobs, j)
		q.byID[r.ID] = j
		q.count(j)
		if want == storage.JobQueued {
			j.ready = true
			q.ready = append(q.ready, j)
		}
	}

	q.resumeWalks(walks, rows)

	if len(q.dirty) > 0 {
		q.signalPersist()
	}
	return q, nil
}

// resumeWalks queues again, for the walker, the requests whose listing was
// interrupted, one call per batch in the order they were added, each
// skipping the local paths its batch already has rows for (rows: every job
// row, read before anything was deleted).
func (q *Queue) resumeWalks(walks []storage.WalkRow, rows []storage.JobRow) {
	if len(walks) == 0 {
		return
	}
	calls := make(map[string]*addCall)
	for _, w := range walks {
		c := calls[w.BatchID]
		if c == nil {
			c = &addCall{batchID: w.BatchID, saved: true, skip: make(map[string]bool)}
			calls[w.BatchID] = c
			q.pendingAdds = append(q.pendingAdds, c)
		}
		c.reqs = append(c.reqs, Request{Path: w.Path, FolderPath: w.FolderPath, ParentID: copyID(w.ParentID), Comment: w.Comment,
			ExpectSHA256: w.ExpectSHA256})
		c.walkIDs = append(c.walkIDs, w.ID)
		q.liveWalks[w.ID] = w.BatchID
		q.liveBatches[w.BatchID]++
	}
	for _, r := range rows {
		if c := calls[r.BatchID]; c != nil && r.Env == q.env && r.Account == q.account {
			c.skip[r.LocalPath] = true
		}
	}
}

// clampConcurrency bounds n to the settings' limits; 0 or less means the
// default.
func clampConcurrency(n int) int {
	switch {
	case n <= 0:
		return storage.DefaultConcurrency
	case n > storage.MaxConcurrency:
		return storage.MaxConcurrency
	}
	return n
}

// Jobs returns a snapshot of every job in the list, in the order they were
// added, for a view's initial fill or the CLI's final report.
func (q *Queue) Jobs() []Job {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Job, len(q.jobs))
	for i, j := range q.jobs {
		out[i] = q.snapshot(j)
	}
	return out
}

// Job returns a snapshot of one job, and false when no job has that id (or
// it was removed).
func (q *Queue) Job(id string) (Job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j := q.byID[id]
	if j == nil {
		return Job{}, false
	}
	return q.snapshot(j), true
}

// Summary returns the queue's counts and bytes now, for a status line.
func (q *Queue) Summary() Summary {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.summaryLocked()
}

// Cancel stops one job: a queued or waiting job will not start, an upload in
// flight is aborted at once. The job becomes "canceled" (persisted) and is
// never written to the history. Finished jobs are left alone.
func (q *Queue) Cancel(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j := q.byID[id]; j != nil && !q.closed {
		q.cancelLocked(j)
	}
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
	// The requests not listed yet are forgotten, in the database too.
	for _, c := range q.pendingAdds {
		q.dropWalksLocked(c.batchID, c.walkIDs)
	}
	if q.walkCall != nil {
		q.dropWalksLocked(q.walkCall.batchID, q.walkCall.walkIDs)
	}
	q.pendingAdds = nil
	if q.walkCancel != nil {
		q.walkCancel()
	}
	for _, j := range q.jobs {
		q.cancelLocked(j)
	}
	q.publish(QueueChanged, nil, false)
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
	j.row.Error = ""
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
	for _, j := range q.jobs {
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

// Paused reports whether Pause is in effect, for the pause button's state.
func (q *Queue) Paused() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.paused
}

// Retry queues a failed, canceled or already uploaded job again with a
// fresh attempt count. Done and skipped jobs are left alone (a skipped path, such as a symbolic
// link, would be skipped again; add it anew instead).
func (q *Queue) Retry(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j := q.byID[id]; j != nil && !q.closed {
		q.retryLocked(j)
	}
}

// UploadAgain sends a file found already uploaded (storage.JobAlready)
// once more: a new upload with its own history entry. (Retry does the
// same; this name says what the window's button and --again mean.)
func (q *Queue) UploadAgain(id string) { q.Retry(id) }

// RetryFailed queues every failed job again, for a "Retry all" button.
func (q *Queue) RetryFailed() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	for _, j := range q.jobs {
		if j.row.State == storage.JobFailed {
			q.retryLocked(j)
		}
	}
}

func (q *Queue) retryLocked(j *job) {
	switch j.row.State {
	case storage.JobFailed, storage.JobCanceled, storage.JobAlready:
	default:
		return
	}
	state, msg := storage.JobQueued, ""
	if q.signIn {
		state, msg = storage.JobWaitingSignIn, msgSignIn
	}
	q.mutate(j, func() {
		j.row.State = state
		j.sent = 0
	})
	j.row.Attempts = 0
	j.row.Error = msg
	j.row.Hash, j.row.Verified = "", false
	j.speed, j.eta = 0, 0
	j.startedAt, j.finishedAt, j.firstStart = time.Time{}, time.Time{}, time.Time{}
	j.notBefore = time.Time{}
	j.unsaved = false // the persister re-inserts a missing row
	if state == storage.JobQueued {
		q.enqueueLocked(j)
	}
	q.markDirty(j)
	q.publish(JobChanged, j, false)
}

// ClearFinished removes done, canceled and skipped jobs from the list and
// their rows from the database (done ones stay in the history), so the saved
// queue never grows without bound. Failed jobs stay until retried or removed
// one by one, so no failure goes unseen.
func (q *Queue) ClearFinished() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	keep := q.jobs[:0]
	var removed []*job
	for _, j := range q.jobs {
		switch j.row.State {
		case storage.JobDone, storage.JobCanceled, storage.JobSkipped, storage.JobAlready:
			removed = append(removed, j)
		default:
			keep = append(keep, j)
		}
	}
	clear(q.jobs[len(keep):])
	q.jobs = keep
	for _, j := range removed {
		q.dropLocked(j)
	}
	for _, j := range removed {
		q.deleteRowLocked(j)
	}
	q.signalPersist()
}

// Remove takes one finished job (done, failed, canceled or skipped) out of
// the list and its row out of the database; cancel an active job first.
func (q *Queue) Remove(id string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j := q.byID[id]
	if j == nil || q.closed || !j.row.State.Final() {
		return
	}
	if i := slices.Index(q.jobs, j); i >= 0 {
		q.jobs = slices.Delete(q.jobs, i, i+1)
	}
	q.dropLocked(j)
	q.deleteRowLocked(j)
	q.signalPersist()
}

// dropLocked forgets j (already taken out of q.jobs) and tells subscribers.
func (q *Queue) dropLocked(j *job) {
	q.uncount(j)
	delete(q.byID, j.row.ID)
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
	if ts == nil {
		q.enterSignInLocked()
		return
	}
	if !q.signIn {
		return
	}
	q.signIn = false
	for _, j := range q.jobs {
		if j.row.State != storage.JobWaitingSignIn {
			continue
		}
		q.mutate(j, func() { j.row.State = storage.JobQueued })
		j.row.Error = ""
		q.enqueueLocked(j)
		q.markDirty(j)
		q.publish(JobChanged, j, false)
	}
	q.publish(QueueChanged, nil, false)
	q.wakeScheduler()
}

// enterSignInLocked stops the queue for sign-in: every queued job waits.
func (q *Queue) enterSignInLocked() {
	changed := !q.signIn
	q.signIn = true
	for _, j := range q.jobs {
		if j.row.State != storage.JobQueued {
			continue
		}
		q.mutate(j, func() { j.row.State = storage.JobWaitingSignIn })
		j.row.Error = msgSignIn
		q.markDirty(j)
		q.publish(JobChanged, j, false)
	}
	if changed {
		q.publish(QueueChanged, nil, false)
	}
}

// Wait blocks until nothing is queued, uploading or being listed, and every
// job's row is written, for the CLI. It returns nil then (failed jobs included: check Summary), an error
// wrapping ErrSignInRequired when what is left waits for sign-in, ErrClosed
// when the queue was closed, or ctx's error. While paused with jobs queued it
// keeps waiting.
func (q *Queue) Wait(ctx context.Context) error {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return ErrClosed
		}
		idle, err := q.idleLocked()
		ch := q.changed
		q.mu.Unlock()
		if idle {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func (q *Queue) idleLocked() (bool, error) {
	if q.walkBusy || len(q.pendingAdds) > 0 || q.running > 0 || q.counts[storage.JobUploading] > 0 {
		return false, nil
	}
	if q.persisting || len(q.dirty) > 0 || len(q.deletes) > 0 {
		return false, nil // rows not written yet
	}
	if q.walkSaving || len(q.walkSaves) > 0 || len(q.walkDrops) > 0 {
		return false, nil // walk rows not written or deleted yet
	}
	if q.signIn && q.counts[storage.JobWaitingSignIn]+q.counts[storage.JobQueued] > 0 {
		return true, ErrSignInRequired
	}
	return q.counts[storage.JobQueued] == 0, nil
}

// Close stops the queue: no new uploads start, uploads in flight are aborted
// and their rows stay "uploading" (not canceled) so that the next New on the
// database uploads them again, folders not yet listed (or listed in part)
// stay saved so that the next New lists them, pending row updates are
// written, every goroutine ends and subscriber channels are closed. It does
// not close the database. It returns the first error met while writing the
// queue to the database, if any. Calling it again returns the same result.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		<-q.closeDone
		return q.closeErr
	}
	q.closed = true
	q.pendingAdds = nil
	q.broadcast()
	subs := q.subs
	q.subs = make(map[*subscriber]struct{})
	q.mu.Unlock()

	q.cancel(errClosing)
	q.workers.Wait()
	// The walk saver first: its last round may hand job rows to delete to
	// the persister.
	q.walkSaver.close()
	q.persister.close()
	for s := range subs {
		s.close()
	}
	q.subsWG.Wait()

	q.mu.Lock()
	q.closeErr = q.dbErr
	q.mu.Unlock()
	if err := q.lock.Release(); err != nil && q.closeErr == nil {
		q.closeErr = fmt.Errorf("worker: release the queue lock: %w", err)
	}
	close(q.closeDone)
	return q.closeErr
}

// enqueueLocked makes a queued job eligible to start.
func (q *Queue) enqueueLocked(j *job) {
	if !j.ready {
		j.ready = true
		q.ready = append(q.ready, j)
	}
	q.wakeScheduler()
}

func (q *Queue) wakeScheduler() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
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
	return Summary{
		Total:         len(q.jobs),
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
		Walking:       q.walkBusy || len(q.pendingAdds) > 0,
	}
}

func (q *Queue) snapshot(j *job) Job {
	r := &j.row
	out := Job{
		ID:         r.ID,
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
		Sent:       j.sent,
		Speed:      j.speed,
		ETA:        j.eta,
		Hash:       r.Hash,
		Verified:   r.Verified,
		StartedAt:  j.startedAt,
		FinishedAt: j.finishedAt,
		PausedAt:   j.pausedAt,
	}
	if (r.State == storage.JobDone || r.State == storage.JobAlready) && r.Hash != "" {
		out.Link = q.link(r.Hash)
	}
	return out
}

// link is the shareable gateway link of hash in the client's environment.
func (q *Queue) link(hash string) string { return q.client.Environment().Link(hash) }
