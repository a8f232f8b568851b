package worker

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestCanceledWhileTheNextJobsAreReadIsNotUploaded: a queued job canceled
// (the row's bin, or Cancel) just as the queue reads the next jobs to
// upload from the database (on Resume, say), whose canceled state is
// written and which leaves memory before that read is taken in, is not
// uploaded from the row the read found still queued, and the counts stay
// true.
func TestCanceledWhileTheNextJobsAreReadIsNotUploaded(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeFolder(e, "race", 3)
	canceled := filepath.Join(dir, "001.txt")
	read, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	cfg := e.config()
	cfg.Paused = true
	cfg.afterRefill = func() {
		once.Do(func() {
			close(read)
			<-release
		})
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir, FolderPath: "/race/"})
	eventually(t, 10*time.Second, func() bool { s := q.Summary(); return s.Queued == 3 && !s.Walking }, "listed")
	id := jobFor(t, q, canceled).ID

	q.Resume()
	<-read // the three rows are read, all queued
	q.Cancel(id)
	eventually(t, 10*time.Second, func() bool {
		q.mu.Lock()
		_, inMemory := q.active[id]
		q.mu.Unlock()
		return !inMemory && dbState(t, e.db, id).State == storage.JobCanceled
	}, "the cancel is written and the job has left memory")
	close(release)
	assert.NoError(t, wait(t, q, 20*time.Second), "the queue comes to rest")

	assert.Equal(t, storage.JobCanceled, jobFor(t, q, canceled).State)
	assert.Equal(t, 2, uploadsUnder(e, "/race/"), "the canceled file was not sent")
	for _, u := range e.sandboxUploads() {
		assert.NotEqual(t, "001.txt", u.Name)
	}
	s := q.Summary()
	assert.Equal(t, 2, s.Done)
	assert.Equal(t, 1, s.Canceled)
	assert.Zero(t, s.Queued)
	assert.Equal(t, s.BytesTotal, s.BytesDone)
	requireHistoryOnce(t, e.db, q.Jobs())

}
