package worker

import (
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/openfiles"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestPauseWhileAnUploadOpensAFileThatDoesNotAnswerThenResume: Pause of
// an upload whose open of its file does not answer (a share that stopped
// answering) gives the open up as the upload's end, not as the file's
// fault: the job goes back to the queue, said paused, not failed and
// nothing recorded. Resume starts it again; its new open hangs too until
// the share answers, and then the job is uploaded once, from the file the
// new open got, while the file the given-up open got late is closed (no
// handle left: /proc/self/fd; the collector held so that no finalizer
// closes it for us). A folder's file (opened beneath its folder) alike.
func TestPauseWhileAnUploadOpensAFileThatDoesNotAnswerThenResume(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, folder := range []bool{false, true} {
		t.Run(map[bool]string{false: "file", true: "folder's file"}[folder], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			file := e.write("nas/share/big.bin", testutil.Content("big", 100))
			q := e.queue(e.config())
			hung, released := make(chan struct{}, 8), make(chan struct{})
			var once sync.Once
			release := func() { once.Do(func() { close(released) }) }
			t.Cleanup(release)
			var opens, returned atomic.Int32
			t.Cleanup(readhook.SetOpen(func(path string) {
				if filepath.Base(path) == "big.bin" {
					opens.Add(1)
					hung <- struct{}{}
					<-released
					returned.Add(1)
				}
			}))
			add := file
			if folder {
				add = filepath.Dir(file)
			}
			q.Add(Request{Path: add})
			<-hung
			id := jobFor(t, q, file).ID

			q.Pause()
			eventually(t, 20*time.Second, func() bool { return stateOf(q, file) == storage.JobQueued },
				"the job back in the queue while its open hangs")
			j := jobFor(t, q, file)
			assert.NotEqual(t, storage.JobFailed, j.State)
			assert.Empty(t, history(t, e.db), "nothing recorded")

			q.Resume()
			<-hung // the new attempt's open hangs too
			assert.Equal(t, storage.JobUploading, stateOf(q, file))
			release() // the share answers: both opens return
			eventually(t, 20*time.Second, func() bool { return stateOf(q, file) == storage.JobDone },
				"uploaded once the share answers")
			assert.EqualValues(t, 2, opens.Load(), "one open given up, one that uploaded")
			require.Len(t, e.sandboxUploads(), 1, "sent once")
			requireHistoryOnce(t, e.db, q.Jobs())
			assert.Equal(t, storage.JobDone, dbState(t, e.db, id).State)
			eventually(t, 20*time.Second, func() bool { return returned.Load() == 2 && !openfiles.Holds(t, file) },
				"the file the given-up open got late is closed")
			closeWithin(t, q, 20*time.Second)
		})
	}
}
