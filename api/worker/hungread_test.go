package worker

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// stoppedAnswering is the hang of a look at a file on a drive that
// stopped answering, for a test hook to call: hang tells started, then
// blocks until the test's cleanup lets every hung look go on (registered
// now, so it runs before the cleanups registered earlier, such as the
// queue's Close).
func stoppedAnswering(t *testing.T) (hang func(), started <-chan struct{}) {
	t.Helper()
	begun := make(chan struct{}, 8)
	released := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(released) }) })
	return func() {
		begun <- struct{}{}
		<-released
	}, begun
}

// hangReadsOf makes the upload's reads of the file named name stop
// answering after its first block, as a network share or a USB disk that
// stopped answering mid-read does; started gets a value when a read hangs.
func hangReadsOf(t *testing.T, name string) (started <-chan struct{}) {
	t.Helper()
	return hangReadsFrom(t, name, api.ChunkSize)
}

// hangReadsFrom is hangReadsOf once from bytes of the file were read.
func hangReadsFrom(t *testing.T, name string, from int64) (started <-chan struct{}) {
	t.Helper()
	hang, started := stoppedAnswering(t)
	t.Cleanup(readhook.Set(func(path string, read int64) {
		if filepath.Base(path) == name && read >= from {
			hang()
		}
	}))
	return started
}

// cancelAllThenNext presses Cancel all while the look hung answers
// nothing, adds next and waits for it to be uploaded (what stalls names
// the look, in the failure), checks that Cancel all forgot the folder or
// file being listed, then lets the look left behind return (what it
// found is dropped) and waits for the queue to settle.
func cancelAllThenNext(t *testing.T, e *testEnv, q *Queue, hung hungLook, next, stalls string) {
	t.Helper()
	q.CancelAll()
	q.Add(Request{Path: next})
	require.Eventually(t, func() bool { return stateOf(q, next) == storage.JobDone }, 20*time.Second, 5*time.Millisecond,
		"the file added after Cancel all was not uploaded while %s hangs", stalls)
	assert.Empty(t, walksLeft(t, e.db), "Cancel all forgets what it was listing")
	hung.release() // the look left behind returns: what it found is dropped
	require.NoError(t, wait(t, q, hangGuard))
}

// closeWithin runs q.Close and fails the test when it has not returned
// within d (a bound on a hang, not a wait for an event): it waited for a
// read, an open or a stat of a file that does not return.
func closeWithin(t *testing.T, q *Queue, d time.Duration) {
	t.Helper()
	closed := make(chan error, 1)
	go func() { closed <- q.Close() }()
	select {
	case err := <-closed:
		assert.NoError(t, err)
	case <-time.After(d):
		t.Fatal("Close waited for a look at a file on a drive that stopped answering")
	}
}

// TestCloseWhileAnUploadReadsADriveThatDoesNotAnswer: quitting the window
// (App.Close → Queue.Close) while the file being uploaded is read from a
// network share or a USB disk that stopped answering mid-read: the read
// does not return, and Close waited for it, so the process never ended.
// Close now returns while the read hangs, and the job stays to be
// uploaded again by the next queue, with nothing recorded in the history.
func TestCloseWhileAnUploadReadsADriveThatDoesNotAnswer(t *testing.T) {
	closeLeavesItQueued(t, hangReadsOf, 3*api.ChunkSize, false)
}

// closeLeavesItQueued adds nas/share/big.bin of size (or its folder, when
// folder), whose look hang holds, and closes the queue once the look
// hangs: Close returns, the job is left to be uploaded again by the next
// queue, and nothing is recorded or stored.
func closeLeavesItQueued(t *testing.T, hang func(t *testing.T, name string) <-chan struct{}, size int, folder bool) {
	t.Helper()
	e := newTestEnv(t, sandbox.Config{})
	file := e.write("nas/share/big.bin", testutil.Content("big", size))
	q := e.queue(e.config())
	started := hang(t, "big.bin")
	add := file
	if folder {
		add = filepath.Dir(file)
	}
	q.Add(Request{Path: add})
	<-started
	id := jobFor(t, q, file).ID

	closeWithin(t, q, 20*time.Second)
	assert.Contains(t, []storage.JobState{storage.JobUploading, storage.JobQueued}, dbState(t, e.db, id).State,
		"left to be uploaded again")
	assert.Empty(t, history(t, e.db), "nothing recorded")
	assert.Empty(t, e.sandboxUploads(), "nothing stored")
}

