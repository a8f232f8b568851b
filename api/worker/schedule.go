package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// speedWindow is the time constant of the speed's moving average: long
// enough to smooth TCP's bursts, short enough to follow a real change.
const speedWindow = 2500 * time.Millisecond

// speedSample is the least time between two speed samples.
const speedSample = 200 * time.Millisecond

// schedule starts queued jobs while slots are free, reading them from the
// database a window at a time (refillLocked), and wakes for retries whose
// backoff ended. It is the only goroutine that starts uploads.
func (q *Queue) schedule() {
	defer q.workers.Done()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		next := q.promoteLocked(time.Now())
		q.startReadyLocked()
		if q.refillErr != nil && (next == 0 || next > refillRetry) {
			next = refillRetry
		}
		q.mu.Unlock()

		var fire <-chan time.Time
		if next > 0 {
			timer.Reset(next)
			fire = timer.C
		}
		select {
		case <-q.wake:
		case <-fire:
		case <-q.ctx.Done():
			return
		}
		timer.Stop()
	}
}

// startReadyLocked starts ready jobs, refilling the ready list from the
// database, while a slot is free and nothing holds the queue (paused,
// waiting for sign-in, stalled, the history gone). Jobs canceled while
// they waited leave; those still backing off wait again. Until it is found
// gone, the history is looked at before each start (lookAtFileLocked),
// with q.mu released, whoever runs the queue: the window stops at a
// deleted file (its three files looked at: CheckFile), and every queue at
// a deleted -shm (goneLocked; the command line looks at that alone:
// CheckIndex), before the next upload rather than after the next write,
// which trails the uploads by up to maxUnrecorded of them.
func (q *Queue) startReadyLocked() {
	looked := false // since the last start
	for q.running < q.concurrency && q.unrecorded < q.maxUnrecorded && !q.paused && !q.signIn && q.stalled == "" && !q.goneLocked() {
		if len(q.ready) == 0 {
			if !q.refillLocked() {
				break
			}
			continue // q.mu was released: look again
		}
		if !looked && q.mayStillStopLocked() {
			if !q.lookAtFileLocked() {
				break
			}
			looked = true
			continue // q.mu was released: look again
		}
		j := q.ready[0]
		q.ready[0] = nil
		q.ready = q.ready[1:]
		j.ready = false
		if j.removed || j.row.State != storage.JobQueued {
			q.retireLocked(j) // canceled or changed while it waited
			continue
		}
		if time.Now().Before(j.notBefore) {
			q.delayLocked(j)
			continue
		}
		q.startLocked(j)
		looked = false
	}
	if len(q.ready) == 0 {
		q.ready = nil // let the backing array go
	}
}

// goneLocked reports whether no upload may start because the database
// file was found deleted or replaced (Config.StopWhenHistoryGone), or its
// -shm was, whoever runs the queue: the reads of what is left to upload
// (the next jobs, the counts) then fail (storage.ReplacedError.SharedMemory),
// so a queue that went on waited, forever, for queued jobs no read
// brought; it stops taking work instead, and Wait returns once what runs
// has ended.
func (q *Queue) goneLocked() bool {
	return q.historyGone != nil && (q.stopWhenGone || q.historyGone.SharedMemory)
}

// mayStillStopLocked reports whether a look at the history may yet find
// what stops the queue: nothing found yet, or the -wal's loss alone, after
// which the run goes on and the -shm may go later (storage.DB's
// shmGoneSince), which stops it as when it goes first (goneLocked).
func (q *Queue) mayStillStopLocked() bool {
	return q.historyGone == nil || (q.historyGone.Journal && !q.historyGone.SharedMemory)
}

