package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// finishOf is the finish of row with hash, and its history entry.
func finishOf(row JobRow, hash string) JobFinish {
	row.Hash, row.Verified, row.Attempts = hash, true, 1
	return JobFinish{Row: row, History: HistoryEntry{Env: row.Env, Account: row.Account, LocalPath: row.LocalPath,
		Name: row.Name, Size: row.Size, Hash: hash, Verified: true, FinishedAt: baseTime}}
}

// One WriteJobs call commits many changes together, yet each item gets
// exactly its own result: an unknown, done or invalid item writes nothing
// and never fails or undoes the others.
func TestWriteJobsKeepsEachItemsResult(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(6, "round")
	require.NoError(t, d.InsertJobs(rows))
	require.NoError(t, d.FinishJob(finishOf(rows[5], "QmEarlier").Row, finishOf(rows[5], "QmEarlier").History))

	ups := []JobUpdate{
		{ID: rows[0].ID, State: JobUploading, Attempts: 1},
		{ID: rows[1].ID, State: JobFailed, Attempts: 5, Error: "dStor said 413: file too large"},
		{ID: "no-such-job", State: JobQueued},
		{ID: rows[5].ID, State: JobCanceled}, // already done
		{ID: rows[0].ID, State: "later"},
	}
	wrongID := finishOf(rows[4], "QmWrong")
	wrongID.History.JobID = rows[3].ID
	fins := []JobFinish{
		finishOf(rows[2], "QmTwo"),
		finishOf(rows[3], "QmThree"),
		finishOf(JobRow{ID: "ghost"}, "QmGhost"),
		wrongID,
		finishOf(rows[2], "QmTwo"), // finished twice in one round: one entry
	}
	upErrs, finErrs := d.WriteJobs(ups, fins)
	require.Len(t, upErrs, len(ups))
	require.Len(t, finErrs, len(fins))

	var bad *InvalidArgumentError
	assert.NoError(t, upErrs[0])
	assert.NoError(t, upErrs[1])
	assert.ErrorIs(t, upErrs[2], ErrNotFound)
	assert.ErrorIs(t, upErrs[3], ErrJobDone)
	assert.ErrorAs(t, upErrs[4], &bad)
	assert.NoError(t, finErrs[0])
	assert.NoError(t, finErrs[1])
	assert.ErrorIs(t, finErrs[2], ErrNotFound)
	assert.ErrorAs(t, finErrs[3], &bad)
	assert.NoError(t, finErrs[4])

	want := map[string]struct {
		state JobState
		hash  string
	}{
		rows[0].ID: {JobUploading, ""}, rows[1].ID: {JobFailed, ""}, rows[2].ID: {JobDone, "QmTwo"},
		rows[3].ID: {JobDone, "QmThree"}, rows[4].ID: {JobQueued, ""}, rows[5].ID: {JobDone, "QmEarlier"},
	}
	for id, w := range want {
		got, err := d.Job(id)
		require.NoError(t, err)
		assert.Equal(t, w.state, got.State, id)
		assert.Equal(t, w.hash, got.Hash, id)
	}
	failed, err := d.Job(rows[1].ID)
	require.NoError(t, err)
	assert.Equal(t, 5, failed.Attempts)
	assert.Equal(t, "dStor said 413: file too large", failed.Error)

	assertHistoryCount(t, d, "", 3, "rows 5 (earlier), 2 and 3, each once")
	assertHistoryCount(t, d, "ghost", 0)
}

