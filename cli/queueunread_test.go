package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestQueueUnreadAtCloseIsNoUnsavedQueue: a queue that closes while the
// next jobs to upload still cannot be read (worker.ErrQueueUnread from
// Close, api/worker's TestRefillReadStillFailingAtCloseIsReported) wrote
// everything: the run says the files still queued were not uploaded and
// wait for "resume", and exits 1; not that the queue could not be saved.
// The queue is a real one with 3 files left in it (signed out: waiting); Close's error is the one
// the worker returns then (no refill fails in a paused queue).
func TestQueueUnreadAtCloseIsNoUnsavedQueue(t *testing.T) {
	db, err := storage.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	dir := t.TempDir()
	makeFiles(t, dir, 3, func(int) int { return 10 })
	env, err := api.CustomEnvironment("http://127.0.0.1:1") // paused, signed out: nothing is sent
	require.NoError(t, err)
	client, err := api.NewClient(env, nil)
	require.NoError(t, err)
	q, err := worker.New(worker.Config{Client: client, DB: db, Paused: true, Env: "test", Account: "a@example.com"})
	require.NoError(t, err)
	q.Add(worker.Request{Path: dir, FolderPath: "/unread/"})
	require.Eventually(t, func() bool { s := q.Summary(); return s.Total == 3 && !s.Walking },
		10*time.Second, 10*time.Millisecond, "listed")
	require.NoError(t, q.Close())

	unread := &worker.QueueUnreadError{What: "read the next jobs to upload", Err: errors.New("no such table: jobs")}
	var errOut bytes.Buffer
	r := &queueRun{q: q}
	err = r.saved(IO{In: strings.NewReader(""), Out: &bytes.Buffer{}, Err: &errOut}, unread, nil)
	var exit *exitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 1, exit.code)
	assert.NotContains(t, errOut.String(), "could not be saved")
	assert.Contains(t, errOut.String(), "The upload queue could not be read (read the next jobs to upload: no such table: jobs)")
	assert.Contains(t, errOut.String(), "3 file(s) still queued were not uploaded")
	assert.Contains(t, errOut.String(), `run "dstor-uploader resume" to upload them`)
}
