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
