package ui

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// hangShareLookOf makes the look for the share of the folder named name
// (worker.ShareFolder: a stat and the links followed) hang, as on a
// network share or a USB disk that stopped answering, until released (by
// the test's cleanup at the latest). started gets a value when it hangs.
func hangShareLookOf(t *testing.T, name string) (started <-chan struct{}, release func()) {
	t.Helper()
	begun, released := make(chan struct{}, 1), make(chan struct{})
	release = sync.OnceFunc(func() { close(released) })
	restore := readhook.SetShareLook(func(p string) {
		if filepath.Base(p) == name {
			select {
			case begun <- struct{}{}:
			default:
			}
			<-released
		}
	})
	t.Cleanup(func() { release(); restore() })
	return begun, release
}

// TestQuitWhileTheShareOfAFolderKeptForASignInIsLookedForOnADriveThatDoesNotAnswer:
// a folder dropped on the window before sign-in is written to the
// database with the folder share it will make (keepWaiting, on a
// goroutine App.Close waits for). On a drive that stopped answering that
// look never returned, so quitting the window never ended the process.
// Close now gives the look a moment (the queue's grace for the same
// look), then saves the folder without its share: the listing makes it
// after the next sign-in. The folder is not lost.
func TestQuitWhileTheShareOfAFolderKeptForASignInIsLookedForOnADriveThatDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	dir := filepath.Join(t.TempDir(), "usbstick")
	testutil.WriteFile(t, filepath.Join(dir, "a.txt"), 100)
	testutil.WriteFile(t, filepath.Join(dir, "b.txt"), 200)
	started, release := hangShareLookOf(t, "usbstick")

	e.ui(func() { a.keepPending([]string{dir}, "") })
	<-started
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Minute): // a bound on a hang, far above the grace
		t.Fatal("the window did not quit: it waited for a look at a drive that does not answer")
	}
	walks, err := e.db.WalksBeforeSignIn()
	require.NoError(t, err)
	require.Len(t, walks, 1, "the folder stays kept for a sign-in")
	assert.Equal(t, dir, walks[0].Path)
	assert.Empty(t, walks[0].Folder, "its share is not known: its listing makes it")

	release() // the drive answers
	e.a = e.open(Deps{})
	e.signInSandbox()
	e.eventually(func() bool { return e.a.upload.sum.Done == 2 }, "both files uploaded after the next sign-in")
	share, err := e.db.NewestFolderShare(worker.ListedFolder(dir))
	require.NoError(t, err, "the listing made the folder's share")
	assert.NotEmpty(t, share.BatchID)
}

// TestQuitWhileSeveralDropsKeptForASignInWaitOnAShareLookThatDoesNotAnswer:
// folders dropped one after another before sign-in are written in the
// order dropped (keepWaiting: each write waits for the one before). When
// the look for the share of one of them hangs, those after it wait on it;
// a quit must still end within about the grace (worker.ShareLookGrace),
// not a grace for each, and every folder stays kept for a sign-in: the
// one before the hang with its share, the one that hangs and those after
// it without (their listings make it after the next sign-in).
func TestQuitWhileSeveralDropsKeptForASignInWaitOnAShareLookThatDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	base := t.TempDir()
	names := []string{"first", "usbstick", "third", "fourth"}
	dirs := make([]string, len(names))
	for i, n := range names {
		dirs[i] = filepath.Join(base, n)
		testutil.WriteFile(t, filepath.Join(dirs[i], "a.txt"), 100+i)
	}
	started, _ := hangShareLookOf(t, "usbstick")

	for _, d := range dirs {
		e.ui(func() { a.keepPending([]string{d}, "") }) // one drop each
	}
	<-started
	closed := make(chan struct{})
	began := time.Now()
	go func() { a.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(time.Minute): // a bound on a hang, far above the grace
		t.Fatal("the window did not quit: drops waited, one after another, for a look at a drive that does not answer")
	}
	took := time.Since(began)
	t.Logf("quit took %v (grace %v)", took, worker.ShareLookGrace)
	assert.Less(t, took, 3*worker.ShareLookGrace, "one grace for the quit, not one for each drop waiting")

	walks, err := e.db.WalksBeforeSignIn()
	require.NoError(t, err)
	require.Len(t, walks, len(dirs), "every folder stays kept for a sign-in")
	for i, w := range walks {
		assert.Equal(t, dirs[i], w.Path, "in the order dropped")
		if i == 0 {
			assert.Equal(t, worker.ListedFolder(dirs[0]), w.Folder, "looked at before the hang: its share is known")
		} else {
			assert.Empty(t, w.Folder, "%s: given up, its listing makes its share", names[i])
		}
	}
}
