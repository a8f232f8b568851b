package storage

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// windowJobs inserts n jobs of one account (sizes 1…n, batch "b", paths
// /f/000…) with the states given in turn, and one job of another account.
func windowJobs(t *testing.T, d *DB, n int, states ...JobState) []JobRow {
	t.Helper()
	rows := make([]JobRow, n)
	for i := range rows {
		rows[i] = JobRow{BatchID: "b", Env: "testnet", Account: "a@example.com",
			LocalPath: fmt.Sprintf("/f/%03d", i), Name: fmt.Sprintf("%03d", i), Size: int64(i + 1),
			State: states[i%len(states)]}
	}
	require.NoError(t, d.InsertJobs(rows))
	require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "o", Env: "testnet", Account: "other@example.com", LocalPath: "/o"}}))
	for i := 1; i < n; i++ {
		require.Greater(t, rows[i].Seq, rows[i-1].Seq, "InsertJobs sets Seq in order")
	}
	return rows
}

func TestJobCountsAndQueuedWindow(t *testing.T) {
	d := openTestDB(t)
	rows := windowJobs(t, d, 10, JobQueued, JobDone)

	counts, err := d.JobCounts("testnet", "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, StateCounts{
		JobQueued: {Jobs: 5, Bytes: 1 + 3 + 5 + 7 + 9},
		JobDone:   {Jobs: 5, Bytes: 2 + 4 + 6 + 8 + 10},
	}, counts)
	assert.Equal(t, 10, counts.Total())

	next, err := d.QueuedJobs("testnet", "a@example.com", JobQueued, 0, 2)
	require.NoError(t, err)
	require.Len(t, next, 2)
	assert.Equal(t, []string{rows[0].ID, rows[2].ID}, []string{next[0].ID, next[1].ID})
	next, err = d.QueuedJobs("testnet", "a@example.com", JobQueued, next[1].Seq, 10)
	require.NoError(t, err)
	require.Len(t, next, 3, "after the cursor")
	assert.Equal(t, rows[4].ID, next[0].ID)
}

