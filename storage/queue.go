package storage

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// JobState is where an upload job is in its life. It is persisted with every
// change so that after a crash the queue resumes exactly where it stopped.
type JobState string

// The job states. "uploading" only exists while a worker holds the job;
// [DB.RequeueInterrupted] turns leftovers back into "queued" at startup.
const (
	// JobQueued waits for a free upload slot.
	JobQueued JobState = "queued"
	// JobUploading is being sent right now.
	JobUploading JobState = "uploading"
	// JobDone finished and is in the history.
	JobDone JobState = "done"
	// JobFailed gave up; Error says why. It can be retried.
	JobFailed JobState = "failed"
	// JobCanceled was canceled by the person.
	JobCanceled JobState = "canceled"
	// JobWaitingSignIn is paused until the person signs in again.
	JobWaitingSignIn JobState = "waiting-sign-in"
	// JobSkipped was never uploaded (symlink, unreadable, …); Error says why.
	JobSkipped JobState = "skipped"
	// JobAlready was not sent because the history has a verified upload of
	// the same file (path, destination and version; see DB.FindUploaded):
	// Hash is that upload's, Error says when it was. It can be sent again.
	JobAlready JobState = "already-uploaded"
)

// Valid reports whether s is a known state, so that a typo is refused before
// it reaches the database where nothing would ever pick the job up again.
func (s JobState) Valid() bool {
	switch s {
	case JobQueued, JobUploading, JobDone, JobFailed, JobCanceled, JobWaitingSignIn, JobSkipped, JobAlready:
		return true
	}
	return false
}

// Final reports whether the worker will leave a job in state s alone unless
// the person acts (retry, clear): done, failed, canceled, skipped and
// already uploaded.
func (s JobState) Final() bool {
	switch s {
	case JobDone, JobFailed, JobCanceled, JobSkipped, JobAlready:
		return true
	}
	return false
}

// JobRow is one upload job as persisted, so a crash or kill loses nothing.
type JobRow struct {
	// Seq orders the jobs as they were added (the list's order); the
	// database assigns it on insert (InsertJobs fills it in).
	Seq int64 `json:"seq"`
	// ID is the job's UUID; it also keys the job's history entry.
	ID string `json:"id"`
	// BatchID groups the jobs of one drop or one CLI invocation.
	BatchID string `json:"batch_id"`
	// Env is the dStor environment to upload to.
	Env string `json:"env"`
	// Account is the account to upload as.
	Account string `json:"account"`
	// LocalPath is the file to upload.
	LocalPath string `json:"local_path"`
	// Name is the name to upload it under.
	Name string `json:"name"`
	// Size is the file size when the job was created.
	Size int64 `json:"size"`
	// FolderPath is the destination folder path on dStor, if any.
	FolderPath string `json:"folder_path"`
	// ParentID is the destination folder id on dStor, if any.
	ParentID *int64 `json:"parent_id"`
	// Comment is sent with the upload.
	Comment string `json:"comment"`
	// State is where the job is; empty means JobQueued on insert.
	State JobState `json:"state"`
	// Attempts counts upload attempts so far.
	Attempts int `json:"attempts"`
	// Error is the human-readable reason for failed or skipped jobs, in
	// English (the command line's and the logs' sentence).
	Error string `json:"error"`
	// Reason is the same reason as a stable code (api/worker's
	// ReasonCode), which the window words in its own language; empty for
	// none, and in rows written before codes existed (Error then stands
	// alone).
	Reason string `json:"reason,omitempty"`
	// ReasonArg is the one detail Reason's wording needs (a date, a host,
	// dStor's words), or empty.
	ReasonArg string `json:"reason_arg,omitempty"`
	// Hash is the CID once done.
	Hash string `json:"hash"`
	// Verified is true once done with a hash equal to the local CID.
	Verified bool `json:"verified"`
	// Beneath is the folder the person chose that LocalPath was found in
	// (by a walk), or empty for a file chosen directly.
	Beneath string `json:"beneath,omitempty"`
	// FileID identifies the file the walk listed (see api.FileIdentity),
	// or empty when unknown.
	FileID string `json:"file_id,omitempty"`
	// ExpectSHA256 is the SHA-256 the file must have (lowercase hex), or
	// empty: a file that differs fails before any byte is sent.
	ExpectSHA256 string `json:"expect_sha256,omitempty"`
	// Reported is set once the command line printed the job's result (see
	// DB.MarkReported), so a result is printed by exactly one run.
	Reported bool `json:"reported,omitempty"`
	// Found is, for a job found already uploaded (JobAlready), the id of
	// the history entry that sent its file: a job of a folder's file
	// (Beneath set) puts that entry in the folder share of its Add call,
	// in the transaction that saves it (InsertJobs). It is written, not
	// stored in the job's row nor read back.
	Found int64 `json:"-"`
	// Cleared is set (by storage.DB.ClearJobs or MarkJobsCleared) on a row
	// taken out of the list while its batch is still being listed; it is
	// read, never inserted.
	Cleared bool `json:"cleared,omitempty"`
	// CreatedAt is when the job was added; zero means now on insert.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the job last changed.
	UpdatedAt time.Time `json:"updated_at"`
}

