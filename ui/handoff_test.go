package ui

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// historyHas reports whether the history holds an entry for path.
func historyHas(t *testing.T, db *storage.DB, path string) bool {
	entries, err := db.HistoryPage(storage.HistoryQuery{Limit: 1000})
	require.NoError(t, err)
	for _, h := range entries {
		if h.LocalPath == path {
			return true
		}
	}
	return false
}

// A later launch's files join the running window's queue, through the
// same channel instance.Server delivers on.
func TestHandoffQueuesInTheRunningWindow(t *testing.T) {
	e := newTestEnv(t)
	reqs := make(chan instance.Handoff)
	e.a = e.open(Deps{Handoffs: reqs})
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "second.txt"), 2000)
	reqs <- instance.Handoff{Request: instance.Request{Env: "sandbox", Paths: []string{p}}}
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "the handed-over file is uploaded")
	assert.True(t, historyHas(t, e.db, p))

	// Files opened for another environment are asked about, not uploaded
	// there or here silently.
	q := testutil.WriteFile(t, filepath.Join(t.TempDir(), "other.txt"), 10)
	reqs <- instance.Handoff{Request: instance.Request{Env: "testnet", Paths: []string{q}}}
	e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "a question about the environment")
	e.ui(func() {
		assert.Equal(t, 1, a.upload.sum.Total, "nothing added before the answer")
	})
}

// Before sign-in, a hand-off with --env sandbox signs in to it and then
// uploads.
func TestHandoffBeforeSignIn(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "early.txt"), 100)
	e.ui(func() { a.onHandoff(instance.Request{Env: "sandbox", Paths: []string{p}}, nil) })
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "signed in to the sandbox and uploaded")
}

// While a command-line run holds the account's queue, the window says so,
// keeps what is added (in the database, so quitting loses nothing) and
// uploads it once the lock frees.
func TestQueueInUseKeepsFilesUntilItFrees(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	var account string
	e.ui(func() {
		account = a.sess.Account
		a.doSignOut()
	})
	require.NoError(t, a.waitRetired(t.Context()))
	lock, err := e.db.LockQueue(api.SandboxKey, account) // the CLI's run
	require.NoError(t, err)

	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "meanwhile.txt"), 3000)
	e.ui(func() {
		assert.True(t, a.upload.noticeBox.Visible())
		assert.Contains(t, a.upload.notice.Text, "command-line upload")
		assert.False(t, a.upload.addFiles.Disabled(), "adding still works")
		a.addPaths([]string{p})
	})
	e.eventually(func() bool { return a.upload.locked == 1 }, "kept for later")
	e.ui(func() { assert.Contains(t, a.upload.notice.Text, "Waiting: 1 file or folder") })
	walks, err := e.db.Walks(api.SandboxKey, account)
	require.NoError(t, err)
	require.Len(t, walks, 1, "saved in the database, not only in the window")
	assert.Equal(t, p, walks[0].Path)

	require.NoError(t, lock.Release()) // the CLI's run ends
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded once the queue is free")
	e.ui(func() { assert.False(t, a.upload.noticeBox.Visible()) })
	assert.True(t, historyHas(t, e.db, p))
}

// --add-files (the desktop entry's "Upload files…") asks for files once
// signed in, and so does a later launch with it.
func TestAddFilesAsksOnceSignedIn(t *testing.T) {
	e := newTestEnv(t)
	e.a = e.open(Deps{PickFiles: true})
	a := e.a
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "chosen.txt"), 100)
	asked := make(chan struct{}, 2)
	e.ui(func() {
		a.pickFiles = func() ([]string, error) { asked <- struct{}{}; return []string{p}, nil }
	})
	e.signInSandbox()
	<-asked
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "the chosen file is uploaded")

	e.ui(func() { a.onHandoff(instance.Request{Pick: true}, nil) })
	<-asked
}

