package worker

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// hungLook is a look of a folder's listing at the disk that stops
// answering, as on a network share or a USB disk that stopped answering
// mid-listing: the nth look at the entry named name (a folder is looked
// at first, then its entries are read) blocks until release.
type hungLook struct {
	started <-chan struct{}
	release func() // lets the look return; once, then a no-op
}

// hangListingAt makes the nth look of a listing at the entry named name
// hang (readhook.SetListing); the test's cleanup releases it, before the
// cleanups registered earlier (the queue's Close).
func hangListingAt(t *testing.T, name string, nth int) hungLook {
	t.Helper()
	return hangNth(t, readhook.SetListing, name, nth)
}

// hangNth makes the nth call of the hook that set sets, for a path named
// name, hang until released (by the test's cleanup at the latest).
func hangNth(t *testing.T, set func(func(string)) func(), name string, nth int) hungLook {
	t.Helper()
	started, released := make(chan struct{}, 1), make(chan struct{})
	release := sync.OnceFunc(func() { close(released) })
	var mu sync.Mutex
	seen := 0
	restore := set(func(p string) {
		if filepath.Base(p) != name {
			return
		}
		mu.Lock()
		seen++
		hang := seen == nth
		mu.Unlock()
		if hang {
			started <- struct{}{}
			<-released
		}
	})
	t.Cleanup(func() { release(); restore() })
	return hungLook{started: started, release: release}
}

// The places of a listing that a drive that stopped answering holds: the
// look whether the folder added is the app's own data folder (its second
// look, after the one at what it is), the look at a file of the folder,
// the look at a folder in it, and the read of that folder's entries.
var hungListingCases = []struct {
	name, entry string
	nth         int
}{
	{"look whether it is the app's data", "trip", 2},
	{"look at a file", "a05.jpg", 1},
	{"look at a folder", "sub", 1},
	{"read of a folder", "sub", 2},
}

// writeListedTrip writes the folder trip: ten files, then the folder sub
// with three more (13 files), and returns trip's path.
func writeListedTrip(e *testEnv) string {
	e.writeNumbered("trip/a%02d.jpg", 10)
	e.writeNumbered("trip/sub/s%02d.jpg", 3)
	return filepath.Join(e.files, "trip")
}

// TestCloseWhileAFolderIsListedOnADriveThatDoesNotAnswer: quitting the
// window (Queue.Close; the CLI's Ctrl+C alike) while a folder is listed
// from a network share or a USB disk that stopped answering mid-listing:
// the look at an entry, or the read of a folder's entries, does not
// return, it ran on the walker's goroutine, and Close waited for it, so
// the process never ended. Close now returns while the look hangs; the
// listing stays saved, and the next queue, once the drive answers, lists
// what is left: every file of the folder uploaded, each once.
func TestCloseWhileAFolderIsListedOnADriveThatDoesNotAnswer(t *testing.T) {
	for _, tc := range hungListingCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			dir := writeListedTrip(e)
			cfg := e.config()
			cfg.Paused = true
			q := e.queue(cfg)
			hung := hangListingAt(t, tc.entry, tc.nth)
			q.Add(Request{Path: dir})
			<-hung.started

			closeKeepsTheListing(t, e, q, hung)
			requireWholeOnce(t, e, dir, 13, "listed again by the next queue")
		})
	}
}

// closeKeepsTheListing closes q while the look hung hangs (closeWithin),
// checks that the listing stays saved and nothing is recorded, then lets
// the look return (the drive answers) and waits for the next queue, which
// lists what is left.
func closeKeepsTheListing(t *testing.T, e *testEnv, q *Queue, hung hungLook) {
	t.Helper()
	closeWithin(t, q, 20*time.Second)
	assert.NotEmpty(t, walksLeft(t, e.db), "the listing stays saved for the next queue")
	assert.Empty(t, history(t, e.db), "nothing recorded")
	hung.release() // the drive answers
	require.NoError(t, wait(t, e.queue(e.config()), hangGuard))
}

// TestCancelAllWhileAFolderIsListedOnADriveThatDoesNotAnswer: "Cancel
// all" while a folder's listing hangs on a drive that stopped answering:
// the walker waited for the look, so a file added after it was never
// listed, nor uploaded ("Listing folders…" for good). The listing is now
// given up: its share says it was stopped before its end (the window says
// to add the folder again), and the file added next is uploaded while the
// look still hangs.
func TestCancelAllWhileAFolderIsListedOnADriveThatDoesNotAnswer(t *testing.T) {
	for _, tc := range hungListingCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			dir := writeListedTrip(e)
			next := e.write("local/next.txt", testutil.Content("next", 100))
			cfg := e.config()
			cfg.Paused = true // the files saved before the hang wait, for Cancel all
			q := e.queue(cfg)
			hung := hangListingAt(t, tc.entry, tc.nth)
			q.Add(Request{Path: dir})
			<-hung.started

			q.CancelAll()
			q.Add(Request{Path: next})
			q.Resume()
			require.Eventually(t, func() bool { return stateOf(q, next) == storage.JobDone }, 20*time.Second, 5*time.Millisecond,
				"the file added after Cancel all was not uploaded while the listing's look hangs")
			assert.Equal(t, storage.CutStopped, leftOf(t, e, newestShare(t, e, dir)).Cut, "stopped before its end")
			assert.Empty(t, walksLeft(t, e.db), "Cancel all forgets the listing")
			hung.release() // the look left behind returns: what it found is dropped
			require.NoError(t, wait(t, q, hangGuard))
			seen := map[string]bool{}
			for _, j := range q.Jobs() {
				assert.False(t, seen[j.LocalPath], "queued twice: %s", j.LocalPath)
				seen[j.LocalPath] = true
				if j.LocalPath != next {
					assert.Equal(t, storage.JobCanceled, j.State, "the folder's files saved before Cancel all: %s", j.LocalPath)
				}
			}
			closeWithin(t, q, 20*time.Second)
		})
	}
}