const jobCols = `id, batch_id, env, account, local_path, name, size, folder_path, parent_id,
	comment, state, attempts, error, hash, verified, created_at, updated_at, beneath, file_id, expect_sha256, reported,
	reason, reason_arg`

// jobSelect is the SELECT list matching scanJob: the row's seq, jobCols,
// and the cleared mark (see queuewindow.go).
const jobSelect = `seq, ` + jobCols + `, cleared`

func scanJob(sc rowScanner) (JobRow, error) {
	var j JobRow
	var parent sql.NullInt64
	var created, updated int64
	err := sc.Scan(&j.Seq, &j.ID, &j.BatchID, &j.Env, &j.Account, &j.LocalPath, &j.Name, &j.Size,
		&j.FolderPath, &parent, &j.Comment, &j.State, &j.Attempts, &j.Error, &j.Hash,
		&j.Verified, &created, &updated, &j.Beneath, &j.FileID, &j.ExpectSHA256, &j.Reported,
		&j.Reason, &j.ReasonArg, &j.Cleared)
	if err != nil {
		return JobRow{}, err
	}
	j.ParentID = ptrInt(parent)
	j.CreatedAt = fromNanos(created)
	j.UpdatedAt = fromNanos(updated)
	return j, nil
}

// InsertJobs persists new jobs in one transaction with one prepared
// statement (a 10,000-file folder takes a fraction of a second), in slice
// order, which is the order [DB.Jobs] returns them in. It fills in, in place
// in rows, an empty ID (a new UUID), an empty State (JobQueued) and zero
// CreatedAt/UpdatedAt (now), and sets Seq. Either every row is stored or
// none is; an ID that already exists fails the whole call.
func (d *DB) InsertJobs(rows []JobRow) error { return d.InsertListing(rows, nil) }