// lookAtFileLocked looks at the history (q.checkFile: storage.DB.CheckFile,
// or CheckIndex) so that the first upload not to start once it is
// deleted or replaced is the next one, not the one after the next write
// fails; it records a file found gone (historyGoneLocked). Called with q.mu
// held, it releases it during the look: a stat of a folder on a hung
// network share or a slow disk can take long, and every method of the
// queue (the UI's among them) would wait that long for q.mu. The look
// runs off the scheduler's goroutine (offlocal.Until), given up when the
// queue's ctx ends: on a data folder that stopped answering it never
// returned, and Close, which waits for the scheduler, never ended (the
// command line's first Ctrl+C, the window's quit). The look left behind
// touches nothing Close ends: CheckFile only stats the paths and stores
// what it found in the DB's atomic. It reports false when the queue was
// closed meanwhile.
func (q *Queue) lookAtFileLocked() bool {
	q.mu.Unlock()
	err, _ := offlocal.Until(q.ctx, nil, q.checkFile) // given up: nil, and q.closed says why
	q.mu.Lock()
	var gone *storage.ReplacedError
	if errors.As(err, &gone) {
		q.historyGoneLocked(gone)
	}
	return !q.closed
}

// promoteLocked moves delayed jobs whose backoff ended to the ready list and
// returns how long until the next one ends (0: none waiting).
func (q *Queue) promoteLocked(now time.Time) time.Duration {
	var next time.Duration
	keep := q.delayed[:0]
	for _, j := range q.delayed {
		if j.removed || j.row.State != storage.JobQueued {
			j.delayed = false
			q.retireLocked(j)
			continue
		}
		if wait := j.notBefore.Sub(now); wait > 0 {
			keep = append(keep, j)
			if next == 0 || wait < next {
				next = wait
			}
			continue
		}
		j.delayed = false
		if !j.ready {
			j.ready = true
			q.ready = append(q.ready, j)
		}
	}
	clear(q.delayed[len(keep):])
	q.delayed = keep
	return next
}

// delayLocked puts a queued job in backoff until j.notBefore.
func (q *Queue) delayLocked(j *job) {
	addOnce(&q.delayed, j, &j.delayed)
	q.wakeScheduler()
}

// addOnce appends j to list unless its flag says it is there already.
func addOnce(list *[]*job, j *job, in *bool) {
	if !*in {
		*in = true
		*list = append(*list, j)
	}
}

// startLocked marks j uploading and starts its upload goroutine.
func (q *Queue) startLocked(j *job) {
	j.run++
	q.mutate(j, func() {
		j.row.State = storage.JobUploading
		j.sent = 0
	})
	j.row.Attempts++
	none.set(&j.row)
	j.pausedAt = 0
	j.speed, j.eta = 0, 0
	j.retryAt = time.Time{}
	j.startedAt, j.finishedAt = q.now(), time.Time{}
	if j.firstStart.IsZero() {
		j.firstStart = j.startedAt
	}
	j.sampleAt, j.sampleSent, j.lastEmit = time.Time{}, 0, time.Time{}
	j.firstAt, j.firstSent = time.Time{}, 0
	ctx, cancel := context.WithCancelCause(q.ctx)
	j.cancel = cancel
	quiet := q.watchQuietLocked(j)
	q.running++
	q.markDirty(j)
	q.publish(JobChanged, j, false)

	row := j.row
	row.ParentID = copyID(row.ParentID)
	ts := q.tokens
	gen := j.run
	started := j.firstStart
	q.workers.Add(1)
	q.goUpload(func() {
		defer q.workers.Done()
		defer cancel(nil)
		res, err := q.attempt(ctx, j, gen, row, ts)
		quiet.Stop()
		if err == nil {
			q.complete(j, gen, row, res, started)
		} else {
			q.fail(j, gen, q.goneFromItsFolder(ctx, row, err))
		}
		q.mu.Lock()
		q.running--
		if q.running == 0 {
			q.persister.hurryUp() // nothing more to gather: record what waits now
		}
		q.broadcast()
		q.wakeScheduler()
		q.mu.Unlock()
	})
}

// goUpload runs an upload attempt on a goroutine that ran one before and
// now waits for the next (an uploader), or on a new one when none waits.
// An upload goes deep into net/http: a new goroutine's stack grew two or
// three times for each small file (copied each time: 3 to 4 % of the CPU
// of an upload of many small files), while an uploader keeps the stack it
// grew. About as many uploaders wait as uploads ran at once (a few more
// when one is still on its way back as the next upload starts); they end
// with the queue (Close).
func (q *Queue) goUpload(run func()) {
	select {
	case q.uploaders <- run: // an uploader was waiting: it runs it
	default:
		q.workers.Add(1)
		go q.uploader(run)
	}
}

