package worker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The queue's rows are written by one goroutine, the persister, so that
// neither Cancel, Retry or CancelAll on a thousand jobs (on the UI
// goroutine) nor an upload slot ever waits for the disk. Each round writes
// what is pending in one transaction (storage.DB.WriteJobs): the latest
// state of each changed job, read at the start of the round, and the
// finished uploads. A finished upload is written to the history together
// with its "done" state, and only then shown as done; its upload slot was
// free for the next file meanwhile, which is what lets rounds gather many
// files when they are small. At most maxUnrecorded uploads wait for their
// round: accepted by dStor but not yet in the history, they are what a
// crash would send again (but never record twice: the row is not "done").
//
// A write that meets a full disk is never dropped while the queue runs:
// it stays pending, no new upload starts (Summary.Stalled says why), and
// the round is tried again every diskRetryEvery until there is room. A
// finished upload is never failed for a full disk: failing it would leave
// its row unfinished and the next run would send it again.

// maxUnrecorded bounds the finished uploads waiting to be written: no
// upload starts while this many are waiting (Config.maxUnrecorded for
// tests). It was 64 until 2026-12-03: small files are answered about one a
// millisecond, and a round that takes the writer for 50-100 ms (the walk
// writing 256 rows in the same connection, a WAL checkpoint, busy cores)
// left every upload slot idle for 40-180 ms per 2,000 files. It bounds
// what a crash sends again, not what is recorded: none is recorded twice.
const maxUnrecorded = 256

// persistGap is the least time between the starts of two rounds of the
// persister while uploads run: small files finish by the hundred a second,
// and a commit costs about as much as the rows it writes, so a short wait
// turns many commits into one (and a job that starts and finishes within
// it needs no "uploading" write at all). The wait is cut short when no
// upload runs any more (the last one of the queue ended: nothing more is
// coming) or when maxUnrecorded uploads wait for their round (no upload
// may start until it runs): waiting then gathers nothing.
const persistGap = 20 * time.Millisecond

// diskRetryEvery is how often rows that met a full disk (finished uploads
// among them) are tried again.
const diskRetryEvery = 2 * time.Second

// finish is an upload dStor accepted, waiting for the persister to record
// it.
type finish struct {
	j   *job
	rec storage.JobFinish // the job done, and its history entry
	res api.UploadResult
	at  time.Time // when the answer came
}

// rowUpdate is the state of a changed job, read at the start of a round.
type rowUpdate struct {
	j       *job
	row     storage.JobRow
	removed bool
}

// markDirty schedules j's row to be rewritten. Called with q.mu held.
func (q *Queue) markDirty(j *job) {
	if j.unsaved {
		return
	}
	q.dirty[j] = struct{}{}
	q.signalPersist()
}

func (q *Queue) signalPersist() { q.persister.signal() }

// nextRound starts a round of a write-behind flush (flushDB, saveWalks),
// with q.mu held: busy is set while rounds run, and once nothing is
// pending it is cleared and Wait, which may be waiting for the rows, is
// woken. It reports whether there is a round to run.
func (q *Queue) nextRound(busy *bool, pending bool) bool {
	if pending {
		*busy = true
		return true
	}
	if *busy {
		*busy = false
		q.broadcast()
	}
	return false
}

// flushDB writes the changed rows and the finished uploads, then runs the
// pending deletes and cleared marks (after the writes, so a removed job's
// row already has the state the delete selects), and lets the jobs written
// leave memory when they may (retireLocked). A write that meets a full
// disk stays pending and flushDB returns false, to be called again later,
// unless final (Close): then the error is kept for Close to report. While
// uploads run, rounds start persistGap apart.
func (q *Queue) flushDB(final bool) bool {
	for {
		start := time.Now()
		q.mu.Lock()
		dirty, deletes, clears, purge, fins := q.dirty, q.deletes, q.clears, q.purgeCleared, q.finishes
		if !q.nextRound(&q.persisting, len(dirty) > 0 || len(deletes) > 0 || len(clears) > 0 || purge || len(fins) > 0) {
			q.setStalledLocked(nil)
			q.mu.Unlock()
			return true
		}
		q.dirty = make(map[*job]struct{})
		q.deletes, q.clears, q.purgeCleared, q.finishes = nil, nil, false, nil
		ups := updatesLocked(dirty)
		keep := slices.Collect(maps.Keys(q.liveBatches))
		uploading := q.running > 0
		q.mu.Unlock()

		r := flushRound{final: final, failed: make(map[*job]bool), again: make(map[*job]bool)}
		q.writeRound(ups, fins, &r)
		removed := q.removeRows(deletes, clears, &r)
		purgeAgain := purge && q.deleteCleared(keep, &r)

		q.mu.Lock()
		q.settleLocked(dirty, removed, &r)
		q.purgeCleared = q.purgeCleared || purgeAgain
		if r.full == nil {
			hurry := q.running == 0 || q.unrecorded >= q.maxUnrecorded
			q.mu.Unlock()
			if uploading && !final && !hurry {
				q.persister.settle(start)
			}
			continue
		}
		q.persisting = false
		q.setStalledLocked(r.full)
		q.mu.Unlock()
		return false
	}
}