// InsertListing is InsertJobs of a listing's rows with left, the files of
// folders it found already waiting in the queue in another Add call's job
// and left to it, and listed, the folders it has listed to the end, saved
// in the same transaction: a kill leaves no row without what the listing
// found with it (see LeftFile). Each folder listed is a share of its Add
// call from then on (see insertShares), the folder's latest, even when it
// found no file to upload, and listed to its end (no cut recorded before
// or after changes that).
func (d *DB) InsertListing(rows []JobRow, left []LeftFile, listed ...FolderKey) error {
	if len(rows) == 0 && len(left) == 0 && len(listed) == 0 {
		return nil
	}
	now := time.Now().UTC()
	for i := range rows {
		r := &rows[i]
		if r.ID == "" {
			r.ID = newUUID()
		}
		if r.State == "" {
			r.State = JobQueued
		}
		if !r.State.Valid() {
			return invalidArg(fmt.Sprintf("job %d state", i), fmt.Sprintf("%q is not a job state", string(r.State)))
		}
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now
		}
		if r.UpdatedAt.IsZero() {
			r.UpdatedAt = r.CreatedAt
		}
	}
	return d.withTx(fmt.Sprintf("insert %d jobs", len(rows)), func(tx *sql.Tx) error {
		st, err := tx.Prepare(`INSERT INTO jobs (` + jobCols + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer func() { _ = st.Close() }()
		var found, supersede *sql.Stmt // prepared once a row needs them
		defer func() {
			if found != nil {
				_ = found.Close()
				_ = supersede.Close()
			}
		}()
		for i := range rows {
			r := &rows[i]
			res, err := st.Exec(r.ID, r.BatchID, r.Env, r.Account, r.LocalPath, r.Name, r.Size,
				r.FolderPath, nullInt(r.ParentID), r.Comment, string(r.State), r.Attempts, r.Error,
				r.Hash, r.Verified, nanos(r.CreatedAt), nanos(r.UpdatedAt), r.Beneath, r.FileID, r.ExpectSHA256, r.Reported,
				r.Reason, r.ReasonArg)
			if err != nil {
				return fmt.Errorf("job %s: %w", r.ID, err)
			}
			if r.Seq, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("job %s: %w", r.ID, err)
			}
			if r.State != JobAlready || r.Beneath == "" || r.Found == 0 {
				continue
			}
			// A folder's file found already uploaded is in the share
			// of this Add call, saved with the job that says so.
			if found == nil {
				if found, err = tx.Prepare(addFoundSQL); err != nil {
					return err
				}
				if supersede, err = tx.Prepare(supersedeLeftSQL); err != nil {
					_ = found.Close()
					found = nil
					return err
				}
			}
			var n int64
			added, err := found.Exec(r.ID, r.Beneath, r.BatchID, r.Found)
			if err == nil {
				n, err = added.RowsAffected()
			}
			if err == nil && n > 0 {
				// Not also as a file it left to another job of it.
				_, err = supersede.Exec(r.ID)
			}
			if err != nil {
				return fmt.Errorf("job %s: add the upload it found to the folder share: %w", r.ID, err)
			}
		}
		if err := insertShares(tx, rows, left, listed); err != nil {
			return err
		}
		if err := markListedToTheEnd(tx, listed); err != nil {
			return err
		}
		return insertLeft(tx, left)
	})
}

// listingEndedSQL is folder_shares.listing_end of a share whose listing
// met every entry of its folder: whole, though a stop (CutWalks) may
// come after its last rows are saved, or be recorded just before.
const listingEndedSQL = "-1"

// markListedToTheEnd records in tx that the listings of the shares
// listed met every entry of their folder, whatever cut was recorded
// (Cancel all landing as the last rows were saved: their stop recorded
// first) or comes later (CutWalks leaves such a share as it is).
func markListedToTheEnd(tx *sql.Tx, listed []FolderKey) error {
	for _, k := range listed {
		_, err := tx.Exec(`UPDATE folder_shares SET listing_end = `+listingEndedSQL+` WHERE added_folder = ? AND batch_id = ?`, k.Folder, k.BatchID)
		if err != nil {
			return fmt.Errorf("record that folder %s was listed to its end: %w", k.Folder, err)
		}
	}
	return nil
}

// UpdateJob records a state change with its attempt count and human error
// message (empty to clear it). It returns an error wrapping [ErrNotFound] for
// an unknown id and [ErrJobDone] when the job is already done, so a late
// cancel or failure can never overwrite a finished upload. Use
// [DB.FinishJob] to mark a job done, and [DB.WriteJobs] for many changes.
func (d *DB) UpdateJob(id string, state JobState, attempts int, errMsg string) error {
	upErrs, _ := d.WriteJobs([]JobUpdate{{ID: id, State: state, Attempts: attempts, Error: errMsg}}, nil)
	return upErrs[0]
}