// uploader runs run, then each attempt goUpload hands it, until the queue
// closes.
func (q *Queue) uploader(run func()) {
	defer q.workers.Done()
	for {
		run()
		select {
		case run = <-q.uploaders:
		case <-q.ctx.Done():
			return
		}
	}
}

// attempt gets a token and uploads once; after a 401 it asks for a fresh
// token and uploads again (the same attempt: the file was never accepted).
func (q *Queue) attempt(ctx context.Context, j *job, gen uint64, row storage.JobRow, ts TokenSource) (api.UploadResult, error) {
	if ts == nil {
		return api.UploadResult{}, ErrSignInRequired
	}
	tok, err := ts.Token(ctx, false)
	if err != nil {
		return api.UploadResult{}, err
	}
	req := api.UploadRequest{
		Path:         row.LocalPath, // Name left empty: the client makes the local name sendable
		FolderPath:   row.FolderPath,
		ParentID:     row.ParentID,
		Comment:      row.Comment,
		Beneath:      row.Beneath, // a folder's file: no link followed, only the file listed
		Listed:       api.FileIdentity{ID: row.FileID},
		AddedAt:      row.CreatedAt, // links made since then lead elsewhere than chosen
		ExpectSHA256: row.ExpectSHA256,
		Progress:     func(sent, total int64) { q.progress(j, gen, sent, total) },
		Answering:    func() { q.answering(j, gen) },
	}
	res, err := q.client.Upload(ctx, tok, req)
	if err != nil && ctx.Err() == nil && (errors.Is(err, api.ErrUnauthorized) || errors.Is(err, api.ErrTokenExpired)) {
		if tok, err = ts.Token(ctx, true); err != nil {
			return api.UploadResult{}, err
		}
		q.requestAgain(j, gen)
		res, err = q.client.Upload(ctx, tok, req)
		if _, mints := ts.(*renewingTokens); mints && errors.Is(err, api.ErrTokenExpired) {
			// A token this source minted a moment ago, judged on dStor's
			// clock, and refused as expired: signing in again would change
			// nothing. The sentence names the computer's clock when dStor's
			// differs, else says dStor refused its own fresh token.
			err = api.FreshTokenUnusable(tok, time.Now(), err)
		}
	}
	return res, err
}

// complete hands a successful upload to the persister, which records the
// job done and its history entry in one transaction, exactly once per job,
// and only then shows it as done (settleFinish). The upload's slot is free
// as soon as this returns.
func (q *Queue) complete(j *job, gen uint64, row storage.JobRow, res api.UploadResult, started time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.run != gen || j.row.State != storage.JobUploading || j.finishing {
		return // canceled meanwhile: the person asked for it not to count
	}
	j.finishing = true
	now := q.now()
	row.Attempts = j.row.Attempts
	row.State = storage.JobDone
	row.Hash = res.Hash
	row.Verified = res.Verified
	row.Size = res.FileSize
	none.set(&row)
	row.Reported = !q.printsResults
	rec := storage.JobFinish{Row: row, History: historyEntry(row, res, started, now)}
	q.finishes = append(q.finishes, finish{j: j, rec: rec, res: res, at: now})
	q.unrecorded++
	q.signalPersist()
	if q.unrecorded >= q.maxUnrecorded {
		q.persister.hurryUp() // no upload may start until these are recorded
	}
}

// historyEntry is the history's entry of the upload res of row, done at
// now.
func historyEntry(row storage.JobRow, res api.UploadResult, started, now time.Time) storage.HistoryEntry {
	return storage.HistoryEntry{
		JobID:      row.ID,
		Env:        row.Env,
		Account:    row.Account,
		LocalPath:  row.LocalPath,
		Name:       cmp.Or(res.Name, row.Name), // the name sent, never the server's
		ServerName: res.ServerName,
		Size:       res.FileSize,
		Hash:       res.Hash,
		Verified:   res.Verified,
		FolderPath: row.FolderPath,
		ParentID:   copyID(row.ParentID),
		Comment:    row.Comment,
		StartedAt:  started,
		FinishedAt: now,
		Attempts:   row.Attempts,
		File:       fileVersion(res.Identity),
		SHA256:     res.SHA256,
		// A folder's file keeps its folder and Add call: the history
		// shares the folder's files as one.
		AddedFolder: row.Beneath,
		BatchID:     row.BatchID,
	}
}