// deleteCleared deletes the rows of cleared jobs outside the batches in
// keep, and reports whether it must be tried again (the disk was full).
func (q *Queue) deleteCleared(keep []string, r *flushRound) bool {
	err := q.db.DeleteCleared(q.env, q.account, keep)
	if r.pending(err) {
		return true
	}
	if err != nil {
		q.noteDBErr(fmt.Errorf("remove cleared jobs: %w", err))
	}
	return false
}

// settleLocked ends a round for the jobs it wrote: a row to write again
// is dirty again, a written job that may leave memory leaves (one whose
// row failed stays), and the removed jobs are forgotten.
func (q *Queue) settleLocked(dirty map[*job]struct{}, removed []string, r *flushRound) {
	for j := range dirty {
		j.writing = false
		switch {
		case r.again[j]:
			q.dirty[j] = struct{}{}
		case j.retire && !r.failed[j]: // a row not written stays wrong: keep the job
			q.retireLocked(j)
		}
	}
	for _, id := range removed {
		if j := q.active[id]; j != nil && j.removed {
			q.forgetLocked(id)
		}
	}
}

// flushRound is what one round of flushDB met: the rows that failed, those
// to write again once there is room, and the full disk that stopped them.
type flushRound struct {
	final  bool
	full   error
	failed map[*job]bool
	again  map[*job]bool
}

// pending reports whether err is a full disk met while the queue runs:
// the write stays pending, to be tried again.
func (r *flushRound) pending(err error) bool {
	if r.final || !errors.Is(err, storage.ErrDiskFull) {
		return false
	}
	r.full = err
	return true
}

// note records the result of writing j's row.
func (r *flushRound) note(j *job, err error, report func(error)) {
	switch {
	case err == nil:
	case r.pending(err):
		r.again[j] = true
	default:
		report(err)
		r.failed[j] = true
	}
}

// removeRows deletes the rows of jobs taken out of the list, or marks them
// cleared while their batch is being listed (see deleteRowLocked), and
// returns the ids done. Ids that met a full disk go back to be removed
// later.
func (q *Queue) removeRows(deletes, clears []string, r *flushRound) []string {
	var done []string
	if len(deletes) > 0 {
		slices.Sort(deletes)
		deletes = slices.Compact(deletes)
		_, err := q.db.DeleteJobIDs(deletes...)
		done = append(done, q.settleRemoval(deletes, err, &q.deletes, r)...)
	}
	if len(clears) > 0 {
		err := q.db.MarkJobsCleared(clears...)
		done = append(done, q.settleRemoval(clears, err, &q.clears, r)...)
	}
	return done
}

// settleRemoval settles the removal of ids that ended in err: ids that met
// a full disk go back to later (appended to *later under q.mu), the others
// are done (a failure other than a full disk is reported, not retried).
func (q *Queue) settleRemoval(ids []string, err error, later *[]string, r *flushRound) []string {
	switch {
	case r.pending(err):
		q.mu.Lock()
		*later = append(*later, ids...)
		q.mu.Unlock()
		return nil
	case err != nil:
		q.noteDBErr(fmt.Errorf("remove finished jobs: %w", err))
	}
	return ids
}

// updatesLocked marks the dirty jobs as being written and reads the rows
// to write. Jobs without a row, done, or finishing (their finish writes
// their state) have none.
func updatesLocked(dirty map[*job]struct{}) []rowUpdate {
	ups := make([]rowUpdate, 0, len(dirty))
	for j := range dirty {
		j.writing = true
		if j.unsaved || j.finishing || j.row.State == storage.JobDone {
			continue
		}
		row := j.row
		row.ParentID = copyID(row.ParentID)
		ups = append(ups, rowUpdate{j: j, row: row, removed: j.removed})
	}
	return ups
}

