package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleJobs(n int, batch string) []JobRow {
	rows := make([]JobRow, n)
	for i := range rows {
		rows[i] = JobRow{
			BatchID:    batch,
			Env:        "testnet",
			Account:    "someone@example.com",
			LocalPath:  fmt.Sprintf("/home/someone/big-folder/sub/file-%05d.bin", i),
			Name:       fmt.Sprintf("file-%05d.bin", i),
			Size:       int64(i * 1024),
			FolderPath: "/backups/big-folder/sub",
			Comment:    "nightly",
		}
	}
	return rows
}

func TestInsertJobsFillsDefaultsAndKeepsOrder(t *testing.T) {
	d := openTestDB(t)
	parent := int64(99)
	given := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	rows := []JobRow{
		{Name: "c.txt"},
		{ID: "fixed-id", Name: "a.txt", State: JobWaitingSignIn, ParentID: &parent, CreatedAt: given},
		{Name: "b.txt", State: JobSkipped, Error: "symlink: not followed"},
	}
	require.NoError(t, d.InsertJobs(rows))

	for _, r := range rows {
		_, err := uuid.Parse(r.ID)
		if r.ID != "fixed-id" {
			require.NoError(t, err, "a UUID was filled in, in place")
		}
		assert.False(t, r.CreatedAt.IsZero())
		assert.Equal(t, r.CreatedAt, r.UpdatedAt)
	}
	assert.Equal(t, JobQueued, rows[0].State)

	got, err := d.Jobs()
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i := range rows {
		assert.Equal(t, rows[i], got[i], "round trip, in insertion order")
	}
	assert.Equal(t, given, got[1].CreatedAt)

	one, err := d.Job("fixed-id")
	require.NoError(t, err)
	assert.Equal(t, rows[1], one)

	_, err = d.Job("missing")
	require.ErrorIs(t, err, ErrNotFound)
}

func TestInsertJobsIsAllOrNothing(t *testing.T) {
	d := openTestDB(t)
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "dup", Name: "first"}}))

	err := d.InsertJobs([]JobRow{{Name: "new"}, {ID: "dup", Name: "again"}})
	require.Error(t, err)
	all, err := d.Jobs()
	require.NoError(t, err)
	assert.Len(t, all, 1, "the batch with a duplicate left nothing behind")

	var bad *InvalidArgumentError
	require.ErrorAs(t, d.InsertJobs([]JobRow{{State: "paused"}}), &bad)
	require.NoError(t, d.InsertJobs(nil))
}

func TestInsertTenThousandJobs(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(10_000, "big")
	// One transaction for the lot; how fast it is lives in
	// BenchmarkInsertJobs10k, not in a timed assertion on a shared machine.
	require.NoError(t, d.InsertJobs(rows))

	queued, err := d.Jobs(JobQueued)
	require.NoError(t, err)
	require.Len(t, queued, 10_000)
	assert.Equal(t, rows[0].ID, queued[0].ID)
	assert.Equal(t, rows[9999].ID, queued[9999].ID)
}

func TestJobsFilterByState(t *testing.T) {
	d := openTestDB(t)
	states := []JobState{JobQueued, JobUploading, JobDone, JobFailed, JobCanceled, JobWaitingSignIn, JobSkipped, JobQueued}
	rows := make([]JobRow, len(states))
	for i, s := range states {
		rows[i] = JobRow{Name: fmt.Sprint(i), State: s}
	}
	require.NoError(t, d.InsertJobs(rows))

	tests := []struct {
		states []JobState
		want   []string
	}{
		{nil, []string{"0", "1", "2", "3", "4", "5", "6", "7"}},
		{[]JobState{JobQueued}, []string{"0", "7"}},
		{[]JobState{JobFailed, JobUploading}, []string{"1", "3"}},
		{[]JobState{JobWaitingSignIn}, []string{"5"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.states), func(t *testing.T) {
			got, err := d.Jobs(tt.states...)
			require.NoError(t, err)
			var names []string
			for _, j := range got {
				names = append(names, j.Name)
			}
			assert.Equal(t, tt.want, names)
		})
	}
	var bad *InvalidArgumentError
	_, err := d.Jobs("bogus")
	require.ErrorAs(t, err, &bad)
}

