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
	// Error is the human-readable reason for failed or skipped jobs.
	Error string `json:"error"`
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
	comment, state, attempts, error, hash, verified, created_at, updated_at, beneath, file_id, expect_sha256, reported`

// jobSelect is the SELECT list matching scanJob: the row's seq, jobCols,
// and the cleared mark (see queuewindow.go).
const jobSelect = `seq, ` + jobCols + `, cleared`

func scanJob(sc rowScanner) (JobRow, error) {
	var j JobRow
	var parent sql.NullInt64
	var created, updated int64
	err := sc.Scan(&j.Seq, &j.ID, &j.BatchID, &j.Env, &j.Account, &j.LocalPath, &j.Name, &j.Size,
		&j.FolderPath, &parent, &j.Comment, &j.State, &j.Attempts, &j.Error, &j.Hash,
		&j.Verified, &created, &updated, &j.Beneath, &j.FileID, &j.ExpectSHA256, &j.Reported, &j.Cleared)
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
func (d *DB) InsertJobs(rows []JobRow) error {
	if len(rows) == 0 {
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
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer func() { _ = st.Close() }()
		for i := range rows {
			r := &rows[i]
			res, err := st.Exec(r.ID, r.BatchID, r.Env, r.Account, r.LocalPath, r.Name, r.Size,
				r.FolderPath, nullInt(r.ParentID), r.Comment, string(r.State), r.Attempts, r.Error,
				r.Hash, r.Verified, nanos(r.CreatedAt), nanos(r.UpdatedAt), r.Beneath, r.FileID, r.ExpectSHA256, r.Reported)
			if err != nil {
				return fmt.Errorf("job %s: %w", r.ID, err)
			}
			if r.Seq, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("job %s: %w", r.ID, err)
			}
		}
		return nil
	})
}

// UpdateJob records a state change with its attempt count and human error
// message (empty to clear it). It returns an error wrapping [ErrNotFound] for
// an unknown id and [ErrJobDone] when the job is already done, so a late
// cancel or failure can never overwrite a finished upload. Use
// [DB.FinishJob] to mark a job done.
func (d *DB) UpdateJob(id string, state JobState, attempts int, errMsg string) error {
	if !state.Valid() {
		return invalidArg("job state", fmt.Sprintf("%q is not a job state", string(state)))
	}
	upd, err := d.writeStmt(updateJobSQL)
	if err != nil {
		return fmt.Errorf("update job %s to %s: %w", id, state, err)
	}
	return d.withTxGrouped(fmt.Sprintf("update job %s to %s", id, state), func(tx *sql.Tx) error {
		res, err := tx.Stmt(upd).Exec(
			string(state), attempts, errMsg, time.Now().UnixNano(), id, string(JobDone))
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
		err = tx.QueryRow(jobStateSQL, id).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return ErrJobDone
	})
}

// FinishJob marks a job done (with row.Hash, row.Verified, row.Attempts
// and row.Reported) and records its history entry in ONE transaction, so a crash can neither
// lose the history entry of a done job nor record a job twice: h.JobID is set
// to row.ID and the history insert is idempotent by it. Calling it again for
// the same job is harmless. An unknown job fails with [ErrNotFound] and
// writes nothing.
func (d *DB) FinishJob(row JobRow, h HistoryEntry) error {
	if row.ID == "" {
		return invalidArg("job id", "is empty")
	}
	if h.JobID != "" && h.JobID != row.ID {
		return invalidArg("history job id", fmt.Sprintf("%q differs from the job's id %q", h.JobID, row.ID))
	}
	h.JobID = row.ID
	fin, err := d.writeStmt(finishJobSQL)
	if err != nil {
		return fmt.Errorf("finish job %s: %w", row.ID, err)
	}
	ins, err := d.writeStmt(insertHistorySQL)
	if err != nil {
		return fmt.Errorf("finish job %s: %w", row.ID, err)
	}
	defer d.noteHistoryWritten()
	return d.withTxGrouped("finish job "+row.ID, func(tx *sql.Tx) error {
		if err := touchedOne(tx.Stmt(fin).Exec(
			string(JobDone), row.Hash, row.Verified, row.Attempts, time.Now().UnixNano(), row.Reported, row.ID)); err != nil {
			return err
		}
		_, err = addHistory(txStmtQueryer{tx, ins}, h)
		return err
	})
}

// The per-file writes of the queue, prepared once (see DB.writeStmt).
const (
	updateJobSQL = `UPDATE jobs SET state = ?, attempts = ?, error = ?, updated_at = ?
			WHERE id = ? AND state <> ?`
	finishJobSQL = `UPDATE jobs SET state = ?, hash = ?, verified = ?, attempts = ?,
			error = '', updated_at = ?, reported = ? WHERE id = ?`
	markReportedSQL   = `UPDATE jobs SET reported = 1 WHERE id = ?`
	unreportedDoneSQL = `SELECT ` + jobSelect + ` FROM jobs WHERE env = ? AND account = ? AND state = ? AND cleared = 0 AND reported = 0 ORDER BY seq`
	jobStateSQL       = `SELECT state FROM jobs WHERE id = ?`
	deleteJobSQL      = `DELETE FROM jobs WHERE id = ?`
)

// txStmtQueryer runs insertHistorySQL through a prepared statement and any
// other query on tx, for addHistory.
type txStmtQueryer struct {
	tx  *sql.Tx
	ins *sql.Stmt // insertHistorySQL, prepared
}

func (q txStmtQueryer) QueryRow(query string, args ...any) *sql.Row {
	if query == insertHistorySQL {
		return q.tx.Stmt(q.ins).QueryRow(args...)
	}
	return q.tx.QueryRow(query, args...)
}

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

// eachRow runs a query and hands every row, scanned with scan, to fn,
// streaming: for the listings and the history export.
func eachRow[T any](db *sql.DB, scan func(rowScanner) (T, error), fn func(T) error, query string, args ...any) error {
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
// unfinished jobs are never removed implicitly.
func (d *DB) DeleteJobs(states ...JobState) (int, error) {
	if len(states) == 0 {
		states = []JobState{JobDone, JobCanceled, JobSkipped, JobAlready}
	}
	c, args, err := statesClause(states)
	if err != nil {
		return 0, err
	}
	var n int64
	err = d.withTx("delete jobs", func(tx *sql.Tx) error {
		res, err := tx.Exec("DELETE FROM jobs WHERE "+c, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// MarkReported records that the results of these jobs were printed, so a
// later run does not print them again (unknown ids are ignored). A done
// job not marked is one whose result no run has printed yet: an
// interrupted or killed command line leaves it for the next one.
func (d *DB) MarkReported(ids ...string) error {
	_, err := eachID(d, "mark jobs reported", markReportedSQL, ids)
	return err
}

// UnreportedDone returns the done jobs of env and account whose result no
// run has printed yet (see MarkReported), in the order they were added.
func (d *DB) UnreportedDone(env, account string) ([]JobRow, error) {
	rows, err := queryAll(d.r, scanJob, unreportedDoneSQL, env, account, string(JobDone))
	if err != nil {
		return nil, fmt.Errorf("read the uploads not reported yet: %w", err)
	}
	return rows, nil
}

// DeleteJobIDs removes the rows of exactly these jobs (unknown ids are
// ignored), so taking one job out of a list never touches another's row.
// Done jobs stay in the history.
func (d *DB) DeleteJobIDs(ids ...string) (int, error) {
	return eachID(d, "delete jobs", deleteJobSQL, ids)
}

// eachID runs a one-id statement (a DELETE or an UPDATE) for each of ids
// in one transaction and returns how many rows it touched (unknown ids
// count nothing).
func eachID[ID int64 | string](d *DB, what, query string, ids []ID) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	err := d.withTx(what, func(tx *sql.Tx) error {
		st, err := tx.Prepare(query)
		if err != nil {
			return err
		}
		defer func() { _ = st.Close() }()
		for _, id := range ids {
			res, err := st.Exec(id)
			if err != nil {
				return err
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	return int(n), err
}