// openClaimed claims e's data folder, as the first launch does, and opens
// the window on the later launches' hand-offs; the claim is released at
// the test's end (Close is safe to call again).
func (e *testEnv) openClaimed() *instance.Server {
	e.t.Helper()
	srv, handed, err := instance.Claim(e.t.Context(), e.dir, instance.Request{})
	require.NoError(e.t, err)
	require.False(e.t, handed, "nothing else holds the folder")
	e.t.Cleanup(func() { _ = srv.Close() })
	e.a = e.open(Deps{Handoffs: srv.Requests()})
	return srv
}

// TestLaunchIsAnsweredOnceItsFilesAreQueued: a later launch is told that
// the window has its files only once the window has queued them. A launch
// that reached a window already closing used to be told so all the same,
// and exited, while the closing window dropped its files; it now gets no
// answer, and becomes the next window once this one is gone.
func TestLaunchIsAnsweredOnceItsFilesAreQueued(t *testing.T) {
	e := newTestEnv(t)
	srv := e.openClaimed()
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "second.txt"), 2000)
	_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Env: "sandbox", Paths: []string{p}})
	require.NoError(t, err)
	require.True(t, handed, "the running window takes the files")
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "and uploads them")

	a.Close()
	type result struct {
		srv    *instance.Server
		handed bool
		err    error
	}
	res := make(chan result, 1)
	go func() {
		s, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Env: "sandbox", Paths: []string{"/late.txt"}})
		res <- result{s, handed, err}
	}()
	// A hang guard, not a speed limit: the launch's request waits for
	// nothing on its way.
	require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 2*time.Minute, 5*time.Millisecond,
		"the launch's request reaches the closed window")
	require.NoError(t, srv.Close())
	r := <-res
	require.NoError(t, r.err)
	assert.False(t, r.handed, "the closed window did not take the files")
	require.NotNil(t, r.srv, "the launch is the window now")
	require.NoError(t, r.srv.Close())
}

// TestLaunchIsAnsweredOnceItsFilesAreSaved: a signed-in window tells a
// later launch that it has its files only once its queue has saved them in
// the database, not as soon as it holds them in memory: a kill in between
// lost files whose launch had exited, told they were taken. While the
// database cannot take the write (another connection holds its lock), the
// launch gets no answer; the window still queues the files once it can.
func TestLaunchIsAnsweredOnceItsFilesAreSaved(t *testing.T) {
	// The window's write waits for the lock as long as the test holds it,
	// not 10 s (it would then fail, and answer the launch so).
	t.Cleanup(storage.SetBusyTimeoutForTest(time.Hour))
	e := newTestEnv(t)
	e.openClaimed()
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "held.txt"), 2000)

	release := testutil.HoldWriteLock(t, e.dir)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	type result struct {
		handed bool
		err    error
	}
	res := make(chan result, 1)
	go func() {
		_, handed, err := instance.Claim(ctx, e.dir, instance.Request{Env: "sandbox", Paths: []string{p}})
		res <- result{handed, err}
	}()
	e.eventually(func() bool { return testutil.GoroutineIn("storage.(*DB).InsertWalks") },
		"the queue is saving the launch's file")
	// The launch gives up 3 s after the window holds its file: time for an
	// answer given before the save to come. None is due while the test
	// holds the lock, so the wait cannot be too short for a right one.
	var r result
	select {
	case r = <-res:
	case <-time.After(3 * time.Second):
		cancel()
		r = <-res
	}
	assert.False(t, r.handed, "told its file was taken while it could not be saved")
	assert.ErrorIs(t, r.err, instance.ErrNotAnswering)

	release()
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "queued and uploaded once the database is free")
	assert.True(t, historyHas(t, e.db, p))
}

