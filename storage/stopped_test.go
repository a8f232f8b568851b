package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stoppedTestFolder is the folder the tests of this file add.
var stoppedTestFolder = filepath.FromSlash("/home/someone/trip")

// uploadedOnce records an upload of a file of stoppedTestFolder by the
// Add call b1, listed to its end: the folder's share before the tests'.
func uploadedOnce(t *testing.T, d *DB) {
	t.Helper()
	e := sampleEntry(1)
	e.LocalPath, e.AddedFolder, e.BatchID = filepath.Join(stoppedTestFolder, "a.jpg"), stoppedTestFolder, "b1"
	_, err := d.AddHistory(e)
	require.NoError(t, err)
}

// folderWalk is the walk row of an Add call batch of stoppedTestFolder,
// for account ("" before a sign-in).
func folderWalk(batch, account string) WalkRow {
	return WalkRow{ID: "w-" + batch, BatchID: batch, Env: "testnet", Account: account,
		Path: stoppedTestFolder, Folder: stoppedTestFolder}
}

// latestLeft is the folder's latest share's batch and what it lacks.
func latestLeft(t *testing.T, d *DB) (string, FolderLeft) {
	t.Helper()
	k, err := d.NewestFolderShare(stoppedTestFolder)
	require.NoError(t, err)
	left, err := d.FolderLeftOf(k)
	require.NoError(t, err)
	return k.BatchID, left
}

// TestAFolderAddIsItsLatestShareFromItsWalk: an Add call of a folder is
// the folder's latest share from when its walk is saved, not listed yet
// (Listing), whether its queue lists it (an account's walk) or a window
// keeps it until a sign-in (no account); the earlier share is no longer
// taken for the folder's whole list. A walk of no account, deleted once
// a queue took its files (another Add call) or the person said no, takes
// its share with it; an account's walk deleted once listed leaves its
// share (whole when it lacks nothing). A walk of a file makes no share.
func TestAFolderAddIsItsLatestShareFromItsWalk(t *testing.T) {
	for _, account := range []string{"someone@example.com", ""} {
		t.Run("account "+account, func(t *testing.T) {
			d := openTestDB(t)
			uploadedOnce(t, d)
			file := WalkRow{ID: "w-file", BatchID: "bf", Env: "testnet", Account: account,
				Path: filepath.Join(stoppedTestFolder, "a.jpg")}
			require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", account), file}))
			batch, left := latestLeft(t, d)
			assert.Equal(t, "b2", batch)
			assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Listing: true}}, left)
			walks, err := d.Walks("testnet", account)
			require.NoError(t, err)
			if account == "" {
				walks, err = d.WalksBeforeSignIn()
				require.NoError(t, err)
			}
			require.Len(t, walks, 2)
			assert.Equal(t, stoppedTestFolder, walks[0].Folder, "read back")
			assert.Empty(t, walks[1].Folder)

			_, err = d.DeleteWalks("w-b2", "w-file")
			require.NoError(t, err)
			batch, left = latestLeft(t, d)
			if account == "" {
				assert.Equal(t, "b1", batch, "never listed: its share goes with it")
			} else {
				assert.Equal(t, "b2", batch, "listed to the end")
			}
			assert.False(t, left.Any(), "%+v", left)
		})
	}
}

// TestAFolderListingStoppedBeforeItsEndIsNotWhole: a walk stopped
// (CutWalks, CutStopped: Stop everything) before or while its folder was listed
// leaves its share not whole (Cut), its files uploaded or none; the
// share keeps its row when the entries of its uploads are deleted; a
// walk saved before walks.folder marks every share of its Add call; a
// later Add call of the folder listed to its end is whole.
func TestAFolderListingStoppedBeforeItsEndIsNotWhole(t *testing.T) {
	stopped := FolderLeft{BatchLeft: BatchLeft{Cut: CutStopped}}
	t.Run("before it listed a file", func(t *testing.T) {
		d := openTestDB(t)
		uploadedOnce(t, d)
		require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com")}))
		n, err := d.CutWalks(CutStopped, "w-b2")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch)
		assert.Equal(t, stopped, left)

		require.NoError(t, d.InsertListing(nil, nil, FolderKey{Folder: stoppedTestFolder, BatchID: "b3"}))
		batch, left = latestLeft(t, d)
		assert.Equal(t, "b3", batch, "added again and listed to its end")
		assert.False(t, left.Any(), "%+v", left)
	})
	t.Run("its uploads deleted", func(t *testing.T) {
		d := openTestDB(t)
		uploadedOnce(t, d)
		require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com")}))
		e := sampleEntry(2)
		e.LocalPath, e.AddedFolder, e.BatchID = filepath.Join(stoppedTestFolder, "b.jpg"), stoppedTestFolder, "b2"
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		_, err = d.CutWalks(CutStopped, "w-b2")
		require.NoError(t, err)
		_, err = d.DeleteHistoryIDs(t.Context(), []int64{id})
		require.NoError(t, err)
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch, "it still lacks the files it did not list")
		assert.Equal(t, stopped, left)
	})
	t.Run("a walk saved before walks.folder", func(t *testing.T) {
		d := openTestDB(t)
		w := folderWalk("b2", "someone@example.com")
		w.Folder = ""
		require.NoError(t, d.InsertWalks([]WalkRow{w}))
		_, err := d.w.Exec(`UPDATE walks SET folder = NULL`)
		require.NoError(t, err)
		require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "b2", Env: "testnet", Account: w.Account,
			LocalPath: filepath.Join(stoppedTestFolder, "a.jpg"), Beneath: stoppedTestFolder, State: JobDone}}))
		_, err = d.CutWalks(CutStopped, "w-b2")
		require.NoError(t, err)
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch)
		assert.Equal(t, stopped, left)
	})
}

