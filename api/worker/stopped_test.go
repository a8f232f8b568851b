package worker

import (
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderListingStoppedBeforeItsEndIsNotWhole: Stop everything
// (CancelAll) while a folder is still being listed, once the files saved
// so far are all uploaded: the files never listed have no job, and the
// share holding the uploaded ones is not the folder's whole list (it was
// stopped before the end of its listing), after a restart too. The folder
// added again and listed to the end is whole.
func TestFolderListingStoppedBeforeItsEndIsNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("trip/%02d.jpg", 40)
	dir := filepath.Join(e.files, "trip")
	cfg := e.config()
	hold := holdListingAt(&cfg, "20.jpg") // 00.jpg to 19.jpg listed: hold the listing here
	q := e.queue(cfg)
	t.Cleanup(hold.release)
	q.Add(Request{Path: dir})
	hold.awaitSavedUploaded(t, e, 20)
	q.CancelAll()
	hold.release()
	require.NoError(t, wait(t, q, hangGuard))
	require.Zero(t, q.Summary().Canceled, "nothing saved was left to cancel")
	require.Empty(t, walksLeft(t, e.db), "Stop everything forgets the listing")

	k := shareOf(t, e, dir)
	stoppedLeft := storage.FolderLeft{BatchLeft: storage.BatchLeft{Cut: storage.CutStopped}}
	left := leftOf(t, e, k)
	assert.Equal(t, stoppedLeft, left, "the listing was stopped before its end")
	require.NoError(t, q.Close())
	restarted := e.queue(e.config())
	require.NoError(t, wait(t, restarted, hangGuard))
	left = leftOf(t, e, k)
	assert.Equal(t, stoppedLeft, left, "after a restart")

	restarted.Add(Request{Path: dir})
	require.NoError(t, wait(t, restarted, hangGuard))
	require.NotEqual(t, k, newestShare(t, e, dir))
	requireWholeOnce(t, e, dir, 40, "the folder added again and listed to the end")
}

// TestFolderAddedAgainIsItsLatestShareOnceSaved: an Add call of a folder
// saved for later (the queue's lock held elsewhere: SaveForLater; or a run
// killed before its listing saved a file) is the folder's latest share
// from then on, not whole while it is not listed, though it holds no file
// yet: the earlier upload is no longer taken for the folder's whole list,
// the person having asked to upload the folder again since. Listed and
// uploaded, it is whole.
func TestFolderAddedAgainIsItsLatestShareOnceSaved(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("trip/%d.jpg", 3)
	dir := filepath.Join(e.files, "trip")
	require.NoError(t, e.uploaded(Request{Path: dir}).Close())
	first := shareOf(t, e, dir)

	require.NoError(t, SaveForLater(e.db, testEnvName, testEmail, Request{Path: dir}))
	k := newestShare(t, e, dir)
	assert.NotEqual(t, first, k, "the add saved for later is the latest")
	left := leftOf(t, e, k)
	assert.Equal(t, storage.FolderLeft{BatchLeft: storage.BatchLeft{Listing: true}}, left, "not listed yet")

	q := e.queue(e.config()) // lists it
	require.NoError(t, wait(t, q, hangGuard))
	assert.Equal(t, k, newestShare(t, e, dir))
	requireWholeOnce(t, e, dir, 3, "listed to the end, the files it found already uploaded")
}

// TestCancelAllDuringTheLastSaveOfAListingLeavesItWhole: Cancel all
// landing while a listing that has met every entry of its folder saves
// its last rows, its stop recorded before they are: the listing ended,
// every file it found is in its share (here all found already uploaded,
// so none is canceled), and the share is whole, not "stopped before it
// ended". The listing's rows are written once, at its end (a listing
// slower than flushEvery, as on a loaded machine or under Wine, wrote its
// first row on its own, and the Cancel all landed mid-listing).
func TestCancelAllDuringTheLastSaveOfAListingLeavesItWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("trip/%d.jpg", 3)
	dir := filepath.Join(e.files, "trip")
	require.NoError(t, e.uploaded(Request{Path: dir}).Close())

	cfg := e.config()
	cfg.flushEvery = hangGuard // its rows written once, at its end
	var q atomic.Pointer[Queue]
	cfg.beforeListedRows = func(int, int) { // its only save, and so its last
		q.Load().CancelAll()
		eventually(t, hangGuard, func() bool { return len(walksLeft(t, e.db)) == 0 }, "the stop recorded")
	}
	again, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, again.Close()) })
	q.Store(again)
	again.Add(Request{Path: dir})
	require.NoError(t, wait(t, again, hangGuard))

	k, err := e.db.NewestFolderShare(dir)
	require.NoError(t, err)
	entries, err := e.db.HistoryOfFolder(k)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "every file found already uploaded")
	left, err := e.db.FolderLeftOf(k)
	require.NoError(t, err)
	assert.False(t, left.Any(), "listed to its end: %+v", left)
}
