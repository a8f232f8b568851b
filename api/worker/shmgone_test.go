package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// shmGoneWait bounds the Wait of TestSharedMemoryGoneEndsTheCommandLinesQueue:
// the queue it tests ends within a second or two once its upload is
// released; without the change it waited for ever.
const shmGoneWait = 30 * time.Second

// TestSharedMemoryGoneEndsTheCommandLinesQueue: the history's -shm is
// deleted while the command line's queue (no StopWhenHistoryGone) uploads
// six files one at a time, reading its queued jobs two at a time. Once its
// -shm is gone its reads of the queue go through an index of the -wal
// another process may no longer share, so storage refuses them
// (QueuedJobs: *storage.ReplacedError); the queue, which went on taking
// work, then waited in Wait forever for the queued jobs no read brought
// (seen: Queued 4, Failed 2, no upload running, the deadline reached), as
// the run in helper-222's by-hand repro did (cli.drain). It now stops taking
// work once the -shm's loss is known, and Wait returns the
// *storage.ReplacedError once the upload running has ended.
//
// With every queued job read at once (the default window) nothing was
// refused, and the loss was known only at the next write, which trails the
// uploads (persistGap): the other five were uploaded meanwhile (seen: 6
// requests; the command line's TestUploadWhoseSharedMemoryIsDeletedFails
// failed so in CI, 8 of 8 uploaded). The queue now looks at the file before
// each start, so the upload running when the -shm went is the last.
func TestSharedMemoryGoneEndsTheCommandLinesQueue(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a -shm SQLite holds open")
	}
	for _, window := range []int{2, 0} {
		t.Run(fmt.Sprintf("window %d", window), func(t *testing.T) {
			shmGoneMidRun(t, window)
		})
	}
}

// shmGoneMidRun deletes the -shm while the first of six uploads is held,
// with the queue reading window queued jobs at a time (0: windowSize).
func shmGoneMidRun(t *testing.T, window int) {
	e := newTestEnv(t, sandbox.Config{})
	hold, client := e.heldServer()
	q := queueSixSaved(t, e, client, window)
	select {
	case <-hold.Started():
	case <-time.After(hangGuard):
		t.Fatal("no upload started")
	}
	require.NoError(t, os.Remove(e.db.Path()+"-shm"))
	hold.Release()
	awaitStoppedByTheShm(t, e, q, 1)
	assert.Positive(t, q.Summary().Failed, "the upload that could not be recorded failed (its link on its FAILED line)")
}

// queueSixSaved is a queue of six files in one folder, uploading one at a
// time through client and reading window queued jobs at a time (0:
// windowSize), resumed once every job is saved.
func queueSixSaved(t *testing.T, e *testEnv, client *api.Client, window int) *Queue {
	cfg := e.config()
	cfg.Client, cfg.Concurrency, cfg.window = client, 1, window
	cfg.Paused = true // until every job is saved
	e.writeNumbered("photos/%d.txt", 6)
	q, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() })
	q.Add(Request{Path: filepath.Join(e.files, "photos"), FolderPath: "/kept/"})
	eventually(t, hangGuard, func() bool { return q.Summary().Queued == 6 }, "every job saved")
	q.Resume()
	return q
}

// awaitStoppedByTheShm waits for q's run to end, which the -shm's loss
// must have stopped once the server had had uploads requests.
func awaitStoppedByTheShm(t *testing.T, e *testEnv, q *Queue, uploads int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shmGoneWait)
	defer cancel()
	err := q.Wait(ctx)
	require.NotErrorIs(t, err, context.DeadlineExceeded, "Wait returns once what runs has ended: %+v", q.Summary())
	assert.Equal(t, uploads, e.requests(addPath), "no upload starts once the -shm is gone")
	var gone *storage.ReplacedError
	require.ErrorAs(t, err, &gone, "Wait says why nothing starts any more")
	assert.True(t, gone.SharedMemory, "the -shm's loss is what stops the run")
}