// FinishJob marks a job done (with row.Hash, row.Verified, row.Attempts,
// row.Size and row.Reported) and records its history entry in ONE transaction, so a crash can neither
// lose the history entry of a done job nor record a job twice: h.JobID is set
// to row.ID and the history insert is idempotent by it. Calling it again for
// the same job is harmless. An unknown job fails with [ErrNotFound] and
// writes nothing.
func (d *DB) FinishJob(row JobRow, h HistoryEntry) error {
	_, finErrs := d.WriteJobs(nil, []JobFinish{{Row: row, History: h}})
	return finErrs[0]
}

// JobUpdate is a state change of one job for [DB.WriteJobs], as
// [DB.UpdateJob] takes it.
type JobUpdate struct {
	// ID is the job's id.
	ID string
	// State is the job's new state (not JobDone: see JobFinish).
	State JobState
	// Attempts is the job's attempt count.
	Attempts int
	// Error is the human sentence of a failed or waiting job, or empty.
	Error string
	// Reason and ReasonArg are its code and detail (see JobRow), or empty.
	Reason, ReasonArg string
}

// JobFinish is a finished upload for [DB.WriteJobs], as [DB.FinishJob]
// takes it: the job done, and its history entry.
type JobFinish struct {
	// Row is the job, with its Hash, Verified, Attempts and Size: the
	// size sent, which is the file's at its turn, not at its listing.
	Row JobRow
	// History is its history entry (JobID empty or Row.ID).
	History HistoryEntry
}

// WriteJobs writes the upload queue's pending changes in ONE transaction:
// the state changes ups, each as [DB.UpdateJob] would, then the finishes
// fins, each as [DB.FinishJob] would (done and history entry together). A
// commit is the costly part of a small write (a WAL append of every page
// it touched), so the queue writes what piled up while the last commit ran
// in the next one, not one transaction per file.
//
// Each item gets its own result, in upErrs and finErrs (nil: written):
// [ErrJobDone] for an update of a done job, [ErrNotFound] for an unknown
// job, an [InvalidArgumentError] for a bad state or history job id. Such an
// item writes nothing and the others are written. When the transaction
// itself fails, every item is written again alone in a transaction of its
// own, so a failure reaches exactly the item that caused it; a full disk
// ([ErrDiskFull]) or a database file deleted or replaced
// ([ErrDatabaseReplaced]) fails every item at once.
func (d *DB) WriteJobs(ups []JobUpdate, fins []JobFinish) (upErrs, finErrs []error) {
	w := checkJobWrites(ups, fins)
	upErrs, finErrs = w.upErrs, w.finErrs
	if len(w.upIdx)+len(w.finIdx) == 0 {
		return upErrs, finErrs
	}
	if len(w.finIdx) > 0 {
		defer d.noteHistoryWritten()
	}
	if err := d.prepareJobWrites(&w); err != nil {
		w.failAll(err)
		return upErrs, finErrs
	}
	err := d.withTx(fmt.Sprintf("write %d job changes and %d finished uploads", len(w.upIdx), len(w.finIdx)), w.run)
	if err == nil || len(w.upIdx)+len(w.finIdx) == 1 || errors.Is(err, ErrDiskFull) || errors.Is(err, ErrDatabaseReplaced) {
		// (A full disk or a file deleted is no item's fault: each would
		// meet it alone too.)
		w.failAll(err)
		return upErrs, finErrs
	}
	d.writeEachAlone(&w) // isolate the failure
	return upErrs, finErrs
}