func TestUpdateJob(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(1, "b")
	require.NoError(t, d.InsertJobs(rows))
	id := rows[0].ID

	require.NoError(t, d.UpdateJob(id, JobUploading, 1, ""))
	require.NoError(t, d.UpdateJob(id, JobFailed, 5, "dStor said 413: file too large"))
	j, err := d.Job(id)
	require.NoError(t, err)
	assert.Equal(t, JobFailed, j.State)
	assert.Equal(t, 5, j.Attempts)
	assert.Equal(t, "dStor said 413: file too large", j.Error)
	assert.True(t, j.UpdatedAt.After(j.CreatedAt) || j.UpdatedAt.Equal(j.CreatedAt))

	require.ErrorIs(t, d.UpdateJob("missing", JobQueued, 0, ""), ErrNotFound)
	var bad *InvalidArgumentError
	require.ErrorAs(t, d.UpdateJob(id, "later", 0, ""), &bad)

	// Once done, a late cancel cannot overwrite it.
	require.NoError(t, d.FinishJob(JobRow{ID: id, Hash: "QmX", Verified: true, Attempts: 6}, HistoryEntry{Name: "x"}))
	require.ErrorIs(t, d.UpdateJob(id, JobCanceled, 6, "canceled"), ErrJobDone)
	j, err = d.Job(id)
	require.NoError(t, err)
	assert.Equal(t, JobDone, j.State)
}

func TestFinishJobIsAtomicAndIdempotent(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(2, "b")
	require.NoError(t, d.InsertJobs(rows))
	job := rows[0]
	job.Hash, job.Verified, job.Attempts = "QmDone", true, 2
	h := HistoryEntry{Name: job.Name, Hash: job.Hash, Verified: true, Size: job.Size, Attempts: 2}

	require.NoError(t, d.FinishJob(job, h))
	require.NoError(t, d.FinishJob(job, h), "finishing twice is harmless")

	got, err := d.Job(job.ID)
	require.NoError(t, err)
	assert.Equal(t, JobDone, got.State)
	assert.Equal(t, "QmDone", got.Hash)
	assert.True(t, got.Verified)
	assert.Equal(t, 2, got.Attempts)
	assert.Empty(t, got.Error)

	page, err := d.HistoryPage(HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, page, 1, "one history entry however often it is finished")
	assert.Equal(t, job.ID, page[0].JobID, "keyed by the job id")

	// Unknown job: nothing is written, not even history.
	require.ErrorIs(t, d.FinishJob(JobRow{ID: "ghost"}, HistoryEntry{Name: "ghost"}), ErrNotFound)
	assertHistoryCount(t, d, "ghost", 0)

	// A history entry claiming another job is refused.
	var bad *InvalidArgumentError
	require.ErrorAs(t, d.FinishJob(rows[1], HistoryEntry{JobID: job.ID}), &bad)
	require.ErrorAs(t, d.FinishJob(JobRow{}, HistoryEntry{}), &bad)
}

func TestRequeueInterrupted(t *testing.T) {
	d := openTestDB(t)
	rows := []JobRow{{State: JobUploading}, {State: JobDone}, {State: JobUploading}, {State: JobFailed}, {State: JobQueued}}
	require.NoError(t, d.InsertJobs(rows))

	n, err := d.RequeueInterrupted()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = d.RequeueInterrupted()
	require.NoError(t, err)
	assert.Zero(t, n)

	queued, err := d.Jobs(JobQueued)
	require.NoError(t, err)
	var ids []string
	for _, j := range queued {
		ids = append(ids, j.ID)
	}
	assert.Equal(t, []string{rows[0].ID, rows[2].ID, rows[4].ID}, ids, "creation order kept")
}

