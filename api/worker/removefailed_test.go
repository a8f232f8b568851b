package worker

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestRemoveFailedRemovesOnlyAFailedJob: RemoveFailed (the command line's
// resume --remove-failed) takes a failed job out of the queue and its row
// out of the database, as the window's Remove does, and leaves a job in any
// other state where it is: one uploaded, one waiting to be uploaded.
func TestRemoveFailedRemovesOnlyAFailedJob(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	done, failed := e.write("done.txt", []byte("done")), e.write("failed.txt", []byte("failed"))
	q := e.uploaded(Request{Path: done})
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusRequestEntityTooLarge, Count: 1})
	q.Add(Request{Path: failed})
	require.NoError(t, wait(t, q, hangGuard))
	doneJob, ok := findJob(q, done)
	require.True(t, ok)
	failedJob, ok := findJob(q, failed)
	require.True(t, ok)
	require.Equal(t, storage.JobFailed, failedJob.State)

	_, removed, err := q.RemoveFailed(doneJob.ID)
	require.NoError(t, err)
	assert.False(t, removed, "an uploaded job is not removed")
	was, removed, err := q.RemoveFailed(failedJob.ID)
	require.NoError(t, err)
	require.True(t, removed)
	assert.Equal(t, failed, was.LocalPath)
	assert.Equal(t, storage.JobFailed, was.State, "the job as it was")
	_, removed, err = q.RemoveFailed(failedJob.ID)
	require.NoError(t, err)
	assert.False(t, removed, "removed once")
	require.NoError(t, q.Close())
	_, err = e.db.Job(failedJob.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "its row is gone")
	assert.Len(t, history(t, e.db), 1, "the history keeps the upload")

	waiting := e.queue(e.tokenless()) // its jobs wait for a sign-in
	waiting.Add(Request{Path: e.write("waiting.txt", []byte("waiting"))})
	require.Eventually(t, func() bool { return waiting.Summary().Total == 1 }, hangGuard, 10*time.Millisecond)
	j := waiting.Jobs()[0]
	_, removed, err = waiting.RemoveFailed(j.ID)
	require.NoError(t, err)
	assert.False(t, removed, "a job waiting to be uploaded is not removed")
	require.NoError(t, waiting.Close())
	row, err := e.db.Job(j.ID)
	require.NoError(t, err)
	assert.Equal(t, storage.JobWaitingSignIn, row.State)
}