// checkJobWrites is the writes of ups and fins with the items that cannot
// be written (a bad state, job id or history job id) already failed: only
// the others are listed to write.
func checkJobWrites(ups []JobUpdate, fins []JobFinish) jobWrites {
	w := jobWrites{ups: ups, fins: fins, upErrs: make([]error, len(ups)), finErrs: make([]error, len(fins))}
	for i, u := range ups {
		if !u.State.Valid() {
			w.upErrs[i] = invalidArg("job state", fmt.Sprintf("%q is not a job state", string(u.State)))
		} else {
			w.upIdx = append(w.upIdx, i)
		}
	}
	for i := range fins {
		f := &fins[i]
		switch {
		case f.Row.ID == "":
			w.finErrs[i] = invalidArg("job id", "is empty")
		case f.History.JobID != "" && f.History.JobID != f.Row.ID:
			w.finErrs[i] = invalidArg("history job id", fmt.Sprintf("%q differs from the job's id %q", f.History.JobID, f.Row.ID))
		default:
			f.History.JobID = f.Row.ID
			w.finIdx = append(w.finIdx, i)
		}
	}
	return w
}

// writeEachAlone writes each item of w in a transaction of its own, so a
// failure reaches exactly the item that caused it.
func (d *DB) writeEachAlone(w *jobWrites) {
	for _, i := range w.upIdx {
		one := w.only([]int{i}, nil)
		w.upErrs[i] = d.withTx("update job "+w.ups[i].ID, one.run)
		if w.upErrs[i] == nil {
			w.upErrs[i] = one.upErrs[i]
		}
	}
	for _, i := range w.finIdx {
		one := w.only(nil, []int{i})
		w.finErrs[i] = d.withTx("finish job "+w.fins[i].Row.ID, one.run)
		if w.finErrs[i] == nil {
			w.finErrs[i] = one.finErrs[i]
		}
	}
}

// jobWrites is one WriteJobs call: its items, the indexes of those that
// passed validation, their outcomes and the prepared statements.
type jobWrites struct {
	ups            []JobUpdate
	fins           []JobFinish
	upIdx, finIdx  []int
	upErrs         []error
	finErrs        []error
	upd, fin, hist *sql.Stmt
	dropFound      *sql.Stmt
	joinLeft       *sql.Stmt
	supersedeLeft  *sql.Stmt
	sharesOf       *sql.Stmt
}

// prepareJobWrites fetches the prepared statements (outside the
// transaction: see writeStmt).
func (d *DB) prepareJobWrites(w *jobWrites) error {
	var err error
	if w.upd, err = d.writeStmt(updateJobSQL); err != nil {
		return err
	}
	if w.fin, err = d.writeStmt(finishJobSQL); err != nil {
		return err
	}
	if w.hist, err = d.writeStmt(recordHistorySQL); err != nil {
		return err
	}
	if w.dropFound, err = d.writeStmt(dropFoundOfJobSQL); err != nil {
		return err
	}
	if w.joinLeft, err = d.writeStmt(joinLeftSQL); err != nil {
		return err
	}
	if w.supersedeLeft, err = d.writeStmt(supersedeLeftSQL); err != nil {
		return err
	}
	w.sharesOf, err = d.writeStmt(sharesOfJobSQL)
	return err
}

// failAll gives err (nil: success) to every item without an outcome of
// its own.
func (w *jobWrites) failAll(err error) {
	if err == nil {
		return
	}
	for _, i := range w.upIdx {
		w.upErrs[i] = err
	}
	for _, i := range w.finIdx {
		w.finErrs[i] = err
	}
}

// only is w limited to the items upIdx and finIdx, with outcomes of its
// own.
func (w *jobWrites) only(upIdx, finIdx []int) *jobWrites {
	one := *w
	one.upIdx, one.finIdx = upIdx, finIdx
	one.upErrs, one.finErrs = make([]error, len(w.ups)), make([]error, len(w.fins))
	return &one
}