// TestMigrateV18KeepsTheSharesThere: a database of schema 17 (no
// walks.folder nor folder_shares.stopped) keeps its folders' shares, in
// their order, none stopped, and its walks; migrating again changes
// nothing.
func TestMigrateV18KeepsTheSharesThere(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	uploadedOnce(t, d)
	require.NoError(t, d.InsertListing([]JobRow{{BatchID: "b2", Env: "testnet", Account: "someone@example.com",
		LocalPath: filepath.Join(stoppedTestFolder, "c.jpg"), Beneath: stoppedTestFolder}}, nil))
	require.NoError(t, d.InsertWalks([]WalkRow{{ID: "w", BatchID: "b2", Env: "testnet", Account: "someone@example.com", Path: stoppedTestFolder}}))
	_, err = d.w.Exec(`ALTER TABLE walks DROP COLUMN folder; ALTER TABLE folder_shares DROP COLUMN listing_end; PRAGMA user_version = 17`)
	require.NoError(t, err)
	migratedTwice(t, d, dir, 17, func(d *DB) {
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch)
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Pending: 1, Listing: true}}, left)
		walks := walksOf(t, d)
		require.Len(t, walks, 1)
		assert.Empty(t, walks[0].Folder)
	})
}

// migratedTwice closes d, opens its database in dir again and checks it,
// then marks it as schema version (older) and does so once more: a
// migration run over its own result changes nothing.
func migratedTwice(t *testing.T, d *DB, dir string, version int, check func(d *DB)) {
	t.Helper()
	for range 2 {
		require.NoError(t, d.Close())
		var err error
		d, err = Open(dir)
		require.NoError(t, err)
		check(d)
		_, err = d.w.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, version))
		require.NoError(t, err)
	}
	require.NoError(t, d.Close())
}

// TestCloseCarryingOverKeepsTheFolderShares: the database file deleted
// while the window uses it, CloseCarryingOver writes into the new one
// the share of a folder's walk not listed yet (the folder's latest,
// Listing) and why a share's listing was cut short (its folder gone when
// it was to be listed; its failed file carried over: retried and
// uploaded, the share is still not whole).
func TestCloseCarryingOverKeepsTheFolderShares(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a database file SQLite holds open")
	}
	other := filepath.FromSlash("/home/someone/other")
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com"),
		{ID: "w-b3", BatchID: "b3", Env: "testnet", Account: "someone@example.com", Path: other, Folder: other}}))
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "x", BatchID: "b3", Env: "testnet", Account: "someone@example.com",
		LocalPath: filepath.Join(other, "x.jpg"), Beneath: other, State: JobFailed}}))
	_, err = d.CutWalks(CutFolderGone, "w-b3")
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, DBFileName)))
	n, err := d.CloseCarryingOver(nil, nil)
	require.NoError(t, err)
	assert.Equal(t, CarriedOver{Jobs: 1, Walks: 1}, n)

	at, err := Open(dir)
	require.NoError(t, err)
	defer at.Close()
	batch, left := latestLeft(t, at)
	assert.Equal(t, "b2", batch)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Listing: true}}, left)
	k, err := at.NewestFolderShare(other)
	require.NoError(t, err)
	assert.Equal(t, "b3", k.BatchID)
	left, err = at.FolderLeftOf(k)
	require.NoError(t, err)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Failed: 1, Cut: CutFolderGone}}, left)
}

