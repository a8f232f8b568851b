package worker

import (
	"cmp"
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
	// DefaultStallNotice is how long an upload may make no progress before
	// its job says so (Job.QuietSince).
	DefaultStallNotice = 30 * time.Second
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
	// AccountID is the dStor account the tokens name (their sub), when
	// known. One account is filed under its email when signed in with its
	// password and under this id with its API key: the queue's lock is
	// taken for the id too, so the two never run at once.
	AccountID string
	// Concurrency is how many uploads run at once (0: storage.DefaultConcurrency;
	// at most storage.MaxConcurrency).
	Concurrency int
	// UploadLimit is the most bytes per second all uploads together may
	// send (0: no limit); it becomes Client's limit (api.Client.SetUploadRate).
	UploadLimit int64
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
	// StallNotice is how long an upload may make no progress — dStor takes
	// no more of the file, or has all of it and has not answered — before
	// its job says so (Job.QuietSince; default DefaultStallNotice). It only
	// tells: the client's timeouts decide when an attempt gives up.
	StallNotice time.Duration
	// Now is the clock for recorded times and speeds; nil means time.Now.
	Now func() time.Time
	// LiveLink, when set, turns on the live check (live.go): after each
	// verified upload, one ranged GET of the file's first bytes through
	// the link LiveLink gives (a gateway URL; "" skips the check), on its
	// own goroutine — it never holds the queue. The result goes to the
	// history entry (storage.DB.SetLiveOfJob) and out as a LinkChecked
	// event.
	LiveLink func(hash, name string) string
	// Paused starts the queue paused: nothing uploads until Resume, so a
	// caller can subscribe before any job (one left by an earlier run) can
	// finish unseen.
	Paused bool
	// PrintsResults is set by a caller that prints each finished upload and
	// marks it printed itself (storage.DB.MarkReported), the command line:
	// a finished job's row then says unreported until it is marked, so a
	// run killed before printing leaves the result for the next one.
	// Otherwise (the window, which shows it) a finished job is written
	// reported.
	PrintsResults bool
	// StopWhenHistoryGone is set by a caller that shows its results only
	// on screen (the window): once the database file is found deleted or
	// replaced while open (storage.ErrDatabaseReplaced), no new upload
	// starts, so files are not uploaded by the thousand with their links
	// recorded nowhere. The uploads running then finish (their links are
	// kept: Unrecorded); Summary.HistoryGone says why nothing starts, and
	// Wait returns the *storage.ReplacedError once none runs. Without it
	// (the command line, which prints every link) the queue goes on.
	StopWhenHistoryGone bool
	// Locked, when set, is called once the account's queue is this
	// process's (its lock taken) and before the saved rows are brought up
	// to date for this run (finished jobs dropped): the command line
	// prints there what an earlier run finished and never printed, which
	// only then is an earlier run's (not a live one's). An error from it
	// releases the lock and is New's.
	Locked func() error

	// window is how many queued jobs one read brings into memory (0:
	// windowSize); tests make it small to cross windows with few files.
	window int
	// maxUnrecorded is how many answered uploads may wait to be recorded
	// before no upload starts (0: the constant maxUnrecorded); tests make
	// it small.
	maxUnrecorded int
	// flushEvery is how long a folder's listing keeps the rows it listed
	// before it writes them (0: the constant flushEvery); a test makes it
	// long so that a small folder's listing writes its rows once, at its
	// end, however slow the machine.
	flushEvery time.Duration
	// beforeListedRows, when set, is called by a folder's listing before
	// it writes each group of rows (the count of groups so far, and the
	// rows in this one), so tests can fill the disk in the middle of a
	// listing, or know which files a listing has not saved yet.
	beforeListedRows func(group, rows int)
	// beforeListingEntry, when set, is called by a folder's listing with
	// each entry it meets, first thing in its look at the entry, off the
	// walker's goroutine (walkLook), and the listing looks whether it was
	// stopped after it: so tests can stop a listing between two groups
	// of rows, or hold it at an entry as a drive that stopped answering
	// holds that look (the listing saves what it found meanwhile, and
	// Close gives up on the look).
	beforeListingEntry func(path string)
	// beforeListingFolder, when set, is called by a folder's listing with
	// the folder, before it looks at it, so tests can change the disk
	// between the request's look at its path and the listing.
	beforeListingFolder func(root string)
	// checkFile, when set, stands for storage.DB.CheckFile (the window's
	// queue) or storage.DB.CheckIndex (the command line's) where the
	// scheduler looks at the history before a start, so tests can make
	// that look hang or fail.
	checkFile func() error
	// afterRefill, when set, is called by the scheduler each time it has
	// read a window of queued rows, before it takes them, so tests can
	// change jobs while the rows read are a moment old.
	afterRefill func()
	// beforeGoneCheck, when set, is called with the file of an upload
	// that failed for want of it, before the queue looks whether it is
	// gone from its folder, so tests can put it back in between.
	beforeGoneCheck func(path string)
}