// run writes the items in tx. An item's own outcome (unknown, done) goes
// to its slot; any other error fails the transaction. It can run again
// after a rollback: it sets every outcome anew.
func (w *jobWrites) run(tx *sql.Tx) error {
	now := time.Now().UnixNano()
	upd, fin, hist := tx.Stmt(w.upd), tx.Stmt(w.fin), tx.Stmt(w.hist)
	shares := shareStmts{dropFound: tx.Stmt(w.dropFound), joinLeft: tx.Stmt(w.joinLeft), supersedeLeft: tx.Stmt(w.supersedeLeft),
		sharesOf: tx.Stmt(w.sharesOf)}
	for _, i := range w.upIdx {
		err := updateJobTx(tx, upd, w.ups[i], now)
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrJobDone) {
			return fmt.Errorf("update job %s to %s: %w", w.ups[i].ID, w.ups[i].State, err)
		}
		w.upErrs[i] = wrapJobErr(err, "update job %s to %s", w.ups[i].ID, w.ups[i].State)
	}
	for _, i := range w.finIdx {
		err := finishJobTx(tx, fin, hist, shares, w.fins[i], now)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("finish job %s: %w", w.fins[i].Row.ID, err)
		}
		w.finErrs[i] = wrapJobErr(err, "finish job %s", w.fins[i].Row.ID)
	}
	return nil
}

func wrapJobErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// updateJobTx runs one JobUpdate: ErrNotFound or ErrJobDone when no row
// changed.
func updateJobTx(tx *sql.Tx, upd *sql.Stmt, u JobUpdate, now int64) error {
	res, err := upd.Exec(string(u.State), u.Attempts, u.Error, u.Reason, u.ReasonArg, now, u.ID, string(JobDone))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	var cur string
	err = tx.QueryRow(jobStateSQL, u.ID).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	return ErrJobDone
}

// finishJobTx runs one JobFinish: the job done, then its history entry;
// ErrNotFound (nothing written) for an unknown job.
func finishJobTx(tx *sql.Tx, fin, hist *sql.Stmt, shares shareStmts, f JobFinish, now int64) error {
	r := f.Row
	if err := touchedOne(fin.Exec(string(JobDone), r.Hash, r.Verified, r.Attempts, r.Size, now, r.Reported, r.ID)); err != nil {
		return err
	}
	// Idempotent by JobID (always set here): finished twice, the entry is
	// written once, as AddHistory would.
	if _, err := hist.Exec(historyArgs(f.History)...); err != nil {
		return err
	}
	if touched, err := shares.mayTouch(r.ID); err != nil || !touched {
		return err
	}
	// A job found already uploaded and sent again: its own entry is its
	// file in the folder share now, not the earlier upload it found.
	if _, err := shares.dropFound.Exec(r.ID); err != nil {
		return err
	}
	// Nor a file its share left to another job of it.
	if _, err := shares.supersedeLeft.Exec(r.ID); err != nil {
		return err
	}
	// The shares that left this file to this job hold its upload now.
	_, err := shares.joinLeft.Exec(r.ID)
	return err
}

// shareStmts are finishJobTx's writes to the folder shares
// (folder_members), prepared in its transaction, and the look (sharesOf,
// sharesOfJobSQL) that tells when none of them can change a row; without
// it (nil) the writes always run.
type shareStmts struct{ dropFound, joinLeft, supersedeLeft, sharesOf *sql.Stmt }

// mayTouch reports whether the share writes of job id may change a row:
// one look instead of three writes that change nothing for a file no
// share has a row of and that no other job uploads, which is nearly every
// file (in BenchmarkUploadWrites the three cost about a sixth of the
// database's CPU per small file). The look runs in the writes'
// transaction, so nothing changes between it and them, and what a commit
// or a kill leaves is the same.
func (s shareStmts) mayTouch(id string) (bool, error) {
	if s.sharesOf == nil {
		return true, nil
	}
	res, err := s.sharesOf.Exec(id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// The per-file writes of the queue, prepared once (see DB.writeStmt).
const (
	updateJobSQL = `UPDATE jobs SET state = ?, attempts = ?, error = ?, reason = ?, reason_arg = ?, updated_at = ?
			WHERE id = ? AND state <> ?`
	finishJobSQL = `UPDATE jobs SET state = ?, hash = ?, verified = ?, attempts = ?, size = ?,
			error = '', reason = '', reason_arg = '', updated_at = ?, reported = ? WHERE id = ?`
	markReportedSQL   = `UPDATE jobs SET reported = 1 WHERE id = ?`
	unreportedDoneSQL = `SELECT ` + jobSelect + ` FROM jobs WHERE env = ? AND account = ? AND state = ? AND cleared = 0 AND reported = 0 ORDER BY seq`
	jobStateSQL       = `SELECT state FROM jobs WHERE id = ?`
)

// A job a share still counts on is only marked cleared (keptSQL).
var (
	keepAwaitedJobSQL = `UPDATE jobs SET cleared = 1 WHERE id = ? AND cleared = 0 AND ` + keptSQL
	deleteJobSQL      = `DELETE FROM jobs WHERE id = ? AND NOT ` + keptSQL
)

// newUUID returns a random (version 4, RFC 9562) UUID in its canonical
// text form. It is written here rather than imported to keep the package's
// dependencies to the standard library, SQLite and go-keyring.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails (it panics instead)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // variant 10
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[c>>4], hexdigits[c&0x0f])
	}
	return string(out)
}