// writeRound writes ups and fins in one transaction, then settles each:
// a missing row is put back, a finished upload is shown as done, waits for
// room on a full disk, or fails when it cannot be recorded.
func (q *Queue) writeRound(ups []rowUpdate, fins []finish, r *flushRound) {
	changes := make([]storage.JobUpdate, len(ups))
	for i, u := range ups {
		changes[i] = storage.JobUpdate{ID: u.row.ID, State: u.row.State, Attempts: u.row.Attempts,
			Error: u.row.Error, Reason: u.row.Reason, ReasonArg: u.row.ReasonArg}
	}
	recs := make([]storage.JobFinish, len(fins))
	for i, f := range fins {
		recs[i] = f.rec
	}
	upErrs, finErrs := q.db.WriteJobs(changes, recs)
	for i, u := range ups {
		r.note(u.j, q.settleUpdate(u, upErrs[i]), q.noteDBErr)
	}
	for i, f := range fins {
		q.settleFinish(f, finErrs[i], r)
	}
}

// settleUpdate handles the outcome of one row's update, re-inserting the
// row if it went missing (see Remove).
func (q *Queue) settleUpdate(u rowUpdate, err error) error {
	row := u.row
	switch {
	case err == nil, errors.Is(err, storage.ErrJobDone):
		return nil
	case errors.Is(err, storage.ErrNotFound) && u.removed:
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

// notRecorded is the cause of a job uploaded as hash whose history entry
// the database refused with err (neither a full disk, which waits, nor a
// history deleted or replaced). A history at the program's file size
// limit refuses every retry while the limit holds: its sentence says to
// lift the limit first.
func notRecorded(hash string, err error) cause {
	var limit *storage.FileSizeLimitError
	if errors.As(err, &limit) {
		return cause{ReasonRecordLimit, hash, fmt.Sprintf("uploaded as %s, but it could not be recorded: %v, then retry it", hash, limit)}
	}
	return cause{ReasonRecordFailed, hash, fmt.Sprintf("uploaded as %s, but it could not be recorded in the history (%v); retry to record it", hash, err)}
}

// settleFinish shows a recorded upload as done. A missing row (its insert
// failed, or a clear removed it) is put back and finished. On a full disk
// the upload waits to be recorded (pending again); at Close its row stays
// unfinished, as after a crash, and Close says so. Any other failure
// fails the job with a sentence that says so (ReasonHistoryGone when the
// database was deleted or replaced, where retrying cannot help).
func (q *Queue) settleFinish(f finish, err error, r *flushRound) {
	if errors.Is(err, storage.ErrNotFound) {
		ins := f.rec.Row
		ins.State, ins.Hash, ins.Verified = storage.JobUploading, "", false
		ins.CreatedAt, ins.UpdatedAt = time.Time{}, time.Time{}
		if err = q.db.InsertJobs([]storage.JobRow{ins}); err == nil {
			err = q.db.FinishJob(f.rec.Row, f.rec.History)
		}
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	j, res := f.j, f.res
	if r.pending(err) {
		q.finishes = append(q.finishes, f)
		cause{ReasonUnrecorded, res.Hash, "uploaded as " + res.Hash + ", waiting to be recorded: " + diskFullSentence(err)}.set(&j.row)
		q.publish(JobChanged, j, false)
		return
	}
	j.finishing = false
	j.cancel = nil
	q.unrecorded--
	q.wakeScheduler()
	var gone *storage.ReplacedError
	switch {
	case err != nil && q.closed && errors.Is(err, storage.ErrDiskFull):
		q.noteDBErrLocked(fmt.Errorf("%s was uploaded as %s but could not be recorded, so the next run uploads it again: %w", f.rec.Row.Name, res.Hash, err))
		return // the row stays unfinished, as after a crash
	case errors.As(err, &gone):
		// Every later write fails too: retrying cannot record it.
		q.historyGoneLocked(gone)
		if q.stopWhenGone { // else (the command line prints them) every later upload would pile up here
			q.lost = append(q.lost, f.rec)
		}
		q.failLocked(j, cause{ReasonHistoryGone, res.Hash, fmt.Sprintf("uploaded as %s, but it could not be recorded: %s", res.Hash, gone.Error())})
		return
	case err != nil:
		q.failLocked(j, notRecorded(res.Hash, err))
		return
	}
	j.unsaved = false
	q.mutate(j, func() {
		j.row.State = storage.JobDone
		j.row.Size = res.FileSize
		j.sent = res.FileSize
	})
	j.row.Hash, j.row.Verified = res.Hash, res.Verified
	none.set(&j.row)
	j.speed, j.eta = 0, 0
	j.finishedAt = f.at
	q.publish(JobChanged, j, false)
	q.startLiveCheckLocked(j, f.rec.History, f.res.Head)
	q.retireLocked(j)
}

// setStalledLocked records whether the persister holds rows that met a
// full disk (err) or wrote everything (nil); see showStalledLocked.
func (q *Queue) setStalledLocked(err error) {
	q.persistFull = err
	q.showStalledLocked()
}

// showStalledLocked makes Summary.Stalled say why no upload starts: the
// full disk that keeps the persister's rows or a listing's rows waiting
// (persistFull, listFull), or the walk rows of requests listed
// (dropFull), or nothing. Subscribers are told when that changes; uploads
// start again once it is empty.
func (q *Queue) showStalledLocked() {
	err := cmp.Or(q.persistFull, q.listFull, q.dropFull)
	msg := ""
	if err != nil {
		msg = diskFullSentence(err)
	}
	if msg == q.stalled {
		return
	}
	q.stalled = msg
	var disk *storage.DiskFullError
	if !errors.As(err, &disk) {
		disk = nil
	}
	q.stalledDisk = disk
	q.publish(QueueChanged, nil, false)
	if msg == "" {
		q.wakeScheduler()
	}
}

// diskFullSentence is the sentence of the *storage.DiskFullError in err,
// without what was being written: the same words whichever write met it.
func diskFullSentence(err error) string {
	var dfe *storage.DiskFullError
	if errors.As(err, &dfe) {
		return dfe.Error()
	}
	return api.Human(err)
}

func (q *Queue) noteDBErr(err error) {
	if err == nil {
		return
	}
	q.mu.Lock()
	q.noteDBErrLocked(err)
	q.mu.Unlock()
}

// noteDBErrLocked keeps the first failed database write, which Close
// reports. Called with q.mu held.
func (q *Queue) noteDBErrLocked(err error) {
	if q.dbErr == nil {
		q.dbErr = err
	}
	q.noteGoneLocked(err)
}

// noteGoneLocked notes err when it says the database file was deleted or
// replaced (historyGoneLocked). Called with q.mu held.
func (q *Queue) noteGoneLocked(err error) {
	var gone *storage.ReplacedError
	if errors.As(err, &gone) {
		q.historyGoneLocked(gone)
	}
}

// historyGoneLocked records that the database file was found deleted or
// replaced while open: with Config.StopWhenHistoryGone no upload starts
// from now on (startReadyLocked), and subscribers are told once
// (Summary.HistoryGone). A -shm found gone after the -wal's loss takes
// its place: that is what stops the command line's queue (goneLocked).
func (q *Queue) historyGoneLocked(gone *storage.ReplacedError) {
	if q.historyGone != nil && (q.historyGone.SharedMemory || !gone.SharedMemory) {
		return
	}
	q.historyGone = gone
	q.publish(QueueChanged, nil, false) // wakes Wait too
}

// Unrecorded is the uploads dStor accepted that could not be recorded
// because the database file was deleted or replaced while open (their
// jobs failed with ReasonHistoryGone), each as the job done with its
// history entry, in the order they finished. It is empty while the file
// is there, and without Config.StopWhenHistoryGone, which bounds them by
// the uploads running when the file went. The window writes them into the
// database at the path once this one is closed
// (storage.DB.CloseCarryingOver), so no link is lost. It may be called
// after Close.
func (q *Queue) Unrecorded() []storage.JobFinish {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.lost)
}

// NotListed is the files and folders added once the database file was
// found deleted or replaced, with Config.StopWhenHistoryGone: not listed
// (see Add), each as the walk row that would have saved it, in the order
// added. The window writes them into the database at the path with the
// uploads of Unrecorded (storage.DB.CloseCarryingOver), so the next start
// lists and uploads them. It may be called after Close. A folder whose
// share the drive does not tell within ShareLookGrace is handed on
// without it (ShareFoldersUntil), as the window must quit.
func (q *Queue) NotListed() []storage.WalkRow {
	q.mu.Lock()
	rows := slices.Clone(q.notListed)
	q.mu.Unlock()
	reqs := make([]Request, len(rows))
	for i, r := range rows {
		reqs[i] = Request{Path: r.Path, FolderPath: r.FolderPath, ParentID: r.ParentID,
			Comment: r.Comment, ExpectSHA256: r.ExpectSHA256}
	}
	stop := make(chan struct{}) // called as the window quits: looks get their grace
	giveUp := time.AfterFunc(shareLookGrace, func() { close(stop) })
	defer giveUp.Stop()
	return ShareFoldersUntil(stop, rows, reqs)
}

// keepNotListedLocked keeps c's requests unlisted for NotListed; c is no
// longer one the queue lists or saves. Called with q.mu held.
func (q *Queue) keepNotListedLocked(c *addCall) {
	rows := c.walkRows(q.env, q.account)
	now := time.Now()
	for i := range rows {
		rows[i].CreatedAt = now
		delete(q.liveWalks, rows[i].ID)
	}
	q.notListed = append(q.notListed, rows...)
	if q.liveBatches[c.batchID] -= len(c.walkIDs); q.liveBatches[c.batchID] <= 0 {
		delete(q.liveBatches, c.batchID)
	}
}

// Walk rows (storage.WalkRow: a request saved before it is listed, so that
// a crash in the middle of a big folder loses nothing) are written by their
// own goroutine, the walk saver. Add must not wait for the disk, and the
// walker must not start listing a request before its walk row is saved; a
// goroutine that does nothing else saves it within one small transaction,
// where the persister could be busy with a thousand job updates. Inserts
// and deletes go through this one goroutine, inserts first in each round,
// so a walk row is never deleted before it is written.

// walkDrop is a walk row to delete.
type walkDrop struct {
	id, batchID string
	// cut is why the request's listing ended before it listed its folder:
	// stopped (CancelAll), or no folder at its path when its turn came.
	// Its folder share records it (storage.DB.CutWalks).
	cut storage.ListingCut
}

func (q *Queue) signalWalkSaver() { q.walkSaver.signal() }

// ShareLookGrace is how long a quit lets the looks for the shares of the
// folders added (ShareFolder) go on before it gives them up: long enough
// for any drive that answers, so their requests are saved with their
// shares as ever, short enough that a drive that stopped answering does
// not hold the quit. Close gives it to the walk saver's looks
// (giveUpShareLooksLocked), NotListed to its own, and the window to those
// of the files it keeps for a sign-in.
const ShareLookGrace = 2 * time.Second

// shareLookGrace is ShareLookGrace, a var only so that a test can make it
// longer than a slow machine's pause.
var shareLookGrace = ShareLookGrace

// givenUp is a closed channel: the stop of a look not to begin.
var givenUp = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// giveUpShareLooksLocked gives up the walk saver's looks for shares
// under way (ShareFoldersUntil) and those of the calls it took with
// them: Cancel all forgot those calls (renew: the calls added after it
// get a stop of their own), or Close waited shareLookGrace for them.
// Their requests are saved without their shares. Called with q.mu held,
// by Cancel all before Close, or by Close once.
func (q *Queue) giveUpShareLooksLocked(renew bool) {
	close(q.shareStop)
	if renew {
		q.shareStop = make(chan struct{})
	}
}

// saveWalks writes the pending walk rows, lets the walker list them, then
// deletes the walk rows of requests listed completely (or canceled). Its
// last run, at Close, keeps requests added but not listed yet saved for
// the next New. A walk row that could not be written is listed all the
// same, and Close reports the error (one the disk refused for being full
// only while its request is not listed to its end: walkRowsRefusedLocked);
// deletes that meet a full disk wait for room (dropWalks), and only then
// does it ask to be run again.
func (q *Queue) saveWalks(final bool) bool {
	for {
		q.mu.Lock()
		saves, drops := q.walkSaves, q.walkDrops
		if !q.nextRound(&q.walkSaving, len(saves) > 0 || len(drops) > 0) {
			q.mu.Unlock()
			return true
		}
		q.walkSaves, q.walkDrops = nil, nil
		stops := make([]<-chan struct{}, len(saves))
		for i, c := range saves {
			stops[i] = q.shareStop
			if c.dropped {
				stops[i] = givenUp // forgotten already: no look
			}
		}
		q.mu.Unlock()
		var rows []storage.WalkRow // each call's requests and walk ids are its own from its Add on
		for i, c := range saves {
			rows = append(rows, ShareFoldersUntil(stops[i], c.walkRows(q.env, q.account), c.reqs)...)
		}

		if len(saves) > 0 {
			q.insertWalks(saves, rows)
		}
		if len(drops) > 0 && !q.dropWalks(drops, final) {
			return false // the disk is full: tried again in diskRetryEvery
		}
	}
}

// insertWalks writes the walk rows of the calls saves, tells their Add
// callers they are saved (or that they are not), then lets their walks
// list the files.
func (q *Queue) insertWalks(saves []*addCall, rows []storage.WalkRow) {
	// On failure the requests are listed all the same (their jobs may
	// still be saved), but their callers are told they are not saved;
	// Close reports the error too (walkRowsRefusedLocked).
	err := q.db.InsertWalks(rows)
	q.mu.Lock()
	if err != nil {
		q.walkRowsRefusedLocked(saves, fmt.Errorf("save the added files and folders: %w", err))
	}
	// With the database gone and uploads stopped (see Add), they are kept
	// for the database at the path instead, not listed.
	keep := errors.Is(err, storage.ErrDatabaseReplaced) && q.stopWhenGone
	for _, c := range saves {
		c.saved = true
		if err == nil {
			c.shares, rows = sharesOf(rows[:len(c.reqs)]), rows[len(c.reqs):]
		}
		if keep {
			q.pendingAdds = slices.DeleteFunc(q.pendingAdds, func(p *addCall) bool { return p == c })
			q.keepNotListedLocked(c)
		}
		c.added.settle(err)
	}
	if keep && len(q.pendingAdds) == 0 && !q.walkBusy {
		q.publish(QueueChanged, nil, false) // Summary.Walking is over
	}
	q.mu.Unlock()
	select {
	case q.walkWake <- struct{}{}:
	default:
	}
}

// walkRowsRefusedLocked notes err, the database's refusal of the walk
// rows of saves, for Close. A walk row matters only while its request is
// not listed to its end: it is what lets the next New list the rest after
// a kill or Close. So a full disk's refusal (the listing then waits for
// room to save its rows, as the uploads' records do) is reported only if
// one of those requests is still not listed to its end at Close (stopped,
// or never listed): a run that listed them all, every row saved, lost
// nothing it could resume (dropWalks forgets them). Any other refusal is
// noted at once. Called with q.mu held.
func (q *Queue) walkRowsRefusedLocked(saves []*addCall, err error) {
	if !errors.Is(err, storage.ErrDiskFull) {
		q.noteDBErrLocked(err)
		return
	}
	q.unsavedWalkErr = cmp.Or(q.unsavedWalkErr, err)
	for _, c := range saves {
		for _, id := range c.walkIDs {
			q.unsavedWalks[id] = true
		}
	}
}

// listedToItsEndLocked records that the request of the walk row id was
// listed to its end, every row of it saved: a refusal of its walk row
// (walkRowsRefusedLocked) no longer matters. Called with q.mu held.
func (q *Queue) listedToItsEndLocked(id string) {
	delete(q.unsavedWalks, id)
	if len(q.unsavedWalks) == 0 {
		q.unsavedWalkErr = nil
	}
}

// sharesOf is the folder share of each of rows.
func sharesOf(rows []storage.WalkRow) []string {
	shares := make([]string, len(rows))
	for i, r := range rows {
		shares[i] = r.Folder
	}
	return shares
}

// dropWalks deletes the walk rows of drops, those listed to the end
// first, then those cut short, recording why on their shares (a share
// whose listing met every entry of its folder stays whole, whether
// CancelAll's stop of it, landing during its last flush, is recorded
// before that flush's rows or after: storage.DB.InsertListing); a batch
// none of whose walks is left lets its cleared rows go. On a full disk,
// unless final (Close), drops wait for the next round and it returns
// false, Summary.Stalled naming the disk, as flushDB's rows wait: the
// run's uploads are done, and nothing about them is left unsaved once
// there is room. Deleting a walk row again is harmless.
func (q *Queue) dropWalks(drops []walkDrop, final bool) bool {
	cuts := map[storage.ListingCut][]string{}
	for _, d := range drops {
		cuts[d.cut] = append(cuts[d.cut], d.id)
	}
	_, err := q.db.DeleteWalks(cuts[storage.NotCut]...)
	for cut, ids := range cuts {
		if err == nil && cut != storage.NotCut {
			_, err = q.db.CutWalks(cut, ids...)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if !final && errors.Is(err, storage.ErrDiskFull) {
		q.walkDrops = append(drops, q.walkDrops...)
		q.walkSaving = false
		q.dropFull = err
		q.showStalledLocked()
		return false
	}
	if q.dropFull != nil {
		q.dropFull = nil
		q.showStalledLocked()
	}
	if err != nil {
		// The walk rows stay: the next New lists those requests again
		// and adds nothing already queued.
		q.noteDBErrLocked(fmt.Errorf("forget the folders listed: %w", err))
		return true
	}
	for _, d := range drops {
		if d.cut != storage.CutStopped {
			q.listedToItsEndLocked(d.id)
		}
		if _, ok := q.liveWalks[d.id]; !ok {
			continue // dropped twice (CancelAll during the last flush)
		}
		delete(q.liveWalks, d.id)
		q.liveBatches[d.batchID]--
		if q.liveBatches[d.batchID] > 0 {
			continue
		}
		delete(q.liveBatches, d.batchID)
		q.purgeCleared = true // its cleared rows may go now
		q.signalPersist()
	}
	return true
}

// dropWalksLocked schedules the walk rows ids of batchID for deletion,
// their listing cut short for cut (NotCut: listed to the end). Called
// with q.mu held, once every job of those requests is saved or the
// requests were canceled.
func (q *Queue) dropWalksLocked(batchID string, ids []string, cut storage.ListingCut) {
	drops := make([]walkDrop, len(ids))
	for i, id := range ids {
		drops[i] = walkDrop{id: id, batchID: batchID, cut: cut}
	}
	q.dropWalkRowsLocked(drops...)
}

// dropWalkRowsLocked schedules the walk rows of drops for deletion. Called with
// q.mu held, as dropWalksLocked.
func (q *Queue) dropWalkRowsLocked(drops ...walkDrop) {
	if len(drops) == 0 {
		return
	}
	q.walkDrops = append(q.walkDrops, drops...)
	q.signalWalkSaver()
}

// deleteRowLocked schedules the deletion of the row of j, which was taken
// out of the list. While j's batch still has a walk row, the row is only
// marked cleared (storage.DB.MarkJobsCleared) until that walk row is gone:
// a walk listed again after a crash knows from its batch's rows which files
// are already queued or uploaded, and without the row it would upload this
// one again. Called with q.mu held.
func (q *Queue) deleteRowLocked(j *job) {
	if j.unsaved {
		q.forgetLocked(j.row.ID) // no row to remove
		return
	}
	if b := j.row.BatchID; q.liveBatches[b] > 0 {
		q.clears = append(q.clears, j.row.ID)
		return
	}
	q.deletes = append(q.deletes, j.row.ID)
}

// load prepares the account's saved queue for a new Queue (not started
// yet): uploads a crash left "uploading" are queued again, done rows go
// (they are in the history; those of a batch still being listed stay,
// cleared, to tell the listing the file is uploaded), jobs to upload are
// queued or wait for sign-in, and the counts are read. No job is read into
// memory here: the scheduler reads them a window at a time.
func load(cfg Config, lock *storage.QueueLock) (*Queue, error) {
	walks, counts, err := prepareSaved(cfg)
	if err != nil {
		return nil, err
	}
	q := newQueue(cfg, lock)
	for s, c := range counts {
		q.countStored(s, c.Jobs, c.Bytes)
	}
	q.resumeWalks(walks)
	return q, nil
}

// prepareSaved brings the account's saved rows up to date for a new run,
// one statement each, and returns its walk rows and the counts of its jobs.
func prepareSaved(cfg Config) ([]storage.WalkRow, storage.StateCounts, error) {
	if _, err := cfg.DB.RequeueInterruptedOf(cfg.Env, cfg.Account); err != nil {
		return nil, nil, fmt.Errorf("worker: requeue interrupted uploads: %w", err)
	}
	walks, err := cfg.DB.Walks(cfg.Env, cfg.Account)
	if err != nil {
		return nil, nil, fmt.Errorf("worker: load the folders being listed: %w", err)
	}
	walking := make(map[string]bool)
	for _, w := range walks {
		walking[w.BatchID] = true
	}
	keep := slices.Collect(maps.Keys(walking))
	if _, err := cfg.DB.ClearJobs(cfg.Env, cfg.Account, []storage.JobState{storage.JobDone}, nil, keep); err != nil {
		return nil, nil, fmt.Errorf("worker: drop finished jobs: %w", err)
	}
	if err := cfg.DB.DeleteCleared(cfg.Env, cfg.Account, keep); err != nil {
		return nil, nil, fmt.Errorf("worker: drop cleared jobs: %w", err)
	}
	change := storage.JobChange{Env: cfg.Env, Account: cfg.Account, From: []storage.JobState{storage.JobWaitingSignIn}, To: storage.JobQueued}
	if cfg.Tokens == nil {
		change.From, change.To, change.Msg, change.Reason = []storage.JobState{storage.JobQueued}, storage.JobWaitingSignIn, causeSignIn.text, string(causeSignIn.code)
	}
	if _, err := cfg.DB.ChangeJobs(change); err != nil {
		return nil, nil, fmt.Errorf("worker: queue the saved jobs: %w", err)
	}
	counts, err := cfg.DB.JobCounts(cfg.Env, cfg.Account)
	if err != nil {
		return nil, nil, fmt.Errorf("worker: count the saved jobs: %w", err)
	}
	return walks, counts, nil
}

// newQueue is a Queue of cfg holding lock, with no jobs yet.
func newQueue(cfg Config, lock *storage.QueueLock) *Queue {
	q := &Queue{
		client:           cfg.Client,
		db:               cfg.DB,
		env:              cfg.Env,
		account:          cfg.Account,
		maxAttempts:      cfg.MaxAttempts,
		baseBackoff:      cfg.BaseBackoff,
		maxBackoff:       cfg.MaxBackoff,
		progressInterval: cfg.ProgressInterval,
		stallNotice:      cfg.StallNotice,
		now:              cfg.Now,
		tokens:           cfg.Tokens,
		signIn:           cfg.Tokens == nil,
		paused:           cfg.Paused,
		printsResults:    cfg.PrintsResults,
		stopWhenGone:     cfg.StopWhenHistoryGone,
		concurrency:      clampConcurrency(cfg.Concurrency),
		active:           make(map[string]*job),
		counts:           make(map[storage.JobState]int),
		queueSchedule: queueSchedule{
			window:          cmp.Or(cfg.window, windowSize),
			afterRefill:     cfg.afterRefill,
			beforeGoneCheck: cfg.beforeGoneCheck,
			wake:            make(chan struct{}, 1),
			uploaders:       make(chan func()),
		},
		queueWalks: queueWalks{walkWake: make(chan struct{}, 1), flushEvery: cmp.Or(cfg.flushEvery, flushEvery),
			beforeListedRows:   cfg.beforeListedRows,
			beforeListingEntry: cfg.beforeListingEntry, beforeListingFolder: cfg.beforeListingFolder},
		queuePersistence: queuePersistence{
			lock:          lock,
			maxUnrecorded: cmp.Or(cfg.maxUnrecorded, maxUnrecorded),
			dirty:         make(map[*job]struct{}),
			liveWalks:     make(map[string]string),
			liveBatches:   make(map[string]int),
			unsavedWalks:  make(map[string]bool),
		},
		queueLiveChecks: queueLiveChecks{
			liveLink:  cfg.LiveLink,
			liveSlots: make(chan struct{}, maxLiveChecks),
		},
		queueEvents: queueEvents{
			subs:    make(map[*subscriber]struct{}),
			changed: make(chan struct{}),
			closing: make(chan struct{}),
		},
		closeDone: make(chan struct{}),
	}
	switch {
	case cfg.checkFile != nil:
		q.checkFile = cfg.checkFile
	case q.stopWhenGone:
		q.checkFile = cfg.DB.CheckFile
	default: // only a -shm gone stops it (goneLocked): one stat, not three
		q.checkFile = cfg.DB.CheckIndex
	}
	q.ctx, q.cancel = context.WithCancelCause(context.Background())
	q.persister = newWriteBehind(q.flushDB, diskRetryEvery)
	q.persister.gap = persistGap
	q.walkSaver = newWriteBehind(q.saveWalks, diskRetryEvery)
	q.shareStop = make(chan struct{})
	q.liveSaver = newWriteBehind(q.saveLive, diskRetryEvery)
	q.liveSaver.gap = persistGap
	return q
}