// TestListFolderEndsWithCtxWhileAFolderDoesNotAnswer: `verify DIR`'s
// listing (ListFolder) of a folder on a drive that stopped answering
// returns ctx's error once ctx ends (Ctrl+C), while the look at an entry
// or the read of a folder hangs, with the entries given before it.
func TestListFolderEndsWithCtxWhileAFolderDoesNotAnswer(t *testing.T) {
	for _, tc := range hungListingCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			dir := writeListedTrip(e)
			hung := hangListingAt(t, tc.entry, tc.nth)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var mu sync.Mutex
			var given []string
			done := make(chan error, 1)
			go func() {
				done <- ListFolder(ctx, e.db, dir, func(fe FolderEntry) error {
					mu.Lock()
					given = append(given, filepath.Base(fe.Path))
					mu.Unlock()
					return nil
				})
			}()
			<-hung.started
			cancel()
			select {
			case err := <-done:
				assert.ErrorIs(t, err, context.Canceled)
			case <-time.After(20 * time.Second): // a bound on a hang
				t.Fatal("ListFolder waited for a look at a folder on a drive that stopped answering")
			}
			mu.Lock()
			defer mu.Unlock()
			assert.NotContains(t, given, "s00.jpg", "nothing of the folder not read")
		})
	}
}

// The looks at a file added on its own (dropped, or named on the command
// line) that a drive that stopped answering holds, after the one at what
// it is: whether it is in the app's own data folder, at the links on its
// path (walk.linksSettled), and at the file itself (api.ValidateFile).
var hungFileLookCases = []struct {
	name string
	nth  int
}{
	{"look whether it is the app's data", 2},
	{"look at the links on its path", 3},
	{"look at the file", 4},
}

// TestCloseWhileAFileAddedOnItsOwnIsLookedAtOnADriveThatDoesNotAnswer:
// quitting the window (Queue.Close; `upload FILE`'s Ctrl+C alike) while
// the listing looks at a file added on its own, on a drive that stopped
// answering: those looks ran on the walker's goroutine, and Close waited
// for them. Close now returns while the look hangs; the file stays
// queued for the next queue (its walk row), which uploads it once the
// drive answers, once; nothing is recorded before.
func TestCloseWhileAFileAddedOnItsOwnIsLookedAtOnADriveThatDoesNotAnswer(t *testing.T) {
	for _, tc := range hungFileLookCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			file := e.write("local/photo.jpg", testutil.Content("photo", 100))
			q := e.queue(e.config())
			hung := hangListingAt(t, "photo.jpg", tc.nth)
			q.Add(Request{Path: file})
			<-hung.started

			closeWithin(t, q, 20*time.Second)
			assert.Len(t, walksLeft(t, e.db), 1, "the file stays saved for the next queue")
			assert.Empty(t, history(t, e.db), "nothing recorded")
			hung.release() // the drive answers
			next := e.queue(e.config())
			require.NoError(t, wait(t, next, hangGuard))
			got := history(t, e.db)
			require.Len(t, got, 1, "uploaded once by the next queue")
			assert.Equal(t, file, got[0].LocalPath)
		})
	}
}

// TestCancelAllWhileAFileAddedOnItsOwnIsLookedAtOnADriveThatDoesNotAnswer:
// "Cancel all" while the listing looks at a file added on its own, on a
// drive that stopped answering: the walker waited for the look, so a file
// added after it was never listed, nor uploaded ("Listing folders…" for
// good). The look is now given up: the file is not queued (Cancel all
// took it, as any file whose listing it stops), nothing of it is
// recorded, and the file added next is uploaded while the look hangs.
func TestCancelAllWhileAFileAddedOnItsOwnIsLookedAtOnADriveThatDoesNotAnswer(t *testing.T) {
	for _, tc := range hungFileLookCases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			file := e.write("local/photo.jpg", testutil.Content("photo", 100))
			next := e.write("local/next.txt", testutil.Content("next", 100))
			q := e.queue(e.config())
			hung := hangListingAt(t, "photo.jpg", tc.nth)
			q.Add(Request{Path: file})
			<-hung.started

			cancelAllThenNext(t, e, q, hung, next, "the look at the file before it")
			_, queued := findJob(q, file)
			assert.False(t, queued, "the file whose look was given up is not queued")
			for _, h := range history(t, e.db) {
				assert.NotEqual(t, file, h.LocalPath, "the file whose look was given up is not recorded")
			}
			closeWithin(t, q, 20*time.Second)
		})
	}
}

// TestCloseWhileTheLookThatNamesAnAddedPathDoesNotAnswer: the walker
// names each path added as the queue records it (RequestPath: absolute,
// a ".." after a link followed, on Windows each name as spelled on disk:
// FindFirstFile on each folder of the path) before its listing looks at
// anything, on its own goroutine. On a network share or a USB disk that
// stopped answering right then, that look never returned and Close (the
// CLI's Ctrl+C, the window's quit) waited for it. Close now returns
// while it hangs; the request stays saved, and the next queue, once the
// drive answers, uploads the file. The hook's first call is the walk
// saver's look for the request's share, the second the walker's.
func TestCloseWhileTheLookThatNamesAnAddedPathDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	file := e.write("nas/share/photo.jpg", testutil.Content("photo", 100))
	q := e.queue(e.config())
	hung := hangNth(t, readhook.SetPathLook, "photo.jpg", 2)
	q.Add(Request{Path: file})
	<-hung.started

	closeKeepsTheListing(t, e, q, hung)
	assert.Len(t, history(t, e.db), 1, "uploaded by the next queue")
}