// statesClause returns "state IN (?,…)" for the given states, validating
// them.
func statesClause(states []JobState) (string, []any, error) {
	marks := make([]string, len(states))
	args := make([]any, len(states))
	for i, s := range states {
		if !s.Valid() {
			return "", nil, invalidArg("job state", fmt.Sprintf("%q is not a job state", string(s)))
		}
		marks[i] = "?"
		args[i] = string(s)
	}
	return "state IN (" + strings.Join(marks, ", ") + ")", args, nil
}

// Jobs returns the jobs in any of states (all jobs when none are given), in
// the order they were inserted, so the worker and the UI show the queue as
// the person built it.
func (d *DB) Jobs(states ...JobState) ([]JobRow, error) {
	query := "SELECT " + jobSelect + " FROM jobs"
	var args []any
	if len(states) > 0 {
		c, a, err := statesClause(states)
		if err != nil {
			return nil, err
		}
		query += " WHERE " + c
		args = a
	}
	query += " ORDER BY seq"
	out, err := queryAll(d.r, scanJob, query, args...)
	if err != nil {
		return nil, explainDBError(d.path, fmt.Errorf("list jobs: %w", err))
	}
	return out, nil
}

// rowScanner is a *sql.Row or *sql.Rows, for the scan functions.
type rowScanner interface{ Scan(...any) error }

// querier is a *sql.DB or a *sql.Tx, for eachRow.
type querier interface {
	Query(query string, args ...any) (*sql.Rows, error)
}

