package storage

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrateV20GivesOldRowsOfAFolderTheirShare: a database of schema 19
// holding a folder's skipped and failed rows without Beneath (as versions
// before 395a3e8 wrote them) gives each its share, the one of its Add
// call whose folder holds its path, so the share that did not upload the
// file is not called whole: a file that could not be read (Dropped), one
// that failed (Failed); skips by design leave it whole. A file under two
// shared folders of one Add call (d and d/sub), skipped by each listing,
// makes both not whole; skipped once, with one of the folders' listing
// stopped before its end, the other; a row of a path a share has a row of already
// (the same file named alone in the call), or under no share, keeps no
// share. Migrating again changes nothing.
func TestMigrateV20GivesOldRowsOfAFolderTheirShare(t *testing.T) {
	const env, account = "testnet", "someone@example.com"
	folder := stoppedTestFolder
	sub := filepath.Join(folder, "sub")
	row := func(batch, path, beneath string, st JobState, reason string) JobRow {
		return JobRow{BatchID: batch, Env: env, Account: account, LocalPath: path, Name: filepath.Base(path),
			Beneath: beneath, State: st, Reason: reason}
	}
	in := func(dir, name string) string { return filepath.Join(dir, name) }
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.InsertListing([]JobRow{
		row("b1", in(folder, "a.jpg"), folder, JobDone, ""),
		row("b1", in(folder, "c.jpg"), "", JobSkipped, "file-unreadable"),
		row("b1", in(folder, "f.jpg"), "", JobFailed, "server-trouble"),
		row("b1", in(folder, "l.jpg"), "", JobSkipped, "symlink"),
		row("b1", in(filepath.Dir(folder), "notes.txt"), "", JobFailed, "file-missing"),
	}, nil, FolderKey{Folder: folder, BatchID: "b1"}))
	require.NoError(t, d.InsertListing([]JobRow{
		row("b2", in(sub, "x.jpg"), "", JobSkipped, "file-denied"),
		row("b2", in(sub, "x.jpg"), "", JobSkipped, "file-denied"),
	}, nil, FolderKey{Folder: folder, BatchID: "b2"}, FolderKey{Folder: sub, BatchID: "b2"}))
	require.NoError(t, d.InsertListing([]JobRow{
		row("b3", in(folder, "y.jpg"), folder, JobDone, ""),
		row("b3", in(folder, "y.jpg"), "", JobFailed, "file-unreadable"),
	}, nil, FolderKey{Folder: folder, BatchID: "b3"}))
	require.NoError(t, d.InsertListing([]JobRow{
		row("b4", in(sub, "z.jpg"), "", JobSkipped, "file-unreadable"),
	}, nil, FolderKey{Folder: folder, BatchID: "b4"}, FolderKey{Folder: sub, BatchID: "b4"}))
	_, err = d.w.Exec(`UPDATE folder_shares SET listing_end = ? WHERE batch_id = 'b4' AND added_folder = ?; PRAGMA user_version = 19`,
		int(CutStopped), folder)
	require.NoError(t, err)

	migratedTwice(t, d, dir, 19, func(d *DB) {
		leftOf := func(folder, batch string) FolderLeft {
			t.Helper()
			left, err := d.FolderLeftOf(FolderKey{Folder: folder, BatchID: batch})
			require.NoError(t, err)
			return left
		}
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Failed: 1}, Dropped: 1}, leftOf(folder, "b1"), "unreadable and failed")
		assert.Equal(t, FolderLeft{Dropped: 1}, leftOf(folder, "b2"), "the file under both folders")
		assert.Equal(t, FolderLeft{Dropped: 1}, leftOf(sub, "b2"), "the file under both folders")
		assert.False(t, leftOf(folder, "b3").Any(), "its own row of the file is done")
		assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Cut: CutStopped}}, leftOf(folder, "b4"), "stopped before it met the file")
		assert.Equal(t, FolderLeft{Dropped: 1}, leftOf(sub, "b4"), "the folder whose listing met the file")
		var beneath string
		require.NoError(t, d.r.QueryRow(`SELECT beneath FROM jobs WHERE batch_id = 'b1' AND local_path = ?`,
			in(filepath.Dir(folder), "notes.txt")).Scan(&beneath))
		assert.Empty(t, beneath, "under no share")
	})
}