// When the transaction fails, each item is written alone: the failure
// reaches the item that caused it and the rest are written.
func TestWriteJobsIsolatesAFailingItem(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(4, "isolate")
	require.NoError(t, d.InsertJobs(rows))
	// A trigger stands in for a write that fails (a full disk, a
	// constraint): updates with this error text abort.
	_, err := d.w.Exec(`CREATE TRIGGER refuse_boom BEFORE UPDATE ON jobs WHEN NEW.error = 'boom'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
	require.NoError(t, err)

	ups := []JobUpdate{
		{ID: rows[0].ID, State: JobFailed, Attempts: 1, Error: "first"},
		{ID: rows[1].ID, State: JobFailed, Attempts: 1, Error: "boom"},
	}
	fins := []JobFinish{finishOf(rows[2], "QmTwo"), finishOf(rows[3], "QmThree")}
	upErrs, finErrs := d.WriteJobs(ups, fins)
	assert.NoError(t, upErrs[0])
	require.Error(t, upErrs[1])
	assert.Contains(t, upErrs[1].Error(), "refused by the test")
	assert.NotErrorIs(t, upErrs[1], ErrNotFound)
	assert.NoError(t, finErrs[0])
	assert.NoError(t, finErrs[1])

	for i, w := range []JobState{JobFailed, JobQueued, JobDone, JobDone} {
		got, err := d.Job(rows[i].ID)
		require.NoError(t, err)
		assert.Equal(t, w, got.State, fmt.Sprintf("job %d", i))
	}
	assertHistoryCount(t, d, "", 2)

	// Alone, the failing item fails the same way and writes nothing.
	upErrs, _ = d.WriteJobs(ups[1:], nil)
	require.Error(t, upErrs[0])
	assert.Contains(t, upErrs[0].Error(), "refused by the test")
}

// A history insert that fails once its row is written (a trigger of the
// test raises FAIL after the insert, which keeps what the statement wrote,
// as a late failure of a statement without a journal does) leaves nothing
// of its upload: the round is rolled back and each item written alone, so
// that job stays unfinished with no entry and no count, and the others are
// recorded. recordHistorySQL keeps no statement journal (OR FAIL) and
// counts on this.
func TestHistoryInsertFailingLeavesNothing(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(3, "late")
	require.NoError(t, d.InsertJobs(rows))
	_, err := d.w.Exec(`CREATE TRIGGER refuse_late AFTER INSERT ON history WHEN NEW.hash = 'QmLate'
		BEGIN SELECT RAISE(FAIL, 'refused by the test'); END`)
	require.NoError(t, err)

	_, finErrs := d.WriteJobs(nil, []JobFinish{finishOf(rows[0], "QmOne"), finishOf(rows[1], "QmLate"), finishOf(rows[2], "QmThree")})
	assert.NoError(t, finErrs[0])
	require.Error(t, finErrs[1])
	assert.Contains(t, finErrs[1].Error(), "refused by the test")
	assert.NoError(t, finErrs[2])
	require.Error(t, d.FinishJob(finishOf(rows[1], "QmLate").Row, finishOf(rows[1], "QmLate").History), "alone too")

	for i, w := range []JobState{JobDone, JobQueued, JobDone} {
		got, err := d.Job(rows[i].ID)
		require.NoError(t, err)
		assert.Equal(t, w, got.State, fmt.Sprintf("job %d", i))
	}
	var entries, counted int
	require.NoError(t, d.r.QueryRow(`SELECT count(*), (SELECT entries FROM history_stats) FROM history`).Scan(&entries, &counted))
	assert.Equal(t, 2, entries, "no entry of the refused upload")
	assert.Equal(t, entries, counted, "the count trigger's total agrees")
}

// The live checks of many uploads are recorded in one commit, each on the
// entry of its own job; a job whose entry is gone is skipped.
func TestSetLiveOfJobsInOneCommit(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(3, "live")
	require.NoError(t, d.InsertJobs(rows))
	for i, r := range rows {
		f := finishOf(r, fmt.Sprintf("QmLive%d", i))
		require.NoError(t, d.FinishJob(f.Row, f.History))
	}
	checks := []JobLive{
		{JobID: rows[0].ID, Check: LiveCheck{At: baseTime, Took: 120 * time.Millisecond}},
		{JobID: "deleted-meanwhile", Check: LiveCheck{At: baseTime}},
		{JobID: rows[2].ID, Check: LiveCheck{At: baseTime.Add(time.Second), Error: "not reachable yet"}},
	}
	before := d.Commits()
	require.NoError(t, d.SetLiveOfJobs(checks))
	assert.Equal(t, before+1, d.Commits(), "one commit for every check")

	live := map[string]LiveCheck{}
	page, err := d.HistoryPage(HistoryQuery{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page, 3)
	for _, h := range page {
		live[h.JobID] = h.Live
	}
	assert.True(t, live[rows[0].ID].Served())
	assert.Equal(t, 120*time.Millisecond, live[rows[0].ID].Took)
	assert.True(t, live[rows[1].ID].At.IsZero(), "not checked")
	assert.Equal(t, "not reachable yet", live[rows[2].ID].Error)
	assert.True(t, live[rows[2].ID].At.Equal(baseTime.Add(time.Second)))
	require.NoError(t, d.SetLiveOfJobs(nil))
	assert.Equal(t, before+1, d.Commits(), "nothing to record, no commit")
}