func TestDeleteJobs(t *testing.T) {
	all := []JobState{JobQueued, JobUploading, JobDone, JobFailed, JobCanceled, JobWaitingSignIn, JobSkipped}
	tests := []struct {
		name    string
		delete  []JobState
		removed int
		left    []JobState
	}{
		{"clear finished (default)", nil, 3, []JobState{JobQueued, JobUploading, JobFailed, JobWaitingSignIn}},
		{"failed only", []JobState{JobFailed}, 1, []JobState{JobQueued, JobUploading, JobDone, JobCanceled, JobWaitingSignIn, JobSkipped}},
		{"everything", all, 7, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			rows := make([]JobRow, len(all))
			for i, s := range all {
				rows[i] = JobRow{State: s}
			}
			require.NoError(t, d.InsertJobs(rows))
			n, err := d.DeleteJobs(tt.delete...)
			require.NoError(t, err)
			assert.Equal(t, tt.removed, n)
			left, err := d.Jobs()
			require.NoError(t, err)
			var states []JobState
			for _, j := range left {
				states = append(states, j.State)
			}
			assert.Equal(t, tt.left, states)
		})
	}
}

func TestJobStatePredicates(t *testing.T) {
	tests := []struct {
		s            JobState
		valid, final bool
	}{
		{JobQueued, true, false},
		{JobUploading, true, false},
		{JobWaitingSignIn, true, false},
		{JobDone, true, true},
		{JobFailed, true, true},
		{JobCanceled, true, true},
		{JobSkipped, true, true},
		{"", false, false},
		{"paused", false, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.valid, tt.s.Valid(), tt.s)
		assert.Equal(t, tt.final, tt.s.Final(), tt.s)
	}
}

// BenchmarkInsertJobs10k times persisting a 10,000-file folder.
func BenchmarkInsertJobs10k(b *testing.B) {
	d := openTestDB(b)
	for i := 0; b.Loop(); i++ {
		if err := d.InsertJobs(sampleJobs(10_000, fmt.Sprint(i))); err != nil {
			b.Fatal(err)
		}
	}
}

func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		s := newUUID()
		u, err := uuid.Parse(s)
		require.NoError(t, err, s)
		assert.Equal(t, uuid.Version(4), u.Version())
		assert.Equal(t, uuid.RFC4122, u.Variant())
		assert.Equal(t, u.String(), s, "canonical lower-case form")
		assert.False(t, seen[s])
		seen[s] = true
	}
}

func TestDeleteJobIDsTouchesOnlyThoseJobs(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(4, "b1")
	rows[0].State, rows[1].State, rows[2].State = JobFailed, JobFailed, JobDone
	require.NoError(t, d.InsertJobs(rows))

	n, err := d.DeleteJobIDs(rows[0].ID, "no-such-id")
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	left, err := d.Jobs()
	require.NoError(t, err)
	var ids []string
	for _, r := range left {
		ids = append(ids, r.ID)
	}
	assert.Equal(t, []string{rows[1].ID, rows[2].ID, rows[3].ID}, ids, "the other failed job stays")

	n, err = d.DeleteJobIDs()
	require.NoError(t, err)
	assert.Zero(t, n)
}

// TestJobKeepsWhatTheWalkListed: the chosen folder and the listed file's
// id survive a restart with the job, so the upload opens that file only.
func TestJobKeepsWhatTheWalkListed(t *testing.T) {
	d := openTestDB(t)
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "j1", LocalPath: "/home/a/photos/x.jpg", Beneath: "/home/a/photos", FileID: "2049:1234"}, {ID: "j2", LocalPath: "/tmp/y"}}))
	j, err := d.Job("j1")
	require.NoError(t, err)
	assert.Equal(t, "/home/a/photos", j.Beneath)
	assert.Equal(t, "2049:1234", j.FileID)
	j, err = d.Job("j2")
	require.NoError(t, err)
	assert.Empty(t, j.Beneath)
	assert.Empty(t, j.FileID)
}

