package storage

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
)

// The queue at 100,000 files.
//
// The worker no longer holds every job in memory: it holds the jobs it is
// working on (uploading, waiting for a retry, the next few to start) and
// reads the rest from here a window at a time, in the order they were added
// (seq). Every read below is a range of an index, so it costs O(log n) plus
// the rows it returns, and every bulk change (cancel all, retry failed,
// clear finished, sign-in) is one statement that reports what it changed per
// state, so the worker keeps its counts without recounting.
//
// A row the person cleared from the list while its batch is still being
// listed (a walk row exists) is not deleted but marked cleared: a listing
// resumed after a crash tells from its batch's rows which files are already
// queued or uploaded, and without the row it would upload that one again.
// Cleared rows are invisible to the list and the counts, and go once the
// batch's listing ends (DeleteCleared) or at the next start. So is the row
// of a job taken out of the list whose file a folder share left to it and
// still counts on (awaitedSQL): it goes the same way once that share
// holds the file itself, and stays while the share lacks it. The row of a
// folder's file its own share did not upload (canceled, skipped as
// unreadable, removed: droppedSQL) stays too: it is all that says the
// share lacks that file.

// migrateV8 adds the cleared mark and indexes the jobs for what the worker
// and the views ask per file or per page: an account's list in order
// (jobs_list: env, account, cleared, seq), its jobs in one state in order
// — the scheduler's next queued window, the counts, the bulk changes —
// (jobs_queue: env, account, state, cleared, seq), and a resumed listing's
// "is this file already queued" (jobs_batch: batch_id, local_path).
// jobs_state and the old jobs_batch (batch_id alone) are replaced.
func migrateV8(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE jobs ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0`,
		`DROP INDEX jobs_state`,
		`DROP INDEX jobs_batch`,
		`CREATE INDEX jobs_queue ON jobs (env, account, state, cleared, seq)`,
		`CREATE INDEX jobs_list ON jobs (env, account, cleared, seq)`,
		`CREATE INDEX jobs_batch ON jobs (batch_id, local_path)`,
	)
}

// migrateV13 indexes the jobs by file (jobs_file: env, account,
// local_path), so that a listing asks in O(log n) whether the files of a
// folder are already queued in any batch of the account (JobsIn), not only
// in its own: without it, a folder added again while its files still
// waited from an interrupted run queued them a second time.
func migrateV13(tx *sql.Tx) error {
	return execAll(tx, `CREATE INDEX jobs_file ON jobs (env, account, local_path)`)
}

// StateCount is how many jobs are in one state and their total size.
type StateCount struct {
	Jobs  int
	Bytes int64
}

// StateCounts maps each job state to its StateCount: what a bulk change
// moved, or what an account's queue holds.
type StateCounts map[JobState]StateCount

// Add adds the jobs and bytes of o to c.
func (c StateCounts) Add(o StateCounts) {
	for s, n := range o {
		cur := c[s]
		c[s] = StateCount{Jobs: cur.Jobs + n.Jobs, Bytes: cur.Bytes + n.Bytes}
	}
}

// Total is the number of jobs in every state.
func (c StateCounts) Total() int {
	n := 0
	for _, v := range c {
		n += v.Jobs
	}
	return n
}

// The queue's per-account reads, named for TestHotPathQueryPlans.
const (
	listedJob       = `env = ? AND account = ? AND cleared = 0`
	jobCountsSQL    = `SELECT state, count(*), total(size) FROM jobs WHERE ` + listedJob + ` GROUP BY state`
	queuedJobsSQL   = `SELECT ` + jobSelect + ` FROM jobs WHERE env = ? AND account = ? AND state = ? AND seq > ? AND cleared = 0 ORDER BY seq LIMIT ?`
	listJobsSQL     = `SELECT ` + jobSelect + ` FROM jobs WHERE ` + listedJob + ` AND seq > ? ORDER BY seq LIMIT ? OFFSET ?`
	listJobsBackSQL = `SELECT ` + jobSelect + ` FROM jobs WHERE ` + listedJob + ` AND seq < ? ORDER BY seq DESC LIMIT ?`
	fileJobsSQL     = `SELECT id, batch_id, state, folder_path, parent_id, expect_sha256, cleared, beneath, local_path FROM jobs WHERE env = ? AND account = ? AND local_path >= ? AND local_path < ?`
)

// JobCounts returns how many listed (not cleared) jobs env and account have
// in each state, and their sizes: read once when a queue opens, which then
// keeps them as jobs change.
func (d *DB) JobCounts(env, account string) (StateCounts, error) {
	if err := d.indexUntrusted(); err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	out, err := scanCounts(d.r.Query(jobCountsSQL, env, account))
	if err != nil {
		return nil, fmt.Errorf("count jobs: %w", err)
	}
	return out, nil
}

// QueuedJobs returns up to limit jobs of env and account in state, after
// seq afterSeq, in the order they were added: the scheduler's next window.
func (d *DB) QueuedJobs(env, account string, state JobState, afterSeq int64, limit int) ([]JobRow, error) {
	if err := d.indexUntrusted(); err != nil {
		return nil, fmt.Errorf("read the next %s jobs: %w", state, err)
	}
	out, err := queryAll(d.r, scanJob, queuedJobsSQL, env, account, string(state), afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read the next %s jobs: %w", state, err)
	}
	return out, nil
}

// ListJobs returns up to limit listed jobs of env and account in the order
// they were added, skipping offset of them after seq afterSeq (0: from the
// start). A view that knows a neighbouring row pages by its seq, which costs
// O(log n); a jump to row k uses the offset, which costs O(k) index steps.
func (d *DB) ListJobs(env, account string, afterSeq int64, offset, limit int) ([]JobRow, error) {
	out, err := queryAll(d.r, scanJob, listJobsSQL, env, account, afterSeq, limit, max(offset, 0))
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return out, nil
}

// ListJobsBefore returns up to limit listed jobs of env and account added
// just before seq beforeSeq, in the order they were added: the page above a
// known row.
func (d *DB) ListJobsBefore(env, account string, beforeSeq int64, limit int) ([]JobRow, error) {
	out, err := queryAll(d.r, scanJob, listJobsBackSQL, env, account, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// FileJob is one job of a local file, as much of it as a listing needs to
// tell whether the file is already in the queue for the same place.
type FileJob struct {
	// ID is the job's id, so the worker can prefer the state it holds in
	// memory (written behind) over the row's.
	ID string
	// BatchID is the Add call the job came with.
	BatchID string
	// State is the row's state.
	State JobState
	// FolderPath and ParentID are where the file goes.
	FolderPath string
	ParentID   *int64
	// ExpectSHA256 is the checksum the job checks, if any.
	ExpectSHA256 string
	// Cleared is set on a row taken out of the list while its batch is
	// still being listed.
	Cleared bool
	// Beneath is the folder whose listing found the file ("" for a file
	// named on its own; JobRow.Beneath).
	Beneath string
}

// FileJobs holds the jobs of the files at or below one local path, read
// in one index range scan (JobsIn), so that listing a folder of thousands
// of files asks the database once which of them are in the queue already.
type FileJobs struct {
	byPath map[string][]FileJob
}

// Of returns the jobs of the file at path (none for a nil FileJobs).
func (f *FileJobs) Of(path string) []FileJob {
	if f == nil {
		return nil
	}
	return f.byPath[path]
}

// All yields each job held, with its file's path (none for a nil
// FileJobs).
func (f *FileJobs) All() iter.Seq2[string, FileJob] {
	return func(yield func(string, FileJob) bool) {
		if f == nil {
			return
		}
		for p, jobs := range f.byPath {
			for _, j := range jobs {
				if !yield(p, j) {
					return
				}
			}
		}
	}
}

// JobsIn returns every job of env and account for the file at path, or for
// the files below it when it is a folder (at any depth), in any state,
// cleared or not: what a listing checks before it queues a file, so that a
// file already queued (by this batch before a crash, or by another batch
// still waiting) is not queued, and uploaded, twice. One range of the
// jobs_file index: O(log n) in the size of the queue plus the jobs of
// those files.
func (d *DB) JobsIn(env, account, path string) (*FileJobs, error) {
	lo, hi, below := pathSpan(path)
	rows, err := d.r.Query(fileJobsSQL, env, account, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("look for %s in the queue: %w", path, err)
	}
	defer rows.Close()
	f := &FileJobs{byPath: make(map[string][]FileJob)}
	for rows.Next() {
		var local string
		j, err := scanFileJob(withColumns{rows, []any{&local}})
		if err != nil {
			return nil, fmt.Errorf("look for %s in the queue: %w", path, err)
		}
		if local != path && !strings.HasPrefix(local, below) {
			continue // a sibling sharing the prefix
		}
		f.byPath[local] = append(f.byPath[local], j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look for %s in the queue: %w", path, err)
	}
	return f, nil
}

// scanFileJob reads one row of fileJobsSQL.
func scanFileJob(sc rowScanner) (FileJob, error) {
	var j FileJob
	var parent sql.NullInt64
	if err := sc.Scan(&j.ID, &j.BatchID, &j.State, &j.FolderPath, &parent, &j.ExpectSHA256, &j.Cleared, &j.Beneath); err != nil {
		return FileJob{}, err
	}
	j.ParentID = ptrInt(parent)
	return j, nil
}

// JobChange is one bulk change of an account's listed jobs: the jobs in
// any of From (not among Except, the jobs the worker holds in memory and
// writes itself) get state To with Error Msg and Reason Reason (no
// ReasonArg); ResetAttempts also zeroes
// their attempt counts (a retry starts afresh).
type JobChange struct {
	Env, Account  string
	From          []JobState
	To            JobState
	Msg           string
	Reason        string
	ResetAttempts bool
	Except        []string
}

// ChangeJobs applies c in one transaction and returns what it moved, by the
// state each job was in.
func (d *DB) ChangeJobs(c JobChange) (StateCounts, error) {
	if !c.To.Valid() {
		return nil, invalidArg("job state", fmt.Sprintf("%q is not a job state", string(c.To)))
	}
	where, args, err := bulkWhere(c.Env, c.Account, c.From, c.Except)
	if err != nil {
		return nil, err
	}
	set := "state = ?, error = ?, reason = ?, reason_arg = '', updated_at = ?"
	if c.ResetAttempts {
		set += ", attempts = 0"
	}
	var moved StateCounts
	err = d.withTx(fmt.Sprintf("change %v jobs to %s", c.From, c.To), func(tx *sql.Tx) error {
		if moved, err = countWhere(tx, where, args); err != nil {
			return err
		}
		_, err := tx.Exec("UPDATE jobs SET "+set+" WHERE "+where,
			append([]any{string(c.To), c.Msg, c.Reason, time.Now().UnixNano()}, args...)...)
		return err
	})
	return moved, err
}

// ClearJobs takes the listed jobs of env and account in any of states (not
// among except) out of the list: deleted, or only marked cleared when their
// batch is among keepBatches (still being listed, see above) or a folder
// share still counts on their job (keptSQL). It returns what it took
// out, by state.
func (d *DB) ClearJobs(env, account string, states []JobState, except, keepBatches []string) (StateCounts, error) {
	where, args, err := bulkWhere(env, account, states, except)
	if err != nil {
		return nil, err
	}
	keep, keepArgs := inList("batch_id", keepBatches)
	var gone StateCounts
	err = d.withTx(fmt.Sprintf("clear %v jobs", states), func(tx *sql.Tx) error {
		if gone, err = countWhere(tx, where, args); err != nil {
			return err
		}
		if len(keepBatches) > 0 {
			if _, err := tx.Exec("UPDATE jobs SET cleared = 1 WHERE "+where+" AND "+keep, append(args, keepArgs...)...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE jobs SET cleared = 1 WHERE "+where+" AND "+keptSQL, args...); err != nil {
			return err
		}
		_, err := tx.Exec("DELETE FROM jobs WHERE "+where, args...)
		return err
	})
	return gone, err
}

// markClearedSQL marks the jobs whose ids the JSON array ? lists cleared.
const markClearedSQL = "UPDATE jobs SET cleared = 1 WHERE id" + inJSON

// MarkJobsCleared marks the jobs with these ids cleared (see above), for
// jobs taken out of the list one by one while their batch is being listed.
func (d *DB) MarkJobsCleared(ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return d.withTx("mark cleared jobs", func(tx *sql.Tx) error {
		_, err := tx.Exec(markClearedSQL, jsonList(ids))
		return err
	})
}

// DeleteCleared deletes the cleared rows of env and account, but those of
// the batches in keepBatches (still being listed) and those a folder
// share still counts on (keptSQL).
func (d *DB) DeleteCleared(env, account string, keepBatches []string) error {
	query := `DELETE FROM jobs WHERE env = ? AND account = ? AND cleared = 1 AND NOT ` + keptSQL
	args := []any{env, account}
	if len(keepBatches) > 0 {
		in, more := inList("batch_id", keepBatches)
		query += " AND NOT " + in
		args = append(args, more...)
	}
	return d.withTx("delete cleared jobs", func(tx *sql.Tx) error {
		_, err := tx.Exec(query, args...)
		return err
	})
}

// bulkWhere selects the listed jobs of env and account in any of states,
// but not those in except.
func bulkWhere(env, account string, states []JobState, except []string) (string, []any, error) {
	c, args, err := statesClause(states)
	if err != nil {
		return "", nil, err
	}
	where := listedJob + " AND " + c
	args = append([]any{env, account}, args...)
	if len(except) > 0 {
		in, more := inList("id", except)
		where += " AND NOT " + in
		args = append(args, more...)
	}
	return where, args, nil
}

// countWhere counts the jobs matching where, by state, in tx.
func countWhere(tx *sql.Tx, where string, args []any) (StateCounts, error) {
	return scanCounts(tx.Query("SELECT state, count(*), total(size) FROM jobs WHERE "+where+" GROUP BY state", args...))
}

// scanCounts reads the rows of a query of state, count(*), total(size)
// (its rows and error, as Query returns them).
func scanCounts(rows *sql.Rows, err error) (StateCounts, error) {
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	out := make(StateCounts)
	for rows.Next() {
		var s JobState
		var c StateCount
		var bytes float64
		if err := rows.Scan(&s, &c.Jobs, &bytes); err != nil {
			return nil, err
		}
		c.Bytes = int64(bytes)
		out[s] = c
	}
	return out, rows.Err()
}

// inJSON is " IN (…)" of the values of one JSON array, bound as one
// parameter (jsonList) however many they are: SQLite binds at most 32,766
// variables in one statement (SQLITE_MAX_VARIABLE_NUMBER, as
// modernc.org/sqlite builds it), and a list sized by the caller (the jobs
// a window holds or removed at once, the uploads of one file) may hold
// more. Each value is looked up by the column's index, as with "?, ?".
const inJSON = " IN (SELECT value FROM json_each(?))"

// jsonList is values as the JSON array inJSON takes (ids of the app's
// own: valid UTF-8); none is "[]", no row (JSON null would be one, NULL).
func jsonList[T string | int64](values []T) string {
	if len(values) == 0 {
		return "[]"
	}
	list, _ := json.Marshal(values) // strings and integers always marshal
	return string(list)
}

// inList is "col IN (…)" for values (inJSON), with its argument.
func inList(col string, values []string) (string, []any) {
	return col + inJSON, []any{jsonList(values)}
}

// AccountPending is what one account's saved queue on one environment
// still has to do: its uploads queued, interrupted or waiting for a sign-in
// (failed ones aside), and its folders not fully listed.
type AccountPending struct {
	Env     string
	Account string
	Jobs    int
	Walks   int
}

// pendingOfOthersSQL counts, per environment and account but one, the
// unfinished jobs and the walks (the window's, before any sign-in, aside).
const pendingOfOthersSQL = `SELECT env, account, sum(jobs), sum(walks) FROM (
	SELECT env, account, count(*) AS jobs, 0 AS walks FROM jobs
		WHERE account != '' AND NOT (env = ? AND account = ?) AND cleared = 0 AND state IN (?, ?, ?) GROUP BY env, account
	UNION ALL
	SELECT env, account, 0, count(*) FROM walks WHERE account != '' AND NOT (env = ? AND account = ?) GROUP BY env, account
) GROUP BY env, account ORDER BY env, account`

// PendingOfOthers returns what the saved queues of every account other
// than account on env still have to do (on env, and on every other
// environment), those with nothing left aside: a run of account that
// finds nothing to do says whose uploads wait (signed in to another
// account or environment since they were added), rather than that nothing
// does.
func (d *DB) PendingOfOthers(env, account string) ([]AccountPending, error) {
	out, err := queryAll(d.r, func(sc rowScanner) (AccountPending, error) {
		var p AccountPending
		return p, sc.Scan(&p.Env, &p.Account, &p.Jobs, &p.Walks)
	}, pendingOfOthersSQL, env, account, string(JobQueued), string(JobUploading), string(JobWaitingSignIn), env, account)
	if err != nil {
		return nil, fmt.Errorf("count the uploads of other accounts: %w", explainDBError(d.path, err))
	}
	return out, nil
}