// fail handles an attempt's error: retry later, wait for sign-in, or fail.
func (q *Queue) fail(j *job, gen uint64, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.run != gen || j.row.State != storage.JobUploading {
		return // canceled by the person: already recorded
	}
	j.cancel = nil
	if q.closed {
		return // Close: the row stays "uploading" and the next start resumes it
	}
	if j.pausedRun == gen {
		q.requeuePausedLocked(j)
		return
	}
	var mismatch *api.HashMismatchError
	switch {
	case errors.Is(err, ErrSignInRequired):
		q.waitSignInLocked(j, err)
	case errors.As(err, &mismatch):
		q.failLocked(j, cause{ReasonHashMismatch, mismatch.Remote + " " + mismatch.Local,
			fmt.Sprintf("integrity check failed: dStor answered the hash %s but the file's hash is %s; the upload was not recorded", mismatch.Remote, mismatch.Local)})
	case errors.Is(err, api.ErrHashMismatch):
		q.failLocked(j, cause{ReasonHashMismatch, "", "integrity check failed: dStor answered a hash different from the file's own; the upload was not recorded"})
	case errors.Is(err, api.ErrNotListedFile):
		// A link or another file where the listed one was: skipped,
		// never uploaded, and retrying would not change that.
		q.finishLocked(j, storage.JobSkipped, causeOf(err))
	case errors.Is(err, errGoneFromFolder):
		// As if gone before the listing: its folder no longer holds it.
		q.finishLocked(j, storage.JobSkipped, causeGoneFromFolder)
	case errors.Is(err, errBackInPlace) && j.row.Attempts < q.maxAttempts:
		q.retryLaterLocked(j, 0, causeChangedRetry) // replaced as it was opened
	case errors.Is(err, errBackInPlace):
		q.failLocked(j, causeChanged(j.row.Attempts))
	case api.Gone(err):
		// Trying again cannot help until the file is back.
		q.failLocked(j, causeFileGone(err))
	case errors.Is(err, api.ErrFileChanged) && j.row.Attempts < q.maxAttempts:
		// What was sent is not one version of the file: send it again,
		// whole, once it has settled.
		q.retryLaterLocked(j, 0, causeChangedRetry)
	case errors.Is(err, api.ErrFileChanged):
		q.failLocked(j, causeChanged(j.row.Attempts))
	case api.Retryable(err) && j.row.Attempts < q.maxAttempts:
		q.retryLaterLocked(j, api.RetryAfter(err), causeOf(err))
	case api.Retryable(err):
		c := causeOf(err)
		c.text = fmt.Sprintf("%s (gave up after %d attempts)", c.text, j.row.Attempts)
		q.failLocked(j, c)
	default:
		q.failLocked(j, causeOfFailed(err))
	}
}

// errGoneFromFolder marks the error of an upload whose file is gone from
// the folder it was listed in, while that folder is still there;
// errBackInPlace one whose file was missing when the upload opened it but
// is back at its path when the queue looks.
var (
	errGoneFromFolder = errors.New("the file is no longer in its folder")
	errBackInPlace    = errors.New("the file was missing when it was opened, and is back")
)

