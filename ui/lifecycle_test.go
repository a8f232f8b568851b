package ui

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// A sign-in whose result arrives after the window closed never reaches the
// UI; Close must still stop its queue (goroutines, and the account's queue
// lock, which would otherwise make the next start fail).
func TestSignInFinishingAfterCloseStopsItsQueue(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	res := a.signIn(signInRequest{choice: choiceSandbox, creds: demoKeyCredentials})
	require.NoError(t, res.err)
	require.NotNil(t, res.sess)
	a.Close()
	a.do(func() { a.signin.finish(a.signin.gen, res) }) // dropped: closed
	lock, err := e.db.LockQueue(res.sess.EnvKey, res.sess.Account)
	require.NoError(t, err, "the queue of the late sign-in still runs after Close")
	require.NoError(t, lock.Release())
}

// A sign-in waits for a sign-out still in progress, so the sign-out's
// keyring deletions cannot remove what the sign-in saves.
func TestSignInWaitsForRetiredSession(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	release := make(chan struct{})
	var releaseOnce sync.Once
	unblock := func() { releaseOnce.Do(func() { close(release) }) }
	t.Cleanup(unblock) // before a.Close, which waits for the retire
	e.ui(func() { a.retire(&activeSession{}, func() { <-release }) })
	done := make(chan signInResult, 1)
	go func() {
		done <- a.signIn(signInRequest{choice: choiceSandbox, creds: demoKeyCredentials})
	}()
	// Parked in waitRetired (its goroutine's stack says so): not merely
	// slow to start, which a fixed wait could not tell apart.
	e.eventually(func() bool { return len(done) > 0 || testutil.GoroutineIn("ui.(*App).waitRetired") },
		"the sign-in waits for the session being retired")
	require.Empty(t, done, "the sign-in did not wait for the session being retired")
	unblock()
	var res signInResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the sign-in did not go on once the retire ended")
	}
	require.NoError(t, res.err)
	e.ui(func() { a.signin.finish(a.signin.gen, res) })
}

// Signing out and straight back in keeps the new sign-in's credentials and
// remembered account.
func TestSignOutThenSignInAgainKeepsCredentials(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	var account string
	e.ui(func() {
		account = a.sess.Account
		test.Tap(a.signOut)
		test.Tap(a.signin.keySubmit)
	})
	e.eventually(func() bool { return a.sess != nil }, "signed in again")
	require.NoError(t, a.waitRetired(t.Context()))
	_, err := e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
	assert.NoError(t, err, "the API key of the new sign-in was deleted by the sign-out")
	assert.Len(t, a.currentSettings().RememberedAccounts, 1)
}

// Ctrl+Shift+C on the sign-in screen after signing out copies nothing: the
// history still loaded is the previous account's.
func TestCopyLastLinkAfterSignOutCopiesNothing(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	e.ui(func() {
		a.history.entries = []storage.HistoryEntry{{ID: 1, Env: api.SandboxKey, Hash: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"}}
		a.fyne.Clipboard().SetContent("")
		test.Tap(a.signOut)
		a.onCopyLastLink()
		assert.Empty(t, a.fyne.Clipboard().Content())
	})
}

// Once Fyne's event loop has ended, fyne.Do runs its function on the
// caller's goroutine. Fyne's own SIGTERM handler can end the loop before
// the window's handler has called stopUI, so do must drop an update that
// runs anywhere but on the loop's goroutine, closed or not. The test
// driver runs fyne.Do on the caller, as the real one does after its loop.
func TestUpdatesOffTheEventLoopAreDropped(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	t.Cleanup(func() { a.loop.Store(0) }) // before the env's own cleanup
	ran := 0
	a.do(func() { ran++ })
	require.Equal(t, 1, ran, "no event loop recorded: the update runs")

	elsewhere := make(chan struct{})
	go func() { defer close(elsewhere); a.runLoopHere() }()
	<-elsewhere
	a.do(func() { ran++ })
	assert.Equal(t, 1, ran, "an update run off the event loop's goroutine reached the widgets")

	a.runLoopHere()
	a.do(func() { ran++ })
	assert.Equal(t, 2, ran, "an update on the event loop's goroutine was dropped")
}

// goroutineID tells goroutines apart and is stable within one.
func TestGoroutineID(t *testing.T) {
	here := goroutineID()
	require.NotZero(t, here)
	assert.Equal(t, here, goroutineID())
	other := make(chan uint64)
	go func() { other <- goroutineID() }()
	there := <-other
	assert.NotZero(t, there)
	assert.NotEqual(t, here, there)
}