// TestHandedFilesOutliveAKillBeforeSignIn: files a later launch hands to a
// window nobody is signed in to are in the database before the launch is
// told they are taken, so a window killed before the sign-in (no Close: a
// new window on the same data folder) shows them again at its next start
// and queues them for the account that signs in then; a file gone
// meanwhile fails with the queue's own reason. They were kept in memory only,
// and lost.
func TestHandedFilesOutliveAKillBeforeSignIn(t *testing.T) {
	e := newTestEnv(t)
	srv := e.openClaimed()
	dir := t.TempDir()
	p := testutil.WriteFile(t, filepath.Join(dir, "opened.txt"), 1500)
	gone := testutil.WriteFile(t, filepath.Join(dir, "gone.txt"), 10)
	_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Paths: []string{p, gone}})
	require.NoError(t, err)
	require.True(t, handed, "the window takes the files")
	e.ui(func() { assert.True(t, e.a.signin.pending.Visible()) })

	// Killed: nothing of that window runs again.
	require.NoError(t, srv.Close())
	require.NoError(t, os.Remove(gone))
	e.a = e.open(Deps{})
	a := e.a
	e.ui(func() {
		assert.Nil(t, a.sess)
		assert.True(t, a.signin.pending.Visible(), "shown as waiting for a sign-in again")
		assert.Contains(t, a.signin.pending.Text, "2 files or folders")
	})
	e.signInSandbox()
	e.eventually(func() bool { return a.upload.sum.Done == 1 && a.upload.sum.Failed == 1 }, "uploaded, and the missing file not")
	assert.True(t, historyHas(t, e.db, p))
	var missing worker.Job
	e.ui(func() {
		assert.False(t, a.signin.pending.Visible())
		for _, j := range a.sess.queue.Jobs() {
			if j.LocalPath == gone {
				missing = j
			}
		}
	})
	assert.Equal(t, storage.JobFailed, missing.State)
	assert.Equal(t, worker.ReasonFileMissing, missing.Reason, "the queue's reason for a file that is not there")

	// Queued: forgotten as waiting, so the next start adds nothing.
	require.Eventually(t, func() bool {
		w, err := e.db.WalksBeforeSignIn()
		return err == nil && len(w) == 0
	}, time.Minute, 10*time.Millisecond, "no longer kept as waiting for a sign-in")
	a.Close()
	e.a = e.open(Deps{})
	e.ui(func() { assert.False(t, e.a.signin.pending.Visible()) })
}

// TestKeptFilesOpenedForAnotherEnvironmentAreAsked: files a launch opened
// for one environment (--env) and kept until sign-in across a restart are
// not uploaded to another environment signed in to without asking; "Don't
// upload" forgets them.
func TestKeptFilesOpenedForAnotherEnvironmentAreAsked(t *testing.T) {
	e := newTestEnv(t)
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "for-testnet.txt"), 100)
	e.ui(func() { e.a.onHandoff(instance.Request{Env: "testnet", Paths: []string{p}}, nil) })
	require.Eventually(t, func() bool {
		w, err := e.db.WalksBeforeSignIn()
		return err == nil && len(w) == 1
	}, time.Minute, 10*time.Millisecond, "kept in the database")

	e.a = e.open(Deps{})
	a := e.a
	e.ui(func() {
		assert.Equal(t, choiceLabel(choiceTestnet), a.signin.env.Selected, "the environment the launch named")
	})
	e.signInSandbox()
	e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "a question about the environment")
	e.ui(func() {
		assert.Zero(t, a.upload.sum.Total, "nothing added before the answer")
		test.Tap(overlayButton(t, a.win.Canvas(), "Don't upload"))
	})
	require.Eventually(t, func() bool {
		w, err := e.db.WalksBeforeSignIn()
		return err == nil && len(w) == 0
	}, time.Minute, 10*time.Millisecond, "forgotten")
	e.ui(func() { assert.Zero(t, a.upload.sum.Total, "nothing uploaded to the sandbox") })
}

