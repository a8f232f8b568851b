package ui

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// stillLooking is the toast of a click on an entry whose file is still
// being looked at.
func stillLooking(name string) string {
	return "Still waiting for the drive or network share that holds “" + name + "”."
}

// TestCheckAgainOnADriveThatDoesNotAnswerLooksOnceAtATime: "Check again"
// clicked again and again on an entry whose file is on a drive that
// stopped answering started a new read of the file each time, each
// blocked for good, piling up until the quit. A click while the read is
// under way now says it is still looking and starts none; once the read
// returns, the next click reads again.
func TestCheckAgainOnADriveThatDoesNotAnswerLooksOnceAtATime(t *testing.T) {
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
	started, _, release := blockHeads(t)
	var r *historyRow
	e.ui(func() {
		r = newHistoryRow(a.history)
		r.set(a.history.entries[0])
		test.Tap(r.recheck)
	})
	waitOrFail(t, started, "the check's read of the file")

	for range 3 {
		since := e.markShown()
		e.ui(func() { test.Tap(r.recheck) })
		assert.Equal(t, stillLooking("report.pdf"), e.waitToastAfter(since, "still looking, said"))
		e.ui(func() { assert.Equal(t, widget.WarningImportance, a.toast.Importance, "still looking is no success") })
	}
	since := e.markShown()
	release()
	assert.Equal(t, "“report.pdf” is not reachable yet", e.waitToastAfter(since, "the check's result"))
	e.ui(func() { assert.Equal(t, widget.WarningImportance, a.toast.Importance, "not reachable is no success") })
	assert.Empty(t, started, "no other read started while one was under way")

	e.ui(func() { test.Tap(r.recheck) })
	waitOrFail(t, started, "the next click's read, once the first has returned")
}

// TestShowInFolderOnADriveThatDoesNotAnswerLooksOnceAtATime: Show in
// folder clicked again and again on an entry whose file is on a drive
// that stopped answering started a new look at the file (a stat) each
// time, each blocked for good. A click while one is under way now says it
// is still looking and starts none; once it returns, the next click
// looks again.
func TestShowInFolderOnADriveThatDoesNotAnswerLooksOnceAtATime(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	reveal, rec := fakeRevealer("windows", "", nil)
	a.history.reveal = reveal
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "beach.jpg"), 3)
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "j", Name: "beach.jpg", LocalPath: p, Size: 3,
		Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true})
	require.NoError(t, err)
	e.reloadHistory(1)
	begun := make(chan struct{}, 8)
	held := holdLooks(t)
	release := held.release
	old := statShown
	replaceForTest(t, &statShown, func(name string) (os.FileInfo, error) {
		begun <- struct{}{}
		held.wait()
		return old(name)
	})
	asked := func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.name != ""
	}
	var r *historyRow
	e.ui(func() {
		r = newHistoryRow(a.history)
		r.set(a.history.entries[0])
		test.Tap(r.reveal)
	})
	waitOrFail(t, begun, "the look at the file")

	for range 3 {
		since := e.markShown()
		e.ui(func() { test.Tap(r.reveal) })
		assert.Equal(t, stillLooking("beach.jpg"), e.waitToastAfter(since, "still looking, said"))
	}
	release()
	e.eventually(asked, "the file manager asked")
	assert.Empty(t, begun, "no other look started while one was under way")

	rec.mu.Lock()
	rec.name = ""
	rec.mu.Unlock()
	e.ui(func() { test.Tap(r.reveal) })
	waitOrFail(t, begun, "the next click's look, once the first has returned")
	e.eventually(asked, "the file manager asked again")
}
