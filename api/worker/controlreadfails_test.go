package worker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestControlOnUnreadableRowIsNoFailedWrite: Cancel, Retry, UploadAgain,
// Remove and RemoveFailed of a job not in memory (a failed job's row) read
// its row first. When that read fails (a flaky drive, another program
// holding the file) the control says so (ErrQueueUnread, with the cause)
// and changes nothing; once the
// database answers, the row is as it was and the same control works, and
// Close reports no failed write. The failed read used to be kept as the
// queue's first failed write, so Close returned it and the command line
// said the queue could not be saved, while the control did nothing without
// a word.
func TestControlOnUnreadableRowIsNoFailedWrite(t *testing.T) {
	controls := []struct {
		name  string
		do    func(q *Queue, id string) error
		after storage.JobState // the row's state once the control worked; "" when it is gone
	}{
		{"Cancel", func(q *Queue, id string) error { return q.Cancel(id) }, storage.JobFailed},
		{"Retry", func(q *Queue, id string) error { return q.Retry(id) }, storage.JobQueued},
		{"UploadAgain", func(q *Queue, id string) error { return q.UploadAgain(id) }, storage.JobQueued},
		{"Remove", func(q *Queue, id string) error { return q.Remove(id) }, ""},
		{"RemoveFailed", func(q *Queue, id string) error { _, _, err := q.RemoveFailed(id); return err }, ""},
	}
	for _, c := range controls {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.seedRows(1, storage.JobFailed)
			cfg := e.config()
			cfg.Paused = true  // a retried job stays queued
			q, err := New(cfg) // not e.queue: Close's error is what is tested
			require.NoError(t, err)
			t.Cleanup(func() { _ = q.Close() })
			all := q.Jobs()
			require.Len(t, all, 1)
			id := all[0].ID

			restore := testutil.HideJobs(t, e.dbDir) // every read of the rows fails
			err = c.do(q, id)
			restore()
			assert.ErrorContains(t, err, "read the job to change")
			assert.ErrorContains(t, err, "no such table")
			assertUnread(t, err)
			assert.Equal(t, storage.JobFailed, dbState(t, e.db, id).State, "nothing changed")

			require.NoError(t, c.do(q, id), "once the database answers")
			assert.NoError(t, q.Close(), "no write failed")
			got, err := e.db.Job(id)
			if c.after == "" {
				assert.ErrorIs(t, err, storage.ErrNotFound, "its row is gone")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.after, got.State)
		})
	}
}

// assertUnread asserts that err is a failed read of the queue's rows as
// callers branch on it: ErrQueueUnread, a *QueueUnreadError whose Err is
// the database's own error.
func assertUnread(t *testing.T, err error) {
	t.Helper()
	assert.ErrorIs(t, err, ErrQueueUnread)
	var unread *QueueUnreadError
	if assert.ErrorAs(t, err, &unread) {
		assert.ErrorContains(t, unread.Err, "no such table", "the cause is kept")
	}
}
