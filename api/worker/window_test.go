package worker

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// activeJobs is how many jobs q holds in memory now.
func activeJobs(q *Queue) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.active)
}

// requireCountsMatchRows checks the summary the queue keeps incrementally
// against a count of its rows.
func requireCountsMatchRows(t *testing.T, q *Queue, db *storage.DB) {
	t.Helper()
	rows, err := db.JobCounts(testEnvName, testEmail)
	require.NoError(t, err)
	s := q.Summary()
	want := map[storage.JobState]int{
		storage.JobQueued: s.Queued, storage.JobUploading: s.Uploading, storage.JobDone: s.Done,
		storage.JobFailed: s.Failed, storage.JobCanceled: s.Canceled, storage.JobSkipped: s.Skipped,
		storage.JobWaitingSignIn: s.Waiting, storage.JobAlready: s.Already,
	}
	for st, n := range want {
		assert.Equal(t, rows[st].Jobs, n, "%s jobs", st)
	}
	assert.Equal(t, rows.Total(), s.Total)
}

// TestQueueHoldsAWindowNotTheList lists more files than a window holds
// while signed out, then uploads them: the jobs live in the database, the
// queue holds at most a window of them (plus the uploads in flight), and
// none once idle, while the summary counts them all.
func TestQueueHoldsAWindowNotTheList(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	const window = 24
	const n = 10*window + 17 // far more than the bound below
	for i := range n {
		e.write(fmt.Sprintf("many/%02d/%04d.txt", i%9, i), []byte(fmt.Sprint(i)))
	}
	cfg := e.tokenless()
	cfg.Concurrency = 4
	cfg.window = window
	cfg.maxUnrecorded = 16
	q := e.queue(cfg)
	q.Add(Request{Path: filepath.Join(e.files, "many")})
	require.ErrorIs(t, wait(t, q, 30*time.Second), ErrSignInRequired)
	assert.Equal(t, 0, activeJobs(q), "listed jobs wait in the database")
	assert.Equal(t, n, q.Summary().Waiting)
	requireCountsMatchRows(t, q, e.db)

	events, stop := q.Subscribe(64)
	defer stop()
	peak := 0
	done := 0
	q.SetTokens(NewAPIKeyTokens(e.client, e.key, time.Hour))
	drainUntil(t, events, func(ev Event) {
		peak = max(peak, activeJobs(q))
		if ev.Kind == JobChanged && ev.Job.State == storage.JobDone {
			done++
		}
	}, func() bool { return done >= n })
	require.NoError(t, wait(t, q, 30*time.Second))
	t.Logf("%d files, at most %d jobs in memory", n, peak)
	// A window waiting, the uploads in flight, finished uploads waiting for
	// their round (at most cfg.maxUnrecorded; that many when the persister is
	// slow on busy cores), and as many again written by a round but changed
	// since, leaving at the next: fewer than the list.
	bound := window + cfg.Concurrency + 2*cfg.maxUnrecorded
	require.Greater(t, n, bound, "the list must not fit in the bound")
	assert.LessOrEqual(t, peak, bound, "a window, not the list")
	assert.Equal(t, 0, activeJobs(q), "nothing held once idle")
	assert.Equal(t, n, q.Summary().Done)
	requireCountsMatchRows(t, q, e.db)
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestBulkChangesKeepCounts drives the bulk changes over jobs in memory and
// in the database alike and checks the kept counts against the rows after
// each.
func TestBulkChangesKeepCounts(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	const window = 16
	const n = window + 40
	e.writeNumbered("bulk/%04d.txt", n)
	cfg := e.tokenless()
	cfg.window = window
	q := e.queue(cfg)
	q.Add(Request{Path: filepath.Join(e.files, "bulk")})
	require.ErrorIs(t, wait(t, q, 30*time.Second), ErrSignInRequired)
	requireCountsMatchRows(t, q, e.db)

	q.CancelAll()
	require.NoError(t, wait(t, q, 30*time.Second))
	assert.Equal(t, n, q.Summary().Canceled)
	requireCountsMatchRows(t, q, e.db)

	jobs := q.Jobs()
	require.Len(t, jobs, n)
	q.Retry(jobs[5].ID) // one job back by id, from the database
	q.Remove(jobs[6].ID)
	require.ErrorIs(t, wait(t, q, 30*time.Second), ErrSignInRequired)
	s := q.Summary()
	assert.Equal(t, 1, s.Waiting)
	assert.Equal(t, n-2, s.Canceled)
	requireCountsMatchRows(t, q, e.db)

	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 400})
	q.SetTokens(NewAPIKeyTokens(e.client, e.key, time.Hour))
	require.NoError(t, wait(t, q, 30*time.Second))
	assert.Equal(t, 1, q.Summary().Failed)
	requireCountsMatchRows(t, q, e.db)

	e.srv.ClearFaults()
	q.ClearFinished() // the canceled ones
	require.NoError(t, wait(t, q, 30*time.Second))
	assert.Equal(t, Summary{Total: 1, Failed: 1}, q.Summary())
	requireCountsMatchRows(t, q, e.db)
	q.RetryFailed()
	require.NoError(t, wait(t, q, 30*time.Second))
	s = q.Summary()
	assert.Equal(t, 1, s.Done)
	assert.Equal(t, s.BytesTotal, s.BytesDone)
	requireCountsMatchRows(t, q, e.db)
}

// TestJobsPageMergesMemoryAndRows pages through a list whose jobs are
// partly in memory and partly only in the database.
func TestJobsPageMergesMemoryAndRows(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("pages/%02d.txt", 30)
	cfg := e.tokenless()
	q := e.queue(cfg)
	q.Add(Request{Path: filepath.Join(e.files, "pages")})
	require.ErrorIs(t, wait(t, q, 30*time.Second), ErrSignInRequired)
	all := q.Jobs()
	require.Len(t, all, 30)
	q.Cancel(all[12].ID) // in memory until its row is written

	paged := q.savedJobs(7) // JobsPage, 7 at a time
	require.Len(t, paged, 30)
	for i := range paged {
		assert.Equal(t, all[i].ID, paged[i].ID, "in the order they were added")
	}
	assert.Equal(t, storage.JobCanceled, paged[12].State)
	jump, _, err := q.JobsPage(0, 20, 3)
	require.NoError(t, err)
	assert.Equal(t, []string{all[20].ID, all[21].ID, all[22].ID}, []string{jump[0].ID, jump[1].ID, jump[2].ID})
	above, err := q.JobsBefore(all[20].Seq, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{all[18].ID, all[19].ID}, []string{above[0].ID, above[1].ID})
	got, ok := q.Job(all[3].ID)
	require.True(t, ok)
	assert.Equal(t, storage.JobWaitingSignIn, got.State, "a job read from its row")
}