// eachRow runs a query and hands every row, scanned with scan, to fn,
// streaming: for the listings and the history export.
func eachRow[T any](db querier, scan func(rowScanner) (T, error), fn func(T) error, query string, args ...any) error {
	rows, err := db.Query(query, args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// queryAll runs a query and returns every row, scanned with scan, for the
// listing methods of history, jobs and walks.
func queryAll[T any](db *sql.DB, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	var out []T
	err := eachRow(db, scan, func(v T) error { out = append(out, v); return nil }, query, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queryOne runs a query for one row, scanned with scan; no row is an error
// wrapping [ErrNotFound]. Errors name what was looked up.
func queryOne[T any](db *sql.DB, scan func(rowScanner) (T, error), what, query string, args ...any) (T, error) {
	v, err := scan(db.QueryRow(query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

// Job returns one job by id, or an error wrapping [ErrNotFound].
func (d *DB) Job(id string) (JobRow, error) {
	return queryOne(d.r, scanJob, "job "+id, "SELECT "+jobSelect+" FROM jobs WHERE id = ?", id)
}

// RequeueInterrupted turns every "uploading" job back into "queued" and
// returns how many there were. Call it once at startup, before the worker
// runs: a job still marked uploading then was interrupted by a crash or kill.
func (d *DB) RequeueInterrupted() (int, error) {
	var n int64
	err := d.withTx("requeue interrupted jobs", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE jobs SET state = ?, updated_at = ? WHERE state = ?`,
			string(JobQueued), time.Now().UnixNano(), string(JobUploading))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// RequeueInterruptedOf is RequeueInterrupted for one environment and
// account: what a queue that holds that account's lock (LockQueue) may
// safely take back, while another account's uploads may still be running.
func (d *DB) RequeueInterruptedOf(env, account string) (int, error) {
	var n int64
	err := d.withTx("requeue interrupted jobs", func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE jobs SET state = ?, updated_at = ? WHERE state = ? AND env = ? AND account = ?`,
			string(JobQueued), time.Now().UnixNano(), string(JobUploading), env, account)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// DeleteJobs removes the jobs in any of states and returns how many were
// removed. With no states it removes done, canceled, skipped and already uploaded jobs — what
// "Clear finished" means: failed jobs stay so they can be retried, and
// unfinished jobs are never removed implicitly. A job a folder share
// still counts on is only marked cleared (see keptSQL).
func (d *DB) DeleteJobs(states ...JobState) (int, error) {
	if len(states) == 0 {
		states = []JobState{JobDone, JobCanceled, JobSkipped, JobAlready}
	}
	c, args, err := statesClause(states)
	if err != nil {
		return 0, err
	}
	var kept, gone int64
	err = d.withTx("delete jobs", func(tx *sql.Tx) error {
		kept, err = rowsTouched(tx.Exec("UPDATE jobs SET cleared = 1 WHERE cleared = 0 AND "+c+" AND "+keptSQL, args...))
		if err == nil {
			gone, err = rowsTouched(tx.Exec("DELETE FROM jobs WHERE "+c+" AND NOT "+keptSQL, args...))
		}
		return err
	})
	return int(kept + gone), err
}

// MarkReported records that the results of these jobs were printed, so a
// later run does not print them again (unknown ids are ignored). A done
// job not marked is one whose result no run has printed yet: an
// interrupted or killed command line leaves it for the next one.
func (d *DB) MarkReported(ids ...string) error {
	_, err := eachID(d, "mark jobs reported", ids, markReportedSQL)
	return err
}

// UnreportedDone returns the done jobs of env and account whose result no
// run has printed yet (see MarkReported), in the order they were added.
func (d *DB) UnreportedDone(env, account string) ([]JobRow, error) {
	if err := d.indexUntrusted(); err != nil {
		return nil, fmt.Errorf("read the uploads not reported yet: %w", err)
	}
	rows, err := queryAll(d.r, scanJob, unreportedDoneSQL, env, account, string(JobDone))
	if err != nil {
		return nil, fmt.Errorf("read the uploads not reported yet: %w", explainDBError(d.path, err))
	}
	return rows, nil
}

// DeleteJobIDs removes the rows of exactly these jobs (unknown ids are
// ignored), so taking one job out of a list never touches another's row,
// and returns how many it took out. Done jobs stay in the history. A job
// whose file a folder share left to it, and still counts on, is only
// marked cleared (see keptSQL).
func (d *DB) DeleteJobIDs(ids ...string) (int, error) {
	return eachID(d, "delete jobs", ids, keepAwaitedJobSQL, deleteJobSQL)
}

// eachID runs one-id statements (a DELETE, an UPDATE), in order, for each
// of ids in one transaction and returns how many rows they touched
// (unknown ids count nothing).
func eachID[ID int64 | string](d *DB, what string, ids []ID, queries ...string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	err := d.withTx(what, func(tx *sql.Tx) error {
		sts := make([]*sql.Stmt, 0, len(queries))
		defer func() {
			for _, st := range sts {
				_ = st.Close()
			}
		}()
		for _, q := range queries {
			st, err := tx.Prepare(q)
			if err != nil {
				return err
			}
			sts = append(sts, st)
		}
		for _, id := range ids {
			for _, st := range sts {
				k, err := rowsTouched(st.Exec(id))
				if err != nil {
					return err
				}
				n += k
			}
		}
		return nil
	})
	return int(n), err
}

// rowsTouched is how many rows a statement's result touched.
func rowsTouched(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