// TestAFolderNotThereWhenListedIsNotWhole: a walk whose folder was not
// there to list when its turn came (CutWalks with the reason: gone, a
// file in its place, unreadable, the app's own data folder) leaves its
// share, the folder's latest, not whole, saying why, its entries
// deleted too; a later Add call listed to its end is whole. A walk
// saved before walks.folder (NULL) made no share of its own: cut so,
// it marks none, not the share of another folder of its Add call.
func TestAFolderNotThereWhenListedIsNotWhole(t *testing.T) {
	for _, cut := range []ListingCut{CutFolderGone, CutNotAFolder, CutUnreadable, CutOwnData} {
		d := openTestDB(t)
		uploadedOnce(t, d)
		require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com")}))
		n, err := d.CutWalks(cut, "w-b2")
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Empty(t, walksOf(t, d), "the walk is deleted")
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch, "cut %d", cut)
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Cut: cut}}, left)

		require.NoError(t, d.InsertListing(nil, nil, FolderKey{Folder: stoppedTestFolder, BatchID: "b3"}))
		batch, left = latestLeft(t, d)
		assert.Equal(t, "b3", batch, "added again and listed to its end")
		assert.False(t, left.Any(), "%+v", left)
	}

	d := openTestDB(t)
	uploadedOnce(t, d)
	w := folderWalk("b1", "someone@example.com")
	w.Path, w.Folder = filepath.Join(filepath.Dir(stoppedTestFolder), "gone"), ""
	require.NoError(t, d.InsertWalks([]WalkRow{w}))
	_, err := d.w.Exec(`UPDATE walks SET folder = NULL`)
	require.NoError(t, err)
	_, err = d.CutWalks(CutFolderGone, w.ID)
	require.NoError(t, err)
	batch, left := latestLeft(t, d)
	assert.Equal(t, "b1", batch)
	assert.False(t, left.Any(), "another folder of the same Add call: %+v", left)

	_, err = d.CutWalks(NotCut, w.ID)
	assert.Error(t, err, "a cut with no reason")
}

// TestMigrateV19KeepsTheStoppedShares: a database of schema 18 (its
// folder_shares.stopped a flag) keeps its stopped shares stopped, the
// others not cut; migrating again changes nothing.
func TestMigrateV19KeepsTheStoppedShares(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	uploadedOnce(t, d)
	other := filepath.FromSlash("/home/someone/other")
	require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com"),
		{ID: "w-b3", BatchID: "b3", Env: "testnet", Account: "someone@example.com", Path: other, Folder: other}}))
	_, err = d.CutWalks(CutStopped, "w-b3")
	require.NoError(t, err)
	_, err = d.w.Exec(`ALTER TABLE folder_shares RENAME COLUMN listing_end TO stopped; PRAGMA user_version = 18`)
	require.NoError(t, err)
	migratedTwice(t, d, dir, 18, func(d *DB) {
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch)
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Listing: true}}, left)
		left, err := d.FolderLeftOf(FolderKey{Folder: other, BatchID: "b3"})
		require.NoError(t, err)
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Cut: CutStopped}}, left)
	})
}

// walksOf is every walk of the tests' account.
func walksOf(t *testing.T, d *DB) []WalkRow {
	t.Helper()
	walks, err := d.Walks("testnet", "someone@example.com")
	require.NoError(t, err)
	return walks
}

// TestAFolderListingEndedIsWholeWhicheverOfItsLastSaveAndAStopComesFirst:
// Cancel all landing as a listing that met every entry of its folder
// saves its last rows (InsertListing with the folder listed) stops its
// walk (CutWalks, CutStopped) before or after that save: the listing
// ended, and its share is whole either way, not stopped before its end.
func TestAFolderListingEndedIsWholeWhicheverOfItsLastSaveAndAStopComesFirst(t *testing.T) {
	for _, stopFirst := range []bool{true, false} {
		d := openTestDB(t)
		require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com")}))
		save := func() {
			require.NoError(t, d.InsertListing(nil, nil, FolderKey{Folder: stoppedTestFolder, BatchID: "b2"}))
		}
		stop := func() {
			_, err := d.CutWalks(CutStopped, "w-b2")
			require.NoError(t, err)
		}
		if stopFirst {
			stop()
			save()
		} else {
			save()
			stop()
		}
		batch, left := latestLeft(t, d)
		assert.Equal(t, "b2", batch)
		assert.False(t, left.Any(), "stopped first: %v: %+v", stopFirst, left)
	}
}