// TestKeptFilesAreForgottenOnceTheQueueSavedThem: files kept until sign-in
// leave the database (their rows of no account) only once the queue of
// the account signed in to has saved them there, never in the moment
// before, when a kill lost them: they were forgotten as soon as the queue
// held them in memory.
func TestKeptFilesAreForgottenOnceTheQueueSavedThem(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	// Kept before a sign-in by an earlier run, as its next start finds them.
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "kept.txt"), 700)
	require.NoError(t, e.db.InsertWalks([]storage.WalkRow{{ID: uuid.NewString(), BatchID: uuid.NewString(), Path: p}}))
	e.ui(func() {
		_, err := a.restorePending()
		require.NoError(t, err)
	})

	release := testutil.HoldWriteLock(t, e.dir)
	e.ui(a.queuePending)
	forgetting := func() bool { return testutil.GoroutineIn("storage.(*DB).DeleteWalks") }
	e.eventually(func() bool {
		return testutil.GoroutineIn("storage.(*DB).InsertWalks") &&
			(forgetting() || testutil.ParkedIn("ui.(*uploadView).add.func1") > 0)
	}, "the queue is saving the kept file")
	assert.False(t, forgetting(), "forgotten before the queue saved it")

	release()
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded once the database is free")
	require.Eventually(t, func() bool {
		w, err := e.db.WalksBeforeSignIn()
		return err == nil && len(w) == 0
	}, time.Minute, 10*time.Millisecond, "forgotten once saved")
}

// TestFilesOpenedForAnotherEnvironmentOutliveAKill: files a launch opened
// for another environment than the one signed in to are saved (as files
// kept until sign-in, for that environment) before the launch is told
// they are taken, so a kill while the question about them is open loses
// none: the next start shows them waiting again, for that environment.
// Answering the question forgets them. They lived only in the question.
func TestFilesOpenedForAnotherEnvironmentOutliveAKill(t *testing.T) {
	e := newTestEnv(t)
	srv := e.openClaimed()
	a := e.a
	e.signInSandbox()
	waiting := func() []storage.WalkRow {
		w, err := e.db.WalksBeforeSignIn()
		require.NoError(t, err)
		return w
	}
	launch := func(p string) {
		_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Env: "testnet", Paths: []string{p}})
		require.NoError(t, err)
		require.True(t, handed, "the window takes the files")
		w := waiting()
		require.Len(t, w, 1, "saved before the launch is told they are taken")
		assert.Equal(t, p, w[0].Path)
		assert.Equal(t, "testnet", w[0].Env, "for the environment the launch named")
		e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "a question about the environment")
	}

	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "answered.txt"), 100)
	launch(p)
	e.ui(func() { test.Tap(overlayButton(t, a.win.Canvas(), "Upload to Local sandbox")) })
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded once the question is answered")
	require.Eventually(t, func() bool { return len(waiting()) == 0 }, time.Minute, 10*time.Millisecond,
		"forgotten as waiting once queued")

	q := testutil.WriteFile(t, filepath.Join(t.TempDir(), "killed.txt"), 100)
	launch(q)
	// Killed while the question is open: nothing of that window runs again.
	require.NoError(t, srv.Close())
	e.a = e.open(Deps{})
	e.ui(func() {
		assert.True(t, e.a.signin.pending.Visible(), "shown as waiting again")
		assert.Contains(t, e.a.signin.pending.Text, "1 file or folder")
		assert.Equal(t, choiceLabel(choiceTestnet), e.a.signin.env.Selected, "the environment the launch named")
	})
}

// claimRefused hands paths to the window of e as a later launch and
// returns why the window refused them; the launch neither becomes the
// window nor is told its files were taken.
func (e *testEnv) claimRefused(paths ...string) error {
	e.t.Helper()
	srv, handed, err := instance.Claim(e.t.Context(), e.dir, instance.Request{Env: "sandbox", Paths: paths})
	if srv != nil {
		_ = srv.Close()
	}
	assert.False(e.t, handed, "told its files were taken")
	assert.Nil(e.t, srv, "the launch does not become the window")
	require.Error(e.t, err)
	assert.NotErrorIs(e.t, err, instance.ErrNotAnswering, "answered")
	return err
}

