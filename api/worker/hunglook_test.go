package worker

import (
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestCloseWhileTheLookAtTheHistoryHangs: the scheduler looks at the
// history's files before each upload it starts (lookAtFileLocked), for
// the command line's queue too since 3cd850e. On a data folder that
// stopped answering (a network share, a USB disk) that stat does not
// return, and Close waited for the scheduler, so the command line's
// first Ctrl+C (and the window's quit) never ended. Close now gives the
// look up: it returns at once, the job stays queued for the next run, and
// no upload started.
func TestCloseWhileTheLookAtTheHistoryHangs(t *testing.T) {
	for _, window := range []bool{false, true} {
		t.Run(map[bool]string{false: "command line", true: "window"}[window], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			file := e.write("a.txt", testutil.Content("a", 100))
			looking, release := make(chan struct{}), make(chan struct{})
			var once, released sync.Once
			cfg := e.config()
			cfg.StopWhenHistoryGone, cfg.Paused = window, true
			cfg.checkFile = func() error {
				once.Do(func() { close(looking) })
				<-release // the data folder answers at last
				return nil
			}
			t.Cleanup(func() { released.Do(func() { close(release) }) })
			q, err := New(cfg)
			require.NoError(t, err)
			q.Add(Request{Path: file})
			eventually(t, hangGuard, func() bool { return q.Summary().Queued == 1 }, "the job saved")
			q.Resume()
			select {
			case <-looking:
			case <-time.After(hangGuard):
				t.Fatal("the scheduler never looked at the history")
			}
			closeWithin(t, q, 20*time.Second)
			released.Do(func() { close(release) }) // the look left behind ends
			assert.Zero(t, e.requests(addPath), "no upload started")
			jobs, err := e.db.QueuedJobs(testEnvName, testEmail, storage.JobQueued, 0, 10)
			require.NoError(t, err)
			assert.Len(t, jobs, 1, "the job stays queued for the next run")
		})
	}
}

// TestALookAtTheHistoryThatFailsOtherwiseStopsNothing: a look at the
// history's files that fails for another reason than a file gone or
// replaced (permission denied on the data folder after a chmod, a
// sharing violation from an antivirus on Windows, a stale network
// handle) tells nothing about the history: every queue, the command
// line's and the window's, uploads every file, records each, and ends
// without a history said gone. The look is tried again before each start
// (counted: one per upload at least).
func TestALookAtTheHistoryThatFailsOtherwiseStopsNothing(t *testing.T) {
	const files = 5
	for _, window := range []bool{false, true} {
		t.Run(map[bool]string{false: "command line", true: "window"}[window], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.writeNumbered("photos/%d.txt", files)
			var looks atomic.Int32
			cfg := e.config()
			cfg.StopWhenHistoryGone, cfg.Concurrency = window, 1
			cfg.checkFile = func() error {
				looks.Add(1)
				return &fs.PathError{Op: "stat", Path: e.db.Path(), Err: fs.ErrPermission}
			}
			q := e.queue(cfg)
			q.Add(Request{Path: filepath.Join(e.files, "photos")})
			require.NoError(t, wait(t, q, hangGuard))
			s := q.Summary()
			assert.Equal(t, files, s.Done)
			assert.Nil(t, s.HistoryGone)
			assert.Len(t, history(t, e.db), files, "every upload recorded")
			assert.GreaterOrEqual(t, int(looks.Load()), files, "looked again before each start")
			assert.False(t, errors.Is(q.Close(), storage.ErrDatabaseReplaced))
		})
	}
}