// Queue is the persisted upload queue. All its methods are safe for
// concurrent use and return quickly (no network or disk work happens on the
// caller's goroutine except in New, Wait and Close), so the UI can call
// them directly.
type Queue struct {
	client           *api.Client
	db               *storage.DB
	env, account     string
	otherNames       []string // the account's other names, whose uploads count as its own (namesOf)
	maxAttempts      int
	baseBackoff      time.Duration
	maxBackoff       time.Duration
	progressInterval time.Duration
	stallNotice      time.Duration
	now              func() time.Time
	printsResults    bool         // Config.PrintsResults
	stopWhenGone     bool         // Config.StopWhenHistoryGone
	checkFile        func() error // looks at the history before a start (Config.checkFile, else storage.DB.CheckFile or CheckIndex)

	ctx    context.Context // canceled by Close; parent of every upload
	cancel context.CancelCauseFunc

	// The jobs and their counts (job.go), changed by the person's controls
	// (control.go) and by the uploads, all under mu.
	mu          sync.Mutex
	tokens      TokenSource
	closed      bool
	paused      bool
	signIn      bool                   // waiting for SetTokens
	signInErr   error                  // why, when an upload found out (Summary.SignInErr); else nil
	stalled     string                 // why no upload may start (the persister holds rows that met a full disk), for Summary.Stalled; "" when none
	stalledDisk *storage.DiskFullError // the full disk of stalled, for Summary.StalledDisk
	historyGone *storage.ReplacedError // the database file found deleted or replaced (historyGoneLocked); nil while it is there
	concurrency int
	active      map[string]*job // by id: the jobs in memory (window.go)
	forgotten   uint64          // how many jobs have left memory (forgetLocked)

	// The counts of every listed job, in memory or not.
	counts     map[storage.JobState]int
	bytesTotal int64
	bytesDone  int64 // sizes of done jobs
	inflight   int64 // bytes sent by running uploads

	queueSchedule    // which job starts next (schedule.go, window.go)
	queueWalks       // the files and folders added, listed in the background (walk.go)
	queuePersistence // job rows and walk rows written behind (persist.go)
	queueLiveChecks  // the live check of new links (live.go)
	queueEvents      // the subscribers and what they are told (events.go)

	workers   sync.WaitGroup // scheduler, walker, uploads
	subsWG    sync.WaitGroup
	closeDone chan struct{}
	closeErr  error
}

// queueSchedule is the Queue's scheduling (schedule.go): which job starts
// next, from a window of the queued jobs read from the database
// (window.go). Under Queue.mu.
type queueSchedule struct {
	wake      chan struct{}
	running   int         // upload goroutines alive
	uploaders chan func() // unbuffered: the upload goroutines waiting for the next attempt take it (goUpload)
	ready     []*job      // queued jobs that may start, FIFO (lazy: stale entries are skipped)
	delayed   []*job      // queued jobs in retry backoff
	window    int         // how many queued jobs one read brings in (Config.window)
	cursor    int64       // the next window is read after this seq
	exhausted bool        // no queued row after cursor, until something is queued
	refillErr error       // the last window read failed: try again in refillRetry (nil when it worked)
	bulkGen   uint64      // bumped by every bulk change, so a window read across one is read again
	// refillLeft, while a window is being read, holds the ids of the jobs
	// that left memory meanwhile (forgetLocked): their rows read may be
	// older than their state, so a window holding one is read again.
	refillLeft      map[string]bool
	afterRefill     func()            // Config.afterRefill
	beforeGoneCheck func(path string) // Config.beforeGoneCheck
}