// TestLaunchToAnInvalidDestinationIsRefused: a window whose destination
// (folder path, parent id or comment) is not valid adds nothing a launch
// hands it; the launch is told so, with what to do, instead of being told
// its files were taken.
func TestLaunchToAnInvalidDestinationIsRefused(t *testing.T) {
	e := newTestEnv(t)
	e.openClaimed()
	a := e.a
	e.signInSandbox()
	e.ui(func() { a.upload.folder.SetText("   ") })
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "refused.txt"), 100)
	err := e.claimRefused(p)
	assert.Contains(t, err.Error(), "only spaces", "what is wrong")
	assert.Contains(t, err.Error(), "Upload tab", "what to do")
	e.ui(func() {
		assert.Zero(t, a.upload.sum.Total, "nothing added")
		assert.Contains(t, a.upload.destError.Text, "Nothing was added")
	})
}

// TestLaunchWhoseFilesCannotBeSavedIsRefused: a window nobody is signed in
// to whose database refuses the write of a launch's files (here: the file
// was moved away, so no write counts) tells the launch so, with the
// reason. The launch got no answer, and waited until its deadline. (A
// signed-in window keeps them for its next start instead, and says so:
// TestLaunchToAWindowWhoseHistoryIsGoneIsToldTheyAreKept.)
func TestLaunchWhoseFilesCannotBeSavedIsRefused(t *testing.T) {
	e := newTestEnv(t)
	e.openClaimed()
	require.NoError(t, os.Rename(e.db.Path(), e.db.Path()+".moved"))
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "unsaved.txt"), 100)
	err := e.claimRefused(p)
	assert.Contains(t, err.Error(), "could not save", "refused")
	assert.Contains(t, err.Error(), "deleted or moved away", "the reason")
}

// TestLaunchToAWindowWhoseDiskIsFullIsToldItWaitsForRoom: a signed-in
// window whose data folder's disk is full cannot save a launch's files yet,
// but its queue keeps them and lists and uploads them once there is room
// (worker: a full disk is a wait). The launch was told the window "could
// not save the files …, so they may not be uploaded: …; open them again",
// and exited 1, yet the files were uploaded later (and a person who opened
// them again could send them twice). Now it is told the window has them
// and waits for room, and that a quit before then loses them; it still
// exits 1, not being told they are saved.
func TestLaunchToAWindowWhoseDiskIsFullIsToldItWaitsForRoom(t *testing.T) {
	disk := testfs.SmallDisk(t, 16<<20)
	e := newTestEnvIn(t, filepath.Join(disk, "data"))
	e.openClaimed()
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "full.txt"), 2000)
	emptyWAL(t, e.dir)
	free := testfs.KeepDiskFull(t, disk)
	err := e.claimRefused(p)
	assert.Contains(t, err.Error(), "has the files", "taken")
	assert.Contains(t, err.Error(), "the disk holding "+e.dir+" is full", "why they are not saved yet")
	assert.Contains(t, err.Error(), "uploads them once there is room", "what the window does")
	assert.Contains(t, err.Error(), "if it quits, crashes or is killed first", "when they are lost")
	assert.NotContains(t, err.Error(), "may not be uploaded")
	e.eventually(func() bool { return a.upload.sum.Stalled != "" }, "the window says which disk to free")

	free()
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded once there is room")
}