// TestCancelWhileAnUploadReadsADriveThatDoesNotAnswer: "Cancel" of the
// one job whose file is read from a drive that stopped answering, with
// one upload at a time: the job is canceled, and the next file in the
// queue is uploaded, without waiting for the read.
func TestCancelWhileAnUploadReadsADriveThatDoesNotAnswer(t *testing.T) {
	cancelLetsTheNextGo(t, hangReadsOf, 3*api.ChunkSize, "", "the read")
}

// cancelLetsTheNextGo adds a file of size (its expected SHA-256 sum,
// when not "") whose look hang holds, then the next file, with one upload
// at a time, and cancels the first once the look hangs: the first is
// canceled and the next uploaded while the look (what) still hangs. It
// returns the test's environment.
func cancelLetsTheNextGo(t *testing.T, hang func(t *testing.T, name string) <-chan struct{}, size int, sum, what string) *testEnv {
	t.Helper()
	e := newTestEnv(t, sandbox.Config{})
	big := e.write("nas/big.bin", testutil.Content("big", size))
	next := e.write("local/next.txt", testutil.Content("next", 100))
	q := e.queue(e.config())
	started := hang(t, "big.bin")
	q.SetConcurrency(1)
	q.Add(Request{Path: big, ExpectSHA256: sum})
	<-started
	q.Add(Request{Path: next})
	q.Cancel(jobFor(t, q, big).ID)

	eventually(t, 20*time.Second, func() bool { return stateOf(q, next) == storage.JobDone },
		"the next file uploaded while "+what+" hangs")
	assert.Equal(t, storage.JobCanceled, stateOf(q, big))
	closeWithin(t, q, 20*time.Second)
	return e
}

// TestDStorEndsAnUploadWhileItsFileDoesNotAnswer: dStor answers 408
// before the whole file came (or drops the connection), while the read of
// the file's second block does not return (a drive that stopped
// answering), and nothing cancels the upload: the upload's goroutine
// waited for the drive, and with one upload at a time the whole queue
// with it. Now each attempt fails at once, is retried, and after
// MaxAttempts the job is failed with dStor's reason, for Retry failed;
// nothing is recorded or stored.
func TestDStorEndsAnUploadWhileItsFileDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	big := e.write("nas/big.bin", testutil.Content("big", 3*api.ChunkSize))
	started := hangReadsFrom(t, "big.bin", 2*api.ChunkSize)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.ContentLength < 3*api.ChunkSize {
			e.srv.ServeHTTP(w, r)
			return
		}
		_, _ = io.ReadFull(r.Body, make([]byte, 64<<10))
		select { // the read of the second block hangs first
		case <-started:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusRequestTimeout)
	}))
	t.Cleanup(front.Close)
	cfg := e.config()
	cfg.MaxAttempts = 2
	cfg.Client = clientFor(t, front.URL, nil)
	q := e.queue(cfg)
	q.SetConcurrency(1)
	q.Add(Request{Path: big})

	eventually(t, 20*time.Second, func() bool { return stateOf(q, big) == storage.JobFailed },
		"the upload failed while the read of its file hangs")
	j := jobFor(t, q, big)
	assert.Equal(t, 2, j.Attempts, "retried as any 408")
	assert.Contains(t, j.Err, "did not answer in time")
	assert.Empty(t, history(t, e.db), "nothing recorded")
	assert.Empty(t, e.sandboxUploads(), "nothing stored")
	closeWithin(t, q, 20*time.Second)
}