func TestListJobsPages(t *testing.T) {
	d := openTestDB(t)
	rows := windowJobs(t, d, 20, JobQueued)
	page, err := d.ListJobs("testnet", "a@example.com", 0, 5, 4)
	require.NoError(t, err)
	require.Len(t, page, 4)
	assert.Equal(t, rows[5].ID, page[0].ID, "an offset from the start")
	after, err := d.ListJobs("testnet", "a@example.com", page[3].Seq, 0, 4)
	require.NoError(t, err)
	assert.Equal(t, rows[9].ID, after[0].ID, "the page after a known row")
	before, err := d.ListJobsBefore("testnet", "a@example.com", page[0].Seq, 3)
	require.NoError(t, err)
	require.Len(t, before, 3)
	assert.Equal(t, []string{rows[2].ID, rows[3].ID, rows[4].ID}, []string{before[0].ID, before[1].ID, before[2].ID}, "the page before, in order")

	require.NoError(t, d.MarkJobsCleared(rows[0].ID, rows[1].ID))
	page, err = d.ListJobs("testnet", "a@example.com", 0, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, rows[2].ID, page[0].ID, "cleared rows are not listed")
	counts, err := d.JobCounts("testnet", "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, 18, counts.Total(), "nor counted")

	assert.True(t, batchHasFile(t, d, "b", rows[0].LocalPath), "a cleared row still tells a resumed listing the file is queued")
	assert.False(t, batchHasFile(t, d, "b", "/f/none"))
}

// batchHasFile reports whether batch has a job, cleared or not, for path
// (of windowJobs' account).
func batchHasFile(t *testing.T, d *DB, batch, path string) bool {
	t.Helper()
	jobs, err := d.JobsIn("testnet", "a@example.com", path)
	require.NoError(t, err)
	for _, j := range jobs.Of(path) {
		if j.BatchID == batch {
			return true
		}
	}
	return false
}

func TestJobsInFindsEveryBatchOfOneAccount(t *testing.T) {
	d := openTestDB(t)
	p := filepath.FromSlash // the system's separator, as the walk spells paths
	parent := int64(7)
	require.NoError(t, d.InsertJobs([]JobRow{
		{BatchID: "b1", Env: "testnet", Account: "a@example.com", LocalPath: p("/f/x"), FolderPath: "/p/", State: JobQueued},
		{BatchID: "b2", Env: "testnet", Account: "a@example.com", LocalPath: p("/f/x"), ParentID: &parent, ExpectSHA256: "ab", State: JobFailed},
		{BatchID: "b3", Env: "testnet", Account: "a@example.com", LocalPath: p("/f/sub/y"), State: JobQueued},
		{BatchID: "b3", Env: "testnet", Account: "a@example.com", LocalPath: p("/f2/z"), State: JobQueued},
		{BatchID: "b4", Env: "testnet", Account: "other@example.com", LocalPath: p("/f/x"), State: JobQueued},
		{BatchID: "b5", Env: "production", Account: "a@example.com", LocalPath: p("/f/x"), State: JobQueued},
	}))
	file, err := d.JobsIn("testnet", "a@example.com", p("/f/x"))
	require.NoError(t, err)
	jobs := file.Of(p("/f/x"))
	require.Len(t, jobs, 2, "only this account's jobs of this file")
	byBatch := map[string]FileJob{jobs[0].BatchID: jobs[0], jobs[1].BatchID: jobs[1]}
	assert.Equal(t, JobQueued, byBatch["b1"].State)
	assert.Equal(t, "/p/", byBatch["b1"].FolderPath)
	assert.Nil(t, byBatch["b1"].ParentID)
	assert.Equal(t, JobFailed, byBatch["b2"].State)
	require.NotNil(t, byBatch["b2"].ParentID)
	assert.Equal(t, parent, *byBatch["b2"].ParentID)
	assert.Equal(t, "ab", byBatch["b2"].ExpectSHA256)
	assert.NotEmpty(t, byBatch["b1"].ID)

	folder, err := d.JobsIn("testnet", "a@example.com", p("/f"))
	require.NoError(t, err)
	assert.Len(t, folder.Of(p("/f/x")), 2)
	assert.Len(t, folder.Of(p("/f/sub/y")), 1, "at any depth")
	assert.Empty(t, folder.Of(p("/f2/z")), "a sibling sharing the prefix is not below")

	require.NoError(t, d.MarkJobsCleared(byBatch["b1"].ID))
	file, err = d.JobsIn("testnet", "a@example.com", p("/f/x"))
	require.NoError(t, err)
	require.Len(t, file.Of(p("/f/x")), 2, "cleared rows too")
	for _, j := range file.Of(p("/f/x")) {
		assert.Equal(t, j.BatchID == "b1", j.Cleared, j.BatchID)
	}
	none, err := d.JobsIn("testnet", "a@example.com", p("/f/none"))
	require.NoError(t, err)
	assert.Empty(t, none.Of(p("/f/none")))
	assert.Empty(t, (*FileJobs)(nil).Of(p("/f/x")))
}

func TestChangeJobsReportsWhatMoved(t *testing.T) {
	d := openTestDB(t)
	rows := windowJobs(t, d, 9, JobQueued, JobWaitingSignIn, JobFailed)
	_, err := d.w.Exec(`UPDATE jobs SET attempts = 3, error = 'x'`)
	require.NoError(t, err)

	moved, err := d.ChangeJobs(JobChange{Env: "testnet", Account: "a@example.com",
		From: []JobState{JobQueued, JobWaitingSignIn}, To: JobCanceled, Except: []string{rows[0].ID}})
	require.NoError(t, err)
	assert.Equal(t, StateCounts{
		JobQueued:        {Jobs: 2, Bytes: 4 + 7},
		JobWaitingSignIn: {Jobs: 3, Bytes: 2 + 5 + 8},
	}, moved, "the job held in memory is left to the worker")
	r, err := d.Job(rows[0].ID)
	require.NoError(t, err)
	assert.Equal(t, JobQueued, r.State)

	moved, err = d.ChangeJobs(JobChange{Env: "testnet", Account: "a@example.com",
		From: []JobState{JobFailed}, To: JobQueued, ResetAttempts: true})
	require.NoError(t, err)
	assert.Equal(t, 3, moved[JobFailed].Jobs)
	r, err = d.Job(rows[2].ID)
	require.NoError(t, err)
	assert.Equal(t, JobQueued, r.State)
	assert.Zero(t, r.Attempts)
	assert.Empty(t, r.Error)
	other, err := d.Jobs()
	require.NoError(t, err)
	assert.Equal(t, JobQueued, other[len(other)-1].State, "another account is untouched")

	_, err = d.ChangeJobs(JobChange{Env: "testnet", Account: "a@example.com", From: []JobState{JobQueued}, To: "nope"})
	require.Error(t, err)
}

func TestClearJobsKeepsRowsOfBatchesBeingListed(t *testing.T) {
	d := openTestDB(t)
	rows := windowJobs(t, d, 6, JobDone, JobFailed)
	require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "walking", Env: "testnet", Account: "a@example.com", LocalPath: "/w/1", State: JobDone, Size: 100}}))

	gone, err := d.ClearJobs("testnet", "a@example.com", []JobState{JobDone}, []string{rows[0].ID}, []string{"walking"})
	require.NoError(t, err)
	assert.Equal(t, StateCounts{JobDone: {Jobs: 3, Bytes: 3 + 5 + 100}}, gone)
	all, err := d.Jobs()
	require.NoError(t, err)
	assert.Len(t, all, 6+1+1-2, "two done rows deleted; the one in memory and the walking batch's stay")
	assert.True(t, batchHasFile(t, d, "walking", "/w/1"), "kept, cleared")
	counts, err := d.JobCounts("testnet", "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, StateCounts{JobDone: {Jobs: 1, Bytes: 1}, JobFailed: {Jobs: 3, Bytes: 2 + 4 + 6}}, counts)

	require.NoError(t, d.DeleteCleared("testnet", "a@example.com", []string{"walking"}))
	assert.True(t, batchHasFile(t, d, "walking", "/w/1"), "its batch is still being listed")
	require.NoError(t, d.DeleteCleared("testnet", "a@example.com", nil))
	assert.False(t, batchHasFile(t, d, "walking", "/w/1"), "gone once the listing ended")
}