// TestLaunchForAnotherEnvironmentToAWindowWhoseDiskIsFullIsToldItAsks: a
// signed-in window handed files opened for another environment asks
// whether they go to the one it is signed in to, and holds them in that
// question; when its disk is full it cannot save them yet. The launch was
// told the window "could not save the files …, so they may not be
// uploaded: …; open them again", yet a yes uploaded them (and a person who
// opened them again could send them twice). Now it is told the window has
// them and asks about them, what happens on a yes, and that a quit before
// then loses them; it still exits 1, not being told they are saved.
func TestLaunchForAnotherEnvironmentToAWindowWhoseDiskIsFullIsToldItAsks(t *testing.T) {
	disk := testfs.SmallDisk(t, 16<<20)
	e := newTestEnvIn(t, filepath.Join(disk, "data"))
	e.openClaimed()
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "for-testnet.txt"), 2000)
	emptyWAL(t, e.dir)
	free := testfs.KeepDiskFull(t, disk)
	srv, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Env: "testnet", Paths: []string{p}})
	if srv != nil {
		_ = srv.Close()
	}
	require.False(t, handed, "not saved, so not told they are")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has the files", "taken")
	assert.Contains(t, err.Error(), "the disk holding "+e.dir+" is full", "why they are not saved yet")
	assert.Contains(t, err.Error(), "asks whether to upload them to the environment it is signed in to and, on a yes, lists and uploads them once there is room", "what the window does")
	assert.Contains(t, err.Error(), "if it quits, crashes or is killed first", "when they are lost")
	assert.NotContains(t, err.Error(), "may not be uploaded")

	// The window says it could not keep them for a later start, over the
	// question, which stays.
	e.eventually(func() bool { return strings.Contains(overlayText(a.win.Canvas()), "is full") }, "the full disk shown in the window")
	e.ui(func() { test.Tap(overlayButton(t, a.win.Canvas(), "OK")) })
	free()
	e.ui(func() { test.Tap(overlayButton(t, a.win.Canvas(), "Upload to Local sandbox")) })
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded on a yes")
}

// emptyWAL moves what the write-ahead log of the database in dir holds into
// the database and empties it, so that the next write needs new room on
// the disk (an emptied log is what a full disk leaves, storage.DB).
func emptyWAL(t *testing.T, dir string) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	require.Eventually(t, func() bool {
		var busy, log, moved int
		err := raw.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &moved)
		return err == nil && busy == 0
	}, 2*time.Minute, 20*time.Millisecond, "the write-ahead log emptied")
}

// TestLaunchToASignedOutWindowWhoseDiskIsFullIsToldItWaitsForRoom: a window
// nobody is signed in to keeps a launch's files until someone signs in,
// in memory as well as in the database; when its disk is full only the
// memory has them, and they are queued and uploaded at the sign-in all
// the same. The launch was told the window "could not save the files …,
// so they may not be uploaded: …; open them again", and exited 1, yet the
// file was uploaded after the sign-in. Now it is told the window has them
// and uploads them once someone signs in and there is room, and that a
// quit before then loses them; the file is uploaded once.
func TestLaunchToASignedOutWindowWhoseDiskIsFullIsToldItWaitsForRoom(t *testing.T) {
	disk := testfs.SmallDisk(t, 16<<20)
	e := newTestEnvIn(t, filepath.Join(disk, "data"))
	e.openClaimed()
	a := e.a
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "full.txt"), 2000)
	emptyWAL(t, e.dir)
	free := testfs.KeepDiskFull(t, disk)
	// No --env: nothing signs the window in on its own.
	srv, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Paths: []string{p}})
	if srv != nil {
		_ = srv.Close()
	}
	require.False(t, handed, "not saved, so not told they are")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has the files", "taken")
	assert.Contains(t, err.Error(), "the disk holding "+e.dir+" is full", "why they are not saved yet")
	assert.Contains(t, err.Error(), "once someone signs in to it and there is room", "what the window does")
	assert.Contains(t, err.Error(), "if it quits, crashes or is killed first", "when they are lost")
	assert.NotContains(t, err.Error(), "may not be uploaded")

	free()
	e.signInSandbox()
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded after the sign-in")
	e.ui(func() { assert.Equal(t, 1, a.upload.sum.Total, "once") })
}