// queueWalks is the Queue's walking (walk.go): the files and folders
// added, listed one call at a time in the background. Under Queue.mu.
type queueWalks struct {
	walkWake    chan struct{}
	pendingAdds []*addCall
	walkBusy    bool
	walkCancel  context.CancelFunc
	walkCall    *addCall // the call being listed
	// listFull is the full disk that keeps the listing's rows waiting
	// (flush), nil when none; Summary.Stalled names it.
	listFull error
	// flushEvery is Config.flushEvery, or the constant.
	flushEvery time.Duration
	// beforeListedRows is Config.beforeListedRows.
	beforeListedRows func(group, rows int)
	// beforeListingEntry is Config.beforeListingEntry.
	beforeListingEntry func(path string)
	// beforeListingFolder is Config.beforeListingFolder.
	beforeListingFolder func(root string)
}

// queuePersistence is the Queue's persistence (persist.go): job rows and
// walk rows written behind the callers' backs, by one goroutine each.
// Under Queue.mu.
type queuePersistence struct {
	lock          *storage.QueueLock  // this account's queue is ours while we run
	persister     *writeBehind        // job rows (flushDB)
	dirty         map[*job]struct{}   // jobs whose row must be rewritten
	deletes       []string            // ids of rows to delete
	clears        []string            // ids of rows to mark cleared (their batch is being listed)
	purgeCleared  bool                // a batch's listing ended: delete its cleared rows
	finishes      []finish            // uploads dStor accepted, to record
	unrecorded    int                 // uploads accepted and not recorded yet (finishes and the round writing them)
	maxUnrecorded int                 // no upload starts while this many are unrecorded (Config.maxUnrecorded)
	dbErr         error               // first failed persist, reported by Close
	lost          []storage.JobFinish // uploads accepted that the deleted or replaced database could not record (Unrecorded)
	notListed     []storage.WalkRow   // files and folders added once the database was gone, kept unlisted (NotListed)
	persisting    bool                // the persister is writing a batch
	persistFull   error               // the full disk that keeps the persister's rows pending, nil when none
	dropFull      error               // the full disk that keeps the walk rows of listed requests, nil when none

	walkSaver   *writeBehind      // walk rows (saveWalks): requests saved before they are listed
	walkSaves   []*addCall        // calls whose walk rows are not written yet
	walkDrops   []walkDrop        // walk rows to delete
	walkSaving  bool              // the walk saver is writing
	shareStop   chan struct{}     // closed to give up the walk saver's looks for shares (giveUpShareLooksLocked)
	liveWalks   map[string]string // walk id → batch id, for walk rows not deleted yet
	liveBatches map[string]int    // batch id → its walk rows not deleted yet
	// unsavedWalks are the walk ids whose row a full disk refused, until
	// their request is listed to its end; unsavedWalkErr is that refusal,
	// which Close reports while any is left (walkRowsRefusedLocked).
	unsavedWalks   map[string]bool
	unsavedWalkErr error
}

// queueLiveChecks is the Queue's live checks (live.go): at most
// maxLiveChecks at once, their results written behind by the live saver.
type queueLiveChecks struct {
	liveLink  func(hash, name string) string
	liveSlots chan struct{}
	liveSaver *writeBehind // checks' results (saveLive)
	liveFound []liveFound  // checks finished, not written yet; under Queue.mu
}

// queueEvents is the Queue's events (events.go): its subscribers and the
// signals of a change and of closing.
type queueEvents struct {
	subs    map[*subscriber]struct{}
	serial  uint64        // of the last event published
	closing chan struct{} // closed when Close starts: a publisher waiting for a reader gives up
	closeMu sync.Once
	changed chan struct{} // closed and replaced at every state change (for Wait)
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
	if cfg.StallNotice <= 0 {
		cfg.StallNotice = DefaultStallNotice
	}

	// One process at a time runs an account's queue: otherwise a second
	// one (the CLI while the window is open) would take the first one's
	// in-flight jobs for interrupted ones and upload them again, and the
	// same account signed in another way would upload the same files.
	lock, err := cfg.DB.LockQueue(cfg.Env, cfg.Account, cfg.AccountID)
	if err != nil {
		return nil, err
	}
	if cfg.Locked != nil {
		if err := cfg.Locked(); err != nil {
			lock.Release()
			return nil, err
		}
	}
	q, err := load(cfg, lock)
	if err != nil {
		lock.Release()
		return nil, err
	}
	q.otherNames = otherNames(cfg)
	cfg.Client.SetUploadRate(cfg.UploadLimit)
	q.persister.start()
	q.walkSaver.start()
	q.liveSaver.start()
	q.workers.Add(2)
	go q.schedule()
	go q.walker()
	return q, nil
}