// hangOpensOf makes the opens of the file named name for an upload (its
// checksum read's, and each attempt's) stop answering, as an open of a
// file on a network share or a USB disk that stopped answering does;
// started gets a value when an open hangs.
func hangOpensOf(t *testing.T, name string) (started <-chan struct{}) {
	t.Helper()
	hang, started := stoppedAnswering(t)
	t.Cleanup(readhook.SetOpen(func(path string) {
		if filepath.Base(path) == name {
			hang()
		}
	}))
	return started
}

// TestCloseWhileAnUploadOpensAFileThatDoesNotAnswer: quitting the window
// (Queue.Close) while the upload opens its file on a drive that stopped
// answering, for a file named itself and for a folder's file (opened
// beneath its folder): the open did not return, it ran on the upload's
// goroutine, and Close waited for it. Close now returns, and the job stays
// to be uploaded by the next queue, with nothing recorded.
func TestCloseWhileAnUploadOpensAFileThatDoesNotAnswer(t *testing.T) {
	for _, folder := range []bool{false, true} {
		t.Run(map[bool]string{false: "file", true: "folder's file"}[folder], func(t *testing.T) {
			closeLeavesItQueued(t, hangOpensOf, 100, folder)
		})
	}
}

// TestCancelWhileAnUploadOpensAFileThatDoesNotAnswer: "Cancel" of the one
// job whose file's open does not answer, with one upload at a time: the
// job is canceled and the next file uploaded, without waiting for the
// open; a checksum expected (whose read opens the file first) alike.
func TestCancelWhileAnUploadOpensAFileThatDoesNotAnswer(t *testing.T) {
	for _, sum := range []string{"", strings.Repeat("ab", 32)} {
		t.Run(map[bool]string{false: "upload", true: "checksum"}[sum != ""], func(t *testing.T) {
			cancelLetsTheNextGo(t, hangOpensOf, 100, sum, "the open")
		})
	}
}

// TestCloseWhileTheLookAtAFileGoneFromItsFolderDoesNotAnswer: a folder's
// file missing when its upload opened it makes the queue look whether its
// folder is still there and whether it is back (goneFromItsFolder), on
// the upload's goroutine: on a share that stopped answering right then,
// Close waited for those looks. It now returns, and Cancel of that job
// lets the next file go; nothing is recorded for the file.
func TestCloseWhileTheLookAtAFileGoneFromItsFolderDoesNotAnswer(t *testing.T) {
	for _, cancel := range []bool{false, true} {
		t.Run(map[bool]string{false: "Close", true: "Cancel"}[cancel], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			gone := e.write("nas/trip/gone.jpg", []byte("gone"))
			next := e.write("local/next.txt", testutil.Content("next", 100))
			cfg := e.config()
			cfg.Paused = true
			var hang func()
			cfg.beforeGoneCheck = func(path string) {
				if path == gone {
					hang() // the share stopped answering
				}
			}
			q := e.queue(cfg)
			hang, hung := stoppedAnswering(t) // released before q's Close
			<-q.Add(Request{Path: filepath.Dir(gone)}).Done()
			eventually(t, hangGuard, func() bool { return len(q.Jobs()) == 1 }, "the file listed")
			require.NoError(t, os.Remove(gone))
			q.SetConcurrency(1)
			q.Resume()
			<-hung
			if cancel {
				q.Add(Request{Path: next})
				q.Cancel(jobFor(t, q, gone).ID)
				eventually(t, 20*time.Second, func() bool { return stateOf(q, next) == storage.JobDone },
					"the next file uploaded while the look hangs")
				assert.Equal(t, storage.JobCanceled, stateOf(q, gone))
			}
			closeWithin(t, q, 20*time.Second)
			for _, h := range history(t, e.db) {
				assert.NotEqual(t, gone, h.LocalPath, "nothing recorded for the file gone")
			}
		})
	}
}

