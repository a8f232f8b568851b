package worker

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSkipsThatLeaveAFolderShareWhole: every reason a job can be skipped
// or refused for is either one by design, whose file the folder's list
// is whole without (storage.SkipsByDesign: links not followed, special
// files, empty folders, the app's own data, a file gone or replaced by a
// link), or one whose file the share lacks (it could not be read, or a
// passing trouble). A new reason gets a decision here.
func TestSkipsThatLeaveAFolderShareWhole(t *testing.T) {
	byDesign := []ReasonCode{ReasonSymlink, ReasonJunction, ReasonPipe, ReasonSocket, ReasonDevice,
		ReasonSpecialFile, ReasonEmptyFolder, ReasonOwnData, ReasonNotListed, ReasonVanished, ReasonFileMissing}
	for _, c := range ReasonCodes {
		assert.Equal(t, slices.Contains(byDesign, c), slices.Contains(storage.SkipsByDesign, string(c)), c)
	}
	assert.Len(t, storage.SkipsByDesign, len(byDesign), "no code the worker does not have")
	assert.ElementsMatch(t, []string{string(ReasonFolderTooDeep), string(ReasonDestinationTooLong)}, storage.SkipsTooDeep,
		"history --folder says these apart from files that could not be read")
	assert.ElementsMatch(t, []string{string(ReasonFolderDenied), string(ReasonFolderUnreadable)}, storage.SkipsFolderUnread,
		"history --folder says these as folders, not files")
}

// shareOf is the latest share of the folder the files of q's jobs under
// dir were found in, as the walk recorded it.
func shareOf(t *testing.T, e *testEnv, dir string) storage.FolderKey {
	t.Helper()
	for _, h := range history(t, e.db) {
		if h.AddedFolder != "" && filepath.Dir(h.LocalPath) == dir {
			k := newestShare(t, e, h.AddedFolder)
			return k
		}
	}
	t.Fatalf("no upload of a file of %s", dir)
	return storage.FolderKey{}
}

// droppedOf is FolderLeftOf(k).Dropped, with the rest of it asserted
// empty (but TooDeep and UnreadFolders, parts of Dropped).
func droppedOf(t *testing.T, e *testEnv, k storage.FolderKey) int {
	t.Helper()
	left := leftOf(t, e, k)
	assert.Equal(t, storage.FolderLeft{Dropped: left.Dropped, TooDeep: left.TooDeep, UnreadFolders: left.UnreadFolders}, left, "nothing else left")
	return left.Dropped
}

// TestFolderFilesCanceledPartWayLeaveTheShareNotWhole: a folder of four
// files, Stop everything while its third is being sent: the share holds
// two and lacks two, canceled. Retrying one that then uploads leaves it
// lacking the other, and so it stays once Clear finished takes that one
// out of the queue and after a restart (its row is all that says so). The
// folder added again sends it: that later share is whole; the earlier
// one still lacks it.
func TestFolderFilesCanceledPartWayLeaveTheShareNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("trip/%d.jpg", 4)
	dir := filepath.Join(e.files, "trip")
	hold := testutil.NewUploadHold(e.srv, 2)
	hold.Arm()
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release) // runs first: a held request must not keep ts.Close waiting
	cfg := e.config()
	cfg.Client, cfg.Concurrency = clientFor(t, ts.URL, nil), 1
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	<-hold.Started() // the third file is being sent
	q.CancelAll()
	hold.Release()
	require.NoError(t, wait(t, q, hangGuard))
	canceled := q.Summary().Canceled
	require.Equal(t, 2, canceled, "the third and the fourth")
	k := shareOf(t, e, dir)
	assert.Equal(t, 2, droppedOf(t, e, k), "two files canceled")

	var retried string
	for _, j := range q.Jobs() {
		if j.State == storage.JobCanceled {
			retried = j.ID
			break
		}
	}
	q.Retry(retried)
	require.NoError(t, wait(t, q, hangGuard))
	assert.Equal(t, storage.JobDone, dbState(t, e.db, retried).State)
	assert.Equal(t, 1, droppedOf(t, e, k), "the one retried is uploaded")

	q.ClearFinished()
	require.NoError(t, wait(t, q, hangGuard))
	assert.Empty(t, q.Jobs(), "out of the queue")
	assert.Equal(t, 1, droppedOf(t, e, k), "cleared from the queue")
	require.NoError(t, q.Close())
	restarted := e.queue(e.config()) // deletes the cleared rows it can
	require.NoError(t, wait(t, restarted, hangGuard))
	assert.Equal(t, 1, droppedOf(t, e, k), "after a restart")

	restarted.Add(Request{Path: dir})
	require.NoError(t, wait(t, restarted, hangGuard))
	later := shareOf(t, e, dir)
	require.NotEqual(t, k, later)
	assert.Zero(t, droppedOf(t, e, later), "the later add sent it: whole")
	entries := filesOf(t, e, later)
	assert.Len(t, entries, 4)
	assert.Equal(t, 1, droppedOf(t, e, k), "the earlier share still lacks it")
}

// TestFolderFileFailedThenRemovedLeavesTheShareNotWhole: a file of a
// folder that failed (dStor refused it) is one the share lacks while it
// can be retried (Failed), and for good once it is removed from the
// queue (Dropped), after a restart too.
func TestFolderFileFailedThenRemovedLeavesTheShareNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{MaxUploadSize: 100})
	e.write("trip/small.txt", testutil.Content("s", 10))
	big := e.write("trip/big.txt", testutil.Content("b", 1000))
	dir := filepath.Dir(big)
	q := e.uploaded(Request{Path: dir})
	j := jobFor(t, q, big)
	require.Equal(t, storage.JobFailed, j.State, fmt.Sprint(j.Err))
	k := shareOf(t, e, dir)
	left := leftOf(t, e, k)
	assert.Equal(t, storage.FolderLeft{BatchLeft: storage.BatchLeft{Failed: 1}}, left)

	q.Remove(j.ID)
	require.NoError(t, wait(t, q, hangGuard))
	assert.Equal(t, 1, droppedOf(t, e, k), "removed from the queue")
	require.NoError(t, q.Close())
	restarted := e.queue(e.config())
	require.NoError(t, wait(t, restarted, hangGuard))
	assert.Equal(t, 1, droppedOf(t, e, k), "after a restart")
}

// newestShare is the folder share NewestFolderShare finds for dir.
func newestShare(t *testing.T, e *testEnv, dir string) storage.FolderKey {
	t.Helper()
	k, err := e.db.NewestFolderShare(dir)
	require.NoError(t, err)
	return k
}

// leftOf is what FolderLeftOf finds left of share k.
func leftOf(t *testing.T, e *testEnv, k storage.FolderKey) storage.FolderLeft {
	t.Helper()
	left, err := e.db.FolderLeftOf(k)
	require.NoError(t, err)
	return left
}

// filesOf is share k's history (HistoryOfFolder).
func filesOf(t *testing.T, e *testEnv, k storage.FolderKey) []storage.HistoryEntry {
	t.Helper()
	entries, err := e.db.HistoryOfFolder(k)
	require.NoError(t, err)
	return entries
}