// TestAWalkOfBeforeSchema18CutShortMarksTheShareAtItsPath: an Add call
// of two folders saved before walks.folder (schema 17), the first listed
// to its end, the second's listing cut short by a kill after its first
// rows. Its walk, with no folder, stopped by Cancel all marks the share
// at its path, not the first folder's, which is whole (before, every
// share of its Add call was marked); its folder gone when listed marks
// that share so (before, none).
func TestAWalkOfBeforeSchema18CutShortMarksTheShareAtItsPath(t *testing.T) {
	first := filepath.Join(filepath.Dir(stoppedTestFolder), "first")
	for _, cut := range []ListingCut{CutStopped, CutFolderGone} {
		dir := t.TempDir()
		d, err := Open(dir)
		require.NoError(t, err)
		e := sampleEntry(1)
		e.LocalPath, e.AddedFolder, e.BatchID = filepath.Join(first, "a.jpg"), first, "b2"
		_, err = d.AddHistory(e)
		require.NoError(t, err)
		require.NoError(t, d.InsertListing([]JobRow{{BatchID: "b2", Env: "testnet", Account: "someone@example.com",
			LocalPath: filepath.Join(stoppedTestFolder, "c.jpg"), Beneath: stoppedTestFolder, State: JobAlready}},
			nil, FolderKey{Folder: first, BatchID: "b2"}))
		w := folderWalk("b2", "someone@example.com")
		require.NoError(t, d.InsertWalks([]WalkRow{w}))
		_, err = d.w.Exec(`ALTER TABLE walks DROP COLUMN folder; ALTER TABLE folder_shares DROP COLUMN listing_end; PRAGMA user_version = 17`)
		require.NoError(t, err)
		require.NoError(t, d.Close())
		d, err = Open(dir)
		require.NoError(t, err)

		_, err = d.CutWalks(cut, w.ID)
		require.NoError(t, err)
		left, err := d.FolderLeftOf(FolderKey{Folder: first, BatchID: "b2"})
		require.NoError(t, err)
		assert.False(t, left.Any(), "cut %d: the folder listed to its end: %+v", cut, left)
		left, err = d.FolderLeftOf(FolderKey{Folder: stoppedTestFolder, BatchID: "b2"})
		require.NoError(t, err)
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Cut: cut}}, left, "its own share")
		require.NoError(t, d.Close())
	}

	// Added through a link: no share at its path, which one is its own
	// is not known; stopped, it marks every share of its Add call.
	d := openTestDB(t)
	require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "b2", Env: "testnet", Account: "someone@example.com",
		LocalPath: filepath.Join(stoppedTestFolder, "c.jpg"), Beneath: stoppedTestFolder}}))
	w := folderWalk("b2", "someone@example.com")
	w.Path = filepath.Join(filepath.Dir(stoppedTestFolder), "link-to-trip")
	require.NoError(t, d.InsertWalks([]WalkRow{w}))
	_, err := d.w.Exec(`UPDATE walks SET folder = NULL`)
	require.NoError(t, err)
	_, err = d.CutWalks(CutStopped, w.ID)
	require.NoError(t, err)
	_, left := latestLeft(t, d)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Pending: 1, Cut: CutStopped}}, left, "added through a link")
}

// TestMoveWalkCutsTheShareItWasSavedWith: a walk whose path leads to
// another folder when it is listed (MoveWalk) leaves the share it was
// saved with not whole for good (CutLedElsewhere), and names the other
// folder's share from then on: a stop lands on that one. Moved to the
// folder it was saved with, or, saved before walks.folder (NULL), to the
// folder at its path, it cuts nothing.
func TestMoveWalkCutsTheShareItWasSavedWith(t *testing.T) {
	d := openTestDB(t)
	uploadedOnce(t, d)
	other := filepath.FromSlash("/home/someone/other")
	require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b2", "someone@example.com")}))
	require.NoError(t, d.MoveWalk("w-b2", stoppedTestFolder))
	batch, left := latestLeft(t, d)
	assert.Equal(t, "b2", batch)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Listing: true}}, left, "moved to its own folder")

	require.NoError(t, d.MoveWalk("w-b2", other))
	require.Len(t, walksOf(t, d), 1)
	assert.Equal(t, other, walksOf(t, d)[0].Folder)
	_, err := d.CutWalks(CutStopped, "w-b2")
	require.NoError(t, err)
	batch, left = latestLeft(t, d)
	assert.Equal(t, "b2", batch)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Cut: CutLedElsewhere}}, left)
	left, err = d.FolderLeftOf(FolderKey{Folder: other, BatchID: "b2"})
	require.NoError(t, err)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Cut: CutStopped}}, left, "the stop lands on the folder listed")

	require.NoError(t, d.InsertWalks([]WalkRow{folderWalk("b3", "someone@example.com")}))
	_, err = d.w.Exec(`UPDATE walks SET folder = NULL`)
	require.NoError(t, err)
	require.NoError(t, d.MoveWalk("w-b3", stoppedTestFolder))
	batch, left = latestLeft(t, d)
	assert.Equal(t, "b3", batch)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Listing: true}}, left, "saved before walks.folder, its folder at its path")
	assert.Error(t, d.MoveWalk("w-b3", ""), "no folder")
}