// otherNames are the names the account of cfg is filed under besides
// cfg.Account, noting this one first: one dStor account is filed under its
// email when signed in with its password and under its id with its API
// key, and a file either uploaded is already uploaded for the other. A
// note or a read that fails costs no more than a second upload of a file.
func otherNames(cfg Config) []string {
	if cfg.AccountID == "" {
		return nil
	}
	_ = cfg.DB.NoteAccountID(cfg.Env, cfg.Account, cfg.AccountID)
	names, _ := cfg.DB.AccountNames(cfg.Env, cfg.AccountID)
	return slices.DeleteFunc(names, func(n string) bool { return n == cfg.Account })
}

// Job returns a snapshot of one job, and false when no job has that id (or
// it was removed).
func (q *Queue) Job(id string) (Job, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j := q.active[id]; j != nil {
		return q.snapshot(j), !j.removed
	}
	r, err := q.db.Job(id)
	if err != nil || r.Env != q.env || r.Account != q.account || r.Cleared {
		return Job{}, false
	}
	return q.snapshotRow(r), true
}

// Summary returns the queue's counts and bytes now, for a status line.
func (q *Queue) Summary() Summary {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.summaryLocked()
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

// writesPendingLocked reports whether the queue has database writes to
// make or under way: job rows, cleared rows, finished uploads, walk rows.
// Wait is not idle before they are done, and a test that makes the
// database fail must wait for them, or fail one of them. Called with q.mu
// held.
func (q *Queue) writesPendingLocked() bool {
	return q.persisting || len(q.dirty) > 0 || len(q.deletes) > 0 || len(q.clears) > 0 || q.purgeCleared || len(q.finishes) > 0 ||
		q.walkSaving || len(q.walkSaves) > 0 || len(q.walkDrops) > 0
}

func (q *Queue) idleLocked() (bool, error) {
	if q.walkBusy || len(q.pendingAdds) > 0 || q.running > 0 || q.counts[storage.JobUploading] > 0 {
		return false, nil
	}
	if q.writesPendingLocked() {
		return false, nil
	}
	if q.goneLocked() {
		return true, q.historyGone // nothing starts any more
	}
	if q.signIn && q.counts[storage.JobWaitingSignIn]+q.counts[storage.JobQueued] > 0 {
		if q.signInErr != nil {
			return true, q.signInErr
		}
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
// queue to the database, if any, else the read of the next jobs to upload
// when it was still failing. Calling it again returns the same result.
func (q *Queue) Close() error {
	q.closeMu.Do(func() { close(q.closing) }) // before q.mu: a publisher may hold it, waiting for a reader
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
	q.liveSaver.close() // the checks that finished, before the subscribers go
	// The walk saver first: its last round may hand job rows to delete to
	// the persister. Its looks for shares get a moment, then are given up
	// (a drive that stopped answering): not on q.ctx, which ended above,
	// so that every drive that answers still gives its shares.
	giveUp := time.AfterFunc(shareLookGrace, func() {
		q.mu.Lock()
		defer q.mu.Unlock()
		q.giveUpShareLooksLocked(false)
	})
	q.walkSaver.close()
	giveUp.Stop()
	q.persister.close()
	for s := range subs {
		s.close()
	}
	q.subsWG.Wait()

	q.mu.Lock()
	q.closeErr = cmp.Or(q.dbErr, q.refillErr, q.unsavedWalkErr)
	q.mu.Unlock()
	if err := q.lock.Release(); err != nil && q.closeErr == nil {
		q.closeErr = fmt.Errorf("worker: release the queue lock: %w", err)
	}
	close(q.closeDone)
	return q.closeErr
}