// TestMarkReported: a done job's result is unreported until a run printed
// it (UnreportedDone lists it, for the account's done jobs only); the mark
// survives reopening.
func TestMarkReported(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	acct := func(id string, s JobState, account string) JobRow {
		return JobRow{ID: id, State: s, Env: "testnet", Account: account}
	}
	require.NoError(t, d.InsertJobs([]JobRow{acct("a", JobDone, "me"), acct("b", JobDone, "me"),
		acct("c", JobQueued, "me"), acct("d", JobDone, "other")}))
	require.NoError(t, d.MarkReported("a", "no-such-job"))
	require.NoError(t, d.Close())
	d, err = Open(dir)
	require.NoError(t, err)
	defer d.Close()
	a, err := d.Job("a")
	require.NoError(t, err)
	b, err := d.Job("b")
	require.NoError(t, err)
	assert.True(t, a.Reported)
	assert.False(t, b.Reported)
	left, err := d.UnreportedDone("testnet", "me")
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, "b", left[0].ID)

	require.NoError(t, d.FinishJob(JobRow{ID: "c", Hash: "h", Reported: true}, HistoryEntry{Env: "testnet", Account: "me", Hash: "h"}))
	c, err := d.Job("c")
	require.NoError(t, err)
	assert.True(t, c.Reported, "FinishJob writes the mark it is given")
}

// TestJobReasonIsKept: a job's reason code and detail go through every
// write that sets its sentence, and a finish or a bulk change to a state
// without one clears them with it.
func TestJobReasonIsKept(t *testing.T) {
	d := openTestDB(t)
	rows := sampleJobs(3, "b")
	rows[0].State, rows[0].Error, rows[0].Reason, rows[0].ReasonArg = JobAlready, "already uploaded on …", "already", "2026-05-20T14:03:00Z"
	require.NoError(t, d.InsertJobs(rows))
	j, err := d.Job(rows[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "already", j.Reason)
	assert.Equal(t, "2026-05-20T14:03:00Z", j.ReasonArg)

	ups := []JobUpdate{{ID: rows[1].ID, State: JobFailed, Attempts: 3, Error: "cannot reach h", Reason: "unreachable", ReasonArg: "h"}}
	upErrs, _ := d.WriteJobs(ups, nil)
	require.NoError(t, upErrs[0])
	j, err = d.Job(rows[1].ID)
	require.NoError(t, err)
	assert.Equal(t, [3]string{"cannot reach h", "unreachable", "h"}, [3]string{j.Error, j.Reason, j.ReasonArg})

	_, err = d.ChangeJobs(JobChange{Env: rows[1].Env, Account: rows[1].Account, From: []JobState{JobFailed}, To: JobWaitingSignIn, Msg: "sign in", Reason: "sign-in"})
	require.NoError(t, err)
	j, err = d.Job(rows[1].ID)
	require.NoError(t, err)
	assert.Equal(t, [3]string{"sign in", "sign-in", ""}, [3]string{j.Error, j.Reason, j.ReasonArg})
	_, err = d.ChangeJobs(JobChange{Env: rows[1].Env, Account: rows[1].Account, From: []JobState{JobWaitingSignIn}, To: JobQueued})
	require.NoError(t, err)
	j, err = d.Job(rows[1].ID)
	require.NoError(t, err)
	assert.Equal(t, [3]string{"", "", ""}, [3]string{j.Error, j.Reason, j.ReasonArg})

	require.NoError(t, d.UpdateJob(rows[2].ID, JobQueued, 1, ""))
	ups = []JobUpdate{{ID: rows[2].ID, State: JobQueued, Attempts: 1, Error: "busy", Reason: "server-trouble", ReasonArg: "slow down"}}
	upErrs, _ = d.WriteJobs(ups, nil)
	require.NoError(t, upErrs[0])
	require.NoError(t, d.FinishJob(JobRow{ID: rows[2].ID, Hash: "QmX", Attempts: 2}, HistoryEntry{Name: "x"}))
	j, err = d.Job(rows[2].ID)
	require.NoError(t, err)
	assert.Equal(t, [3]string{"", "", ""}, [3]string{j.Error, j.Reason, j.ReasonArg})
}
