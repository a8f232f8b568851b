//go:build !windows

package worker

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// makeFifo creates a named pipe at path.
func makeFifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o644))
}

// TestQueuedFileReplacedByAPipeOrDeviceFailsAtOnce: a file that waits in
// the queue and is replaced, before its turn, by a named pipe no program
// writes to (opening one to read would wait for a writer for ever) or by a
// device, whether found in a folder or named itself, fails at once with
// the sentence of what it now is; the queue does not hang on it, nothing
// of it is sent, and the other file is uploaded. (This held; it was not
// tested.)
func TestQueuedFileReplacedByAPipeOrDeviceFailsAtOnce(t *testing.T) {
	tests := []struct {
		name     string
		inFolder bool
		replace  func(t *testing.T, path string)
		want     string
	}{
		{"in a folder, by a named pipe", true, func(t *testing.T, p string) { makeFifo(t, p) }, "is a named pipe, not a regular file"},
		{"named itself, by a named pipe", false, func(t *testing.T, p string) { makeFifo(t, p) }, "is a named pipe, not a regular file"},
		{"in a folder, by a device", true, makeZeroDevice, "is a device, not a regular file"},
		{"named itself, by a device", false, makeZeroDevice, "is a device, not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			keep := e.write("d/keep.txt", testutil.Content("keep", 100))
			swapped := e.write("d/swapped.txt", testutil.Content("swapped", 100))
			req := Request{Path: swapped}
			if tt.inFolder {
				req.Path = filepath.Dir(swapped)
			}
			cfg := e.config()
			cfg.Paused = true
			q := e.queue(cfg)
			q.Add(req, Request{Path: keep, FolderPath: "/kept/"})
			eventually(t, 10*time.Second, func() bool { s := q.Summary(); return !s.Walking && s.Queued == len(q.Jobs()) && s.Queued >= 2 }, "listed")
			require.NoError(t, os.Remove(swapped))
			tt.replace(t, swapped)
			q.Resume()
			require.NoError(t, wait(t, q, 30*time.Second), "the queue does not wait on it")

			j := jobFor(t, q, swapped)
			assert.Equal(t, storage.JobFailed, j.State)
			assert.Contains(t, j.Err, tt.want)
			assert.LessOrEqual(t, j.Attempts, 1, "not retried")
			for _, u := range e.sandboxUploads() {
				assert.NotEqual(t, "swapped.txt", u.Name, "nothing of it was sent")
			}
			assert.Equal(t, storage.JobDone, jobFor(t, q, keep).State)
		})
	}
}