// TestBulkJobChangesTakeMoreIDsThanOneStatementBinds: the worker's bulk
// changes leave out the jobs it holds in memory (Except), and marks the
// jobs removed while their batch is listed cleared (MarkJobsCleared), one
// id each: more of them than SQLite binds variables in one statement
// (manyUploads; the jobs a full disk kept from being saved stay in
// memory, cli resume --remove-failed removes every failed job) are left
// out and marked all the same, not "too many SQL variables".
func TestBulkJobChangesTakeMoreIDsThanOneStatementBinds(t *testing.T) {
	d := openTestDB(t)
	ids := manyDoneJobs(t, d, manyUploads+1)
	held := ids[:manyUploads]
	const env, account = "testnet", "a@example.com"
	last := StateCount{Jobs: 1, Bytes: manyUploads + 1}

	moved, err := d.ChangeJobs(JobChange{Env: env, Account: account, From: []JobState{JobDone}, To: JobCanceled, Except: held})
	require.NoError(t, err)
	assert.Equal(t, StateCounts{JobDone: last}, moved, "the jobs held in memory are left out")
	gone, err := d.ClearJobs(env, account, []JobState{JobDone, JobCanceled}, held, nil)
	require.NoError(t, err)
	assert.Equal(t, StateCounts{JobCanceled: last}, gone, "the jobs held in memory are left out")

	require.NoError(t, d.MarkJobsCleared(held...))
	counts, err := d.JobCounts(env, account)
	require.NoError(t, err)
	assert.Empty(t, counts, "every one marked cleared")
}

// manyDoneJobs inserts n done jobs of one account (sizes 1…n, batch "b",
// ids and paths numbered in order) in one INSERT … SELECT, and one job of
// another account, and returns the n ids in queue order. It is what
// windowJobs(t, d, n, JobDone) inserts, for a test that needs more jobs
// than one statement binds: InsertJobs's statement a row took 3.5 ms each
// under -race on a loaded machine, this one about half that, and the
// insert is the test's setup, not what it tests (InsertJobs of many rows
// is TestInsertTenThousandJobs).
func manyDoneJobs(t *testing.T, d *DB, n int) []string {
	t.Helper()
	_, err := d.w.Exec(`WITH RECURSIVE i(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM i WHERE k < ?)
		INSERT INTO jobs (id, batch_id, env, account, local_path, name, size, state)
		SELECT printf('b-%06d', k), 'b', 'testnet', 'a@example.com', printf('/f/%06d', k), printf('%06d', k), k, ? FROM i`,
		n, string(JobDone))
	require.NoError(t, err)
	require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "o", Env: "testnet", Account: "other@example.com", LocalPath: "/o"}}))
	ids := make([]string, n)
	for k := range ids {
		ids[k] = fmt.Sprintf("b-%06d", k+1)
	}
	var listed int
	require.NoError(t, d.r.QueryRow(`SELECT count(*) FROM jobs WHERE account = 'a@example.com' AND state = ? AND size = seq`, string(JobDone)).Scan(&listed))
	require.Equal(t, n, listed, "one done job a size, in queue order")
	return ids
}