// goneFromItsFolder is err, an upload's of row, marked errGoneFromFolder
// when the file is gone (deleted, or moved away) from the folder it was
// listed in (row.Beneath) and that folder is still there: such a file is
// skipped by design, as one gone while the folder was listed, since a
// retry could never send it and the folder's list is whole without it.
// A folder gone too (moved, a drive removed) leaves err as it is: its
// files fail, for Retry failed once it is back, as do those of a drive
// that was mounted in it and removed (driveGone). A file back at its path
// by then (moved aside for a moment and put back, as a sync or backup tool
// may) is marked errBackInPlace: the folder holds it, so it is sent
// again, as a file that changed while it was read; another file written
// in its place (an editor that saves by moving the file aside and writing
// it anew) is then told apart from the one listed, as any replaced file.
// Called on the upload's goroutine, not under the queue's lock: it asks
// the file system, off that goroutine (offlocal.Until), since on a share
// that stopped answering the looks block for good, and the queue's Close
// (the window's quit) and a Cancel of the job waited for them. When ctx
// (the upload's) ends first, err is left as it is: the job was canceled,
// paused, or stays for the next queue (fail sorts it out), and the looks
// left behind touch nothing but the file system (row is a copy).
func (q *Queue) goneFromItsFolder(ctx context.Context, row storage.JobRow, err error) error {
	if row.Beneath == "" || !api.Gone(err) {
		return err
	}
	mark, ok := offlocal.Until(ctx, nil, func() error { return q.whyGone(row) })
	if !ok || mark == nil {
		return err
	}
	return fmt.Errorf("%w: %w", mark, err)
}

// whyGone is goneFromItsFolder's looks at the file of row, missing when
// its upload opened it: errGoneFromFolder, errBackInPlace, or nil when
// neither (its folder or its drive gone too).
func (q *Queue) whyGone(row storage.JobRow) error {
	if q.beforeGoneCheck != nil {
		q.beforeGoneCheck(row.LocalPath)
	}
	if fi, statErr := os.Stat(row.Beneath); statErr != nil || !fi.IsDir() {
		return nil
	}
	if _, statErr := os.Lstat(row.LocalPath); statErr == nil {
		return errBackInPlace
	}
	if driveGone(row) {
		return nil
	}
	return errGoneFromFolder
}

// driveGone reports whether the drive the file of row was listed on is no
// longer mounted where it was (a memory card pulled out, a share
// unmounted): the nearest folder of the file still there, up to its
// added folder (row.Beneath), is on another device than the one its
// listed identity names. Its files are then not gone from their folder.
func driveGone(row storage.JobRow) bool {
	dir := filepath.Dir(row.LocalPath)
	for len(dir) > len(row.Beneath) {
		if _, err := os.Stat(dir); err == nil {
			break
		}
		dir = filepath.Dir(dir)
	}
	on, known := api.OnDeviceOf(dir, row.FileID)
	return known && !on
}

// waitSignInLocked puts j, which never reached the server, back to wait
// for a sign-in, and holds the queue until SetTokens; err (wrapping
// ErrSignInRequired) says why.
func (q *Queue) waitSignInLocked(j *job, err error) {
	if !q.signIn && err != ErrSignInRequired {
		q.signInErr = err
	}
	q.mutate(j, func() {
		j.row.State = storage.JobWaitingSignIn
		j.sent = 0
	})
	j.row.Attempts-- // it never reached the server
	q.signInCauseLocked().set(&j.row)
	j.speed, j.eta = 0, 0
	q.markDirty(j)
	q.publish(JobChanged, j, false)
	q.enterSignInLocked()
}

// announceWait is the least wait before a retry that is announced with the
// time it ends (Job.RetryAt and the sentence), so a long pause is never
// silent.
const announceWait = 10 * time.Second

// retryLaterLocked queues j again after a backoff (the server's
// retryAfter when it gave one), showing c meanwhile; a long wait is
// announced with the time it ends (Job.RetryAt, and in c's sentence).
func (q *Queue) retryLaterLocked(j *job, retryAfter time.Duration, c cause) {
	j.speed, j.eta = 0, 0
	wait := q.backoff(j.row.Attempts, retryAfter)
	j.notBefore = time.Now().Add(wait)
	j.retryAt = time.Time{}
	if wait >= announceWait {
		j.retryAt = q.now().Add(wait)
		c.text += fmt.Sprintf(" — trying again at %s (in %s)", j.retryAt.Local().Format("15:04:05"), wait.Round(time.Second))
		if retryAfter > MaxRetryAfter {
			c.text += fmt.Sprintf("; dStor asked to wait %s, this app waits at most %s", retryAfter.Round(time.Second), MaxRetryAfter)
		}
	}
	if q.signIn { // another upload found the session expired meanwhile
		q.mutate(j, func() {
			j.row.State = storage.JobWaitingSignIn
			j.sent = 0
		})
		q.signInCauseLocked().set(&j.row)
	} else {
		q.mutate(j, func() {
			j.row.State = storage.JobQueued
			j.sent = 0
		})
		c.set(&j.row)
		q.delayLocked(j)
	}
	q.markDirty(j)
	q.publish(JobChanged, j, false)
	q.retireLocked(j) // when it waits for sign-in
}

