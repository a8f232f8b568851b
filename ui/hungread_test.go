package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// heldLooks holds every look at a file that waits on it until release,
// as a system call on a drive that stopped answering holds its caller:
// the hung-drive tests' one way to make a look never return, and to let
// it go.
type heldLooks struct {
	released chan struct{}
	once     sync.Once
}

// holdLooks returns a heldLooks that t releases as it ends at the latest,
// so that no look of a test is still held once it is over.
func holdLooks(t *testing.T) *heldLooks {
	h := &heldLooks{released: make(chan struct{})}
	t.Cleanup(h.release)
	return h
}

// wait blocks until release.
func (h *heldLooks) wait() { <-h.released }

// release lets every held look go on, now and from now on; calling it
// again does nothing.
func (h *heldLooks) release() { h.once.Do(func() { close(h.released) }) }

// replaceForTest sets *v to with for the rest of t, and puts the value
// back as t ends: the hooks the window's looks go through (readLocalHead,
// statShown, splitPaths, …) are package variables.
func replaceForTest[T any](t *testing.T, v *T, with T) {
	old := *v
	*v = with
	t.Cleanup(func() { *v = old })
}

// blockHeads makes each read of a local file's first bytes for "Check
// again" wait until release is called, as a read of a file on a drive
// that stopped answering does; started gets one value as a read begins,
// returned one as it ends.
func blockHeads(t *testing.T) (started, returned <-chan struct{}, release func()) {
	t.Helper()
	begun, ended := make(chan struct{}, 8), make(chan struct{}, 8)
	held := holdLooks(t)
	old := readLocalHead
	replaceForTest(t, &readLocalHead, func(e storage.HistoryEntry) worker.LocalHead {
		defer func() { ended <- struct{}{} }()
		begun <- struct{}{}
		held.wait()
		return old(e)
	})
	return begun, ended, held.release
}

// TestCloseWhileCheckAgainReadsADriveThatDoesNotAnswer: History's "Check
// again" reads the first bytes of the entry's local file. On a network
// share or USB disk that stopped answering, or a OneDrive "online-only"
// file being fetched, that read does not return, and Close waited for it:
// the window's widgets closed but the process never ended, and the
// history was never closed after it. Close now returns while the read is
// blocked, and the history then closes.
func TestCloseWhileCheckAgainReadsADriveThatDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	gateway := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(gateway.Close)
	a.changeSettings(func(s storage.Settings) storage.Settings { s.GatewayOverride = gateway.URL; return s })
	path := testutil.WriteFile(t, filepath.Join(t.TempDir(), "report.pdf"), 10)
	id, err := e.db.AddHistory(storage.HistoryEntry{JobID: "report", Name: "report.pdf", Size: 10,
		Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true, LocalPath: path})
	require.NoError(t, err)
	require.NoError(t, e.db.SetLive(id, storage.LiveCheck{At: fixedNow, Error: "not reachable yet: the gateway answered 404 Not Found"}))
	e.reloadHistory(1)
	started, returned, release := blockHeads(t)
	e.ui(func() {
		r := newHistoryRow(a.history)
		r.set(a.history.entries[0])
		test.Tap(r.recheck)
	})
	waitOrFail(t, started, "the check's read of the file")

	require.True(t, returnsWhileBlocked(a.Close, release), "the window closes while the read of the file is blocked")
	require.NoError(t, e.db.Close(), "the history closes while the read of the file is blocked")
	release()
	waitOrFail(t, returned, "the read left behind ends once it returns")
}

// TestCloseWhileShowInFolderLooksAtADriveThatDoesNotAnswer: History's
// Show in folder first looks whether the entry's file is still there; on
// a drive that stopped answering that stat does not return, and Close
// waited for it. Close now returns while it is blocked, and the history
// then closes; nothing is asked of the file manager once it returns.
func TestCloseWhileShowInFolderLooksAtADriveThatDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	reveal, rec := fakeRevealer("windows", "", nil)
	a.history.reveal = reveal
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "beach.jpg"), 3)
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "j", Name: "beach.jpg", LocalPath: p, Size: 3,
		Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true})
	require.NoError(t, err)
	e.reloadHistory(1)
	begun, ended := make(chan struct{}, 1), make(chan struct{}, 1)
	held := holdLooks(t)
	release := held.release
	old := statShown
	replaceForTest(t, &statShown, func(name string) (os.FileInfo, error) {
		defer func() { ended <- struct{}{} }()
		begun <- struct{}{}
		held.wait()
		return old(name)
	})
	e.ui(func() {
		r := newHistoryRow(a.history)
		r.set(a.history.entries[0])
		test.Tap(r.reveal)
	})
	waitOrFail(t, begun, "the look at the file")

	require.True(t, returnsWhileBlocked(a.Close, release), "the window closes while the look at the file is blocked")
	require.NoError(t, e.db.Close(), "the history closes while the look at the file is blocked")
	release()
	waitOrFail(t, ended, "the look left behind ends once it returns")
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Empty(t, rec.name, "nothing asked of the file manager after Close")
}