// TestPauseWhileTheLookAtAFileGoneFromItsFolderDoesNotAnswer: Pause while
// the queue's look at a folder's file found missing (goneFromItsFolder)
// hangs on a share that stopped answering gives the look up as the
// upload's end: the job goes back to the queue (not failed, not skipped
// on a guess, nothing recorded). Once the share answers, Resume sends it
// again, and the file, still gone from its folder that is still there, is
// skipped as one gone before the listing: the folder's list stays whole
// without it, and the other file of the folder is uploaded.
func TestPauseWhileTheLookAtAFileGoneFromItsFolderDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	gone := e.write("nas/trip/gone.jpg", []byte("gone"))
	kept := e.write("nas/trip/kept.jpg", []byte("kept"))
	cfg := e.config()
	cfg.Paused = true
	hung, released := make(chan struct{}, 8), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(released) }) }
	t.Cleanup(release)
	cfg.beforeGoneCheck = func(path string) {
		if path == gone {
			hung <- struct{}{}
			<-released // the share stopped answering
		}
	}
	q := e.queue(cfg)
	<-q.Add(Request{Path: filepath.Dir(gone)}).Done()
	eventually(t, hangGuard, func() bool { return len(q.Jobs()) == 2 }, "the files listed")
	require.NoError(t, os.Remove(gone))
	q.SetConcurrency(1)
	q.Resume()
	<-hung
	q.Pause()
	eventually(t, 20*time.Second, func() bool { return stateOf(q, gone) == storage.JobQueued },
		"back in the queue while the look hangs")
	for _, h := range history(t, e.db) {
		assert.NotEqual(t, gone, h.LocalPath, "nothing recorded for the file gone")
	}
	release()
	q.Resume()
	eventually(t, 20*time.Second, func() bool {
		return stateOf(q, gone) == storage.JobSkipped && stateOf(q, kept) == storage.JobDone
	}, "gone from its folder: skipped; the rest uploaded")
	requireHistoryOnce(t, e.db, q.Jobs())
	closeWithin(t, q, 20*time.Second)
}

// hangAnsweredOf makes the first look at the file named name once dStor
// answered its upload (whether it is still the version sent) stop
// answering; started gets a value when it hangs.
func hangAnsweredOf(t *testing.T, name string) (started <-chan struct{}) {
	t.Helper()
	return hangNth(t, readhook.SetAnswered, name, 1).started
}

// TestCancelWhileTheLookAfterDStorAnsweredDoesNotAnswer: dStor answered
// an upload, and the look whether the file is still the version sent
// hangs (its drive stopped answering right then): with one upload at a
// time, "Cancel" of it waited, and so did the next file. The job is now
// canceled at once (not recorded: unchecked, it is no verified upload)
// and the next file uploaded.
func TestCancelWhileTheLookAfterDStorAnsweredDoesNotAnswer(t *testing.T) {
	e := cancelLetsTheNextGo(t, hangAnsweredOf, 100, "", "the look after dStor answered")
	for _, h := range history(t, e.db) {
		assert.NotEqual(t, "big.bin", filepath.Base(h.LocalPath), "nothing recorded for the file not checked")
	}
}

// TestCloseWhileTheLookAfterDStorAnsweredDoesNotAnswer: quitting the
// window (Queue.Close) while the look at an uploaded file after dStor's
// answer hangs: Close waited for it. It now returns; the upload is not
// recorded (its file was not checked), and the job stays to be uploaded
// again, which the next queue does once the drive answers, recording it
// once.
func TestCloseWhileTheLookAfterDStorAnsweredDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	big := e.write("nas/big.bin", testutil.Content("big", 100))
	q := e.queue(e.config())
	hung := hangNth(t, readhook.SetAnswered, "big.bin", 1)
	q.Add(Request{Path: big})
	<-hung.started
	id := jobFor(t, q, big).ID

	closeWithin(t, q, 20*time.Second)
	assert.Contains(t, []storage.JobState{storage.JobUploading, storage.JobQueued}, dbState(t, e.db, id).State,
		"left to be uploaded again")
	assert.Empty(t, history(t, e.db), "nothing recorded")
	hung.release() // the drive answers
	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	assert.Equal(t, storage.JobDone, stateOf(next, big), "uploaded again by the next queue")
	requireHistoryOnce(t, e.db, next.Jobs())
}
