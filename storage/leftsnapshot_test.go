package storage

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderLeftIsReadAtOneInstant: what a share lacks is read as the
// history was at one instant, so a listing that saves its last files and
// ends while it is read (its rows, then its walk deleted, each in a
// transaction of its own) leaves the share not whole: still listing, or
// those files not uploaded yet; never counted before they were saved and
// the listing found over after it ended, a share called whole whose
// list lacks them.
func TestFolderLeftIsReadAtOneInstant(t *testing.T) {
	d := openTestDB(t)
	const account = "someone@example.com"
	require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", account)}))
	k := FolderKey{Folder: stoppedTestFolder, BatchID: "b2"}
	ended := false
	afterJobsCounted = func() {
		if ended {
			return
		}
		ended = true
		require.NoError(t, d.InsertListing([]JobRow{{BatchID: "b2", Env: "testnet", Account: account,
			LocalPath: filepath.Join(stoppedTestFolder, "last.jpg"), Name: "last.jpg", Beneath: stoppedTestFolder}}, nil))
		_, err := d.DeleteWalks("w-b2")
		require.NoError(t, err)
	}
	t.Cleanup(func() { afterJobsCounted = nil })
	left, err := d.FolderLeftOf(k)
	require.NoError(t, err)
	require.True(t, ended, "the listing ended while the share was read")
	assert.True(t, left.Any(), "called whole while its last file waits: %+v", left)

	left, err = d.FolderLeftOf(k)
	require.NoError(t, err)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Pending: 1}}, left, "read again")
}

// TestFolderFilesAndLeftAreReadAtOneInstant: the files of a share and
// what it lacks, for Copy all links and the index page, are read as the
// history was at one instant: its entries deleted while what it lacks is
// read are still among the files read, so the files and the verdict are
// of one state of the share, never an empty list called whole.
func TestFolderFilesAndLeftAreReadAtOneInstant(t *testing.T) {
	d := openTestDB(t)
	f := &shareFixture{t: t, d: d, folder: stoppedTestFolder}
	f.listed("b1")
	ids := []int64{f.uploaded("b1", "a.jpg"), f.uploaded("b1", "b.jpg")}
	k := FolderKey{Folder: f.folder, BatchID: "b1"}
	deleted := false
	afterJobsCounted = func() {
		if !deleted {
			deleted = true
			n, err := d.DeleteHistoryIDs(t.Context(), ids)
			require.NoError(t, err)
			require.Equal(t, 2, n)
		}
	}
	t.Cleanup(func() { afterJobsCounted = nil })
	entries, left, err := d.HistoryAndLeftOfFolder(k)
	require.NoError(t, err)
	require.True(t, deleted, "the entries were deleted while the share was read")
	assert.Len(t, entries, 2, "the share as read before its entries were deleted")
	assert.Equal(t, FolderLeft{}, left)

	entries, err = d.HistoryOfFolder(k)
	require.NoError(t, err)
	assert.Empty(t, entries, "read again")
}
