package worker

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// addedWhileItsShareLookHangs is a queue to which the folder trip
// (writeListedTrip) was just added, whose look for its share (ShareFolder,
// in the walk saver) hangs, as on a drive that stopped answering, until
// released (by the test's cleanup at the latest).
func addedWhileItsShareLookHangs(t *testing.T) (e *testEnv, dir string, q *Queue, hung hungLook) {
	t.Helper()
	e = newTestEnv(t, sandbox.Config{})
	dir = writeListedTrip(e)
	q = e.queue(e.config())
	hung = hangNth(t, readhook.SetShareLook, "trip", 1)
	q.Add(Request{Path: dir})
	<-hung.started
	return e, dir, q, hung
}

// TestCloseWhileTheShareOfAnAddedFolderIsLookedForOnADriveThatDoesNotAnswer:
// quitting the window (Queue.Close; the CLI's Ctrl+C alike) while the
// walk saver looks for the share of a folder just added (ShareFolder: a
// stat and the links followed) on a network share or a USB disk that
// stopped answering: that look ran on the saver's goroutine, and Close
// waits for the saver, so the process never ended. Close now gives the
// look a moment (shareLookGrace), then saves the request without its
// share; the next queue, once the drive answers, lists the folder and
// makes its share then: every file uploaded once, the share whole.
func TestCloseWhileTheShareOfAnAddedFolderIsLookedForOnADriveThatDoesNotAnswer(t *testing.T) {
	e, dir, q, hung := addedWhileItsShareLookHangs(t)

	closeWithin(t, q, 20*time.Second)
	walks := walksLeft(t, e.db)
	require.Len(t, walks, 1, "the folder stays saved for the next queue")
	assert.Empty(t, walks[0].Folder, "its share is not known: its listing makes it")
	assert.Empty(t, history(t, e.db), "nothing recorded")
	hung.release() // the drive answers
	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	requireWholeOnce(t, e, dir, 13, "listed by the next queue")
	assert.Equal(t, storage.NotCut, leftOf(t, e, newestShare(t, e, dir)).Cut, "its share is whole")
}

// TestCloseWaitsForAShareLookThatAnswersInTime: Close after the queue's
// ctx ended still takes the share of a folder whose look answers within
// shareLookGrace (a healthy drive, or a slow one): the request is saved
// with it, as before, not left for the listing to make.
func TestCloseWaitsForAShareLookThatAnswersInTime(t *testing.T) {
	old := shareLookGrace
	shareLookGrace = hangGuard // so the release below is in time however slow the machine
	t.Cleanup(func() { shareLookGrace = old })
	e, dir, q, hung := addedWhileItsShareLookHangs(t)

	closed := make(chan error, 1)
	go func() { closed <- q.Close() }()
	<-q.ctx.Done() // Close began
	hung.release()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(hangGuard + 20*time.Second): // a bound on a hang
		t.Fatal("Close waited past its grace for a look that answered")
	}
	walks := walksLeft(t, e.db)
	require.Len(t, walks, 1, "the folder stays saved for the next queue")
	assert.Equal(t, ListedFolder(dir), walks[0].Folder, "saved with its share")
}

// TestCancelAllWhileTheShareOfAnAddedFolderIsLookedForOnADriveThatDoesNotAnswer:
// "Cancel all" while the walk saver looks for the share of a folder just
// added, on a drive that stopped answering: the saver waited for the
// look, so nothing added after it was saved, nor listed ("Listing
// folders…" for good). Cancel all now gives that look up: the folder is
// forgotten (nothing of it queued, no walk left), and the file added next
// is uploaded while the look hangs.
func TestCancelAllWhileTheShareOfAnAddedFolderIsLookedForOnADriveThatDoesNotAnswer(t *testing.T) {
	e, dir, q, hung := addedWhileItsShareLookHangs(t)
	next := e.write("local/next.txt", testutil.Content("next", 100))

	cancelAllThenNext(t, e, q, hung, next, "the look for the folder's share")
	for _, j := range q.Jobs() {
		assert.Equal(t, next, j.LocalPath, "only the file added after Cancel all is queued")
	}
	closeWithin(t, q, 20*time.Second)
	assert.Empty(t, walksLeft(t, e.db), "nothing left for the next queue")
	_, err := e.db.NewestFolderShare(dir)
	assert.ErrorIs(t, err, storage.ErrNotFound, "no share of the folder forgotten before it was saved with one")
}

// TestAShareLookThatAnswersAsCloseGivesItUpSavesTheFolderOnce: the look
// for a folder's share returns just as Close gives it up (a grace of a
// few microseconds, the release at a random point around it): the
// request is saved once, with its share or without it (offlocal.Until:
// one side takes the answer), and the next queue lists the folder whole,
// each file once, its share not cut.
func TestAShareLookThatAnswersAsCloseGivesItUpSavesTheFolderOnce(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	old := shareLookGrace
	t.Cleanup(func() { shareLookGrace = old })
	for i := range 4 {
		shareLookGrace = time.Duration(rng.IntN(200)) * time.Microsecond
		spins := rng.IntN(2000)
		t.Run(fmt.Sprintf("round %d", i), func(t *testing.T) {
			e, dir, q, hung := addedWhileItsShareLookHangs(t)
			closed := make(chan error, 1)
			go func() { closed <- q.Close() }()
			<-q.ctx.Done() // Close began
			for range spins {
				runtime.Gosched()
			}
			hung.release()
			select {
			case err := <-closed:
				require.NoError(t, err)
			case <-time.After(20 * time.Second): // a bound on a hang
				t.Fatal("Close waited for a look it gave up")
			}
			walks := walksLeft(t, e.db)
			require.Len(t, walks, 1, "saved once")
			assert.Contains(t, []string{"", ListedFolder(dir)}, walks[0].Folder, "with its share or none")
			next := e.queue(e.config())
			require.NoError(t, wait(t, next, hangGuard))
			requireWholeOnce(t, e, dir, 13, "listed by the next queue")
			assert.Equal(t, storage.NotCut, leftOf(t, e, newestShare(t, e, dir)).Cut, "its share is whole")
		})
	}
}