// requeuePausedLocked puts a job whose upload Pause stopped back in the
// queue, to start from the beginning on Resume; the stopped attempt does
// not count.
func (q *Queue) requeuePausedLocked(j *job) {
	j.pausedAt = j.sent
	q.mutate(j, func() {
		j.row.State = storage.JobQueued
		j.sent = 0
	})
	j.row.Attempts--
	causePaused.set(&j.row)
	j.speed, j.eta = 0, 0
	q.enqueueLocked(j) // starts once resumed
	q.markDirty(j)
	q.publish(JobChanged, j, false)
}

func (q *Queue) failLocked(j *job, c cause) { q.finishLocked(j, storage.JobFailed, c) }

// finishLocked ends j in state (failed or skipped) for the cause c.
func (q *Queue) finishLocked(j *job, state storage.JobState, c cause) {
	q.mutate(j, func() { j.row.State = state })
	c.set(&j.row)
	j.speed, j.eta = 0, 0
	j.finishedAt = q.now()
	q.markDirty(j)
	q.publish(JobChanged, j, false)
	q.retireLocked(j)
}

// backoff is the wait before retry number attempt: the server's Retry-After
// when it sent one (capped at MaxRetryAfter), else a random duration up to
// BaseBackoff·2^(attempt-1) capped at MaxBackoff ("full jitter", so many
// clients hit by one outage do not come back in lockstep).
func (q *Queue) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, MaxRetryAfter)
	}
	ceiling := q.maxBackoff
	if shift := attempt - 1; shift >= 0 && shift < 62 {
		if d := q.baseBackoff << shift; d > 0 && d < ceiling && d>>shift == q.baseBackoff {
			ceiling = d
		}
	}
	return rand.N(ceiling + 1)
}

// progress records bytes sent by the running attempt gen of j, updates its
// speed and ETA, and publishes at most one progress event per
// ProgressInterval.
func (q *Queue) progress(j *job, gen uint64, sent, total int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.run != gen || j.row.State != storage.JobUploading || j.finishing {
		return
	}
	if sent != j.sent {
		q.movedLocked(j)
	}
	q.mutate(j, func() {
		j.sent = sent
		if total > 0 {
			j.row.Size = total
		}
	})
	now := q.now()
	switch dt := now.Sub(j.sampleAt); {
	case j.sampleAt.IsZero() || sent < j.sampleSent:
		j.sampleAt, j.sampleSent = now, sent
		j.firstAt, j.firstSent = now, sent
	case dt >= speedSample:
		inst := float64(sent-j.sampleSent) / dt.Seconds()
		if since := now.Sub(j.firstAt); since < speedWindow {
			// For its first seconds the speed is the average since the
			// attempt's first progress: a moving average begun on one
			// short sample kept the burst a speed limit allows at the
			// start (an eighth of a second's bytes) for seconds, and the
			// rows' speeds summed above the limit.
			j.speed = float64(sent-j.firstSent) / since.Seconds()
		} else {
			alpha := 1 - math.Exp(-dt.Seconds()/speedWindow.Seconds())
			j.speed += alpha * (inst - j.speed)
		}
		j.sampleAt, j.sampleSent = now, sent
	}
	j.eta = 0
	if left := j.row.Size - sent; left > 0 && j.speed > 0 {
		j.eta = time.Duration(float64(left) / j.speed * float64(time.Second))
	}
	if j.lastEmit.IsZero() || now.Sub(j.lastEmit) >= q.progressInterval {
		j.lastEmit = now
		q.publish(JobChanged, j, true)
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

// enqueueLocked makes a queued job eligible to start.
func (q *Queue) enqueueLocked(j *job) {
	addOnce(&q.ready, j, &j.ready)
	q.wakeScheduler()
}

func (q *Queue) wakeScheduler() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}
