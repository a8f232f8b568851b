package storage

import (
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWritesAfterTheJournalIsDeletedFail: another program deletes the
// history's write-ahead log (its -wal file) while it is open, or puts
// another file in its place (a cleaner of "temporary" files, a sync tool).
// SQLite goes on writing to the -wal it opened, which no folder holds any
// more: every other process (history, verify, another run) then fails with
// "disk I/O error (522)", and a kill or a power cut loses every upload
// recorded since (seen by hand: 73 uploads printed as done were gone from
// the history, and resume sent and printed them again). A write then fails
// as a history deleted under the run does, naming the journal, and what was
// recorded before is moved into the history file at once, where a new
// reader (another process) finds it, even before the run ends.
func TestWritesAfterTheJournalIsDeletedFail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, wal string)
	}{
		{"deleted", func(t *testing.T, wal string) { skipIfHeldOpen(t, os.Remove(wal)) }},
		{"replaced by another file", func(t *testing.T, wal string) {
			require.NoError(t, os.WriteFile(wal+".new", nil, 0o600))
			skipIfHeldOpen(t, os.Rename(wal+".new", wal))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := Open(dir)
			require.NoError(t, err)
			defer d.Close()
			path := filepath.Join(dir, DBFileName)
			require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
			_, errs := d.WriteJobs(nil, []JobFinish{{Row: JobRow{ID: "before"}, History: HistoryEntry{Name: "a", Hash: "QmA", Verified: true}}})
			require.NoError(t, errs[0])

			tc.change(t, path+"-wal")

			err = d.InsertJobs([]JobRow{{ID: "after", LocalPath: "/b"}})
			require.Error(t, err, "a write into a journal no longer at its path must not count as written")
			assert.ErrorIs(t, err, ErrDatabaseReplaced)
			var gone *ReplacedError
			require.ErrorAs(t, err, &gone)
			assert.True(t, gone.Journal, "the journal, not the file, was deleted or replaced")
			assert.Contains(t, err.Error(), "the journal of the upload history "+path+" ("+path+"-wal) was deleted or replaced by another program")
			_, finErrs := d.WriteJobs(nil, []JobFinish{{Row: JobRow{ID: "before"}, History: HistoryEntry{Name: "b", Hash: "QmB"}}})
			assert.ErrorIs(t, finErrs[0], ErrDatabaseReplaced, "a finished upload is not recorded either")

			// Another process, opening the path now, finds what was recorded
			// before: it is in the history file, not only in the lost journal.
			other, err := sql.Open("sqlite", dsn(path, true))
			require.NoError(t, err)
			defer other.Close()
			var n int
			require.NoError(t, other.QueryRow("SELECT count(*) FROM history").Scan(&n), "another process reads the history")
			assert.Equal(t, 1, n, "the upload recorded before the journal was deleted")
			require.NoError(t, other.Close())

			require.NoError(t, d.Close())
			d, err = Open(dir)
			require.NoError(t, err)
			var check string
			require.NoError(t, d.w.QueryRow("PRAGMA integrity_check").Scan(&check))
			assert.Equal(t, "ok", check)
			assertHistoryCount(t, d, "", 1, "the upload recorded before, once")
			_, err = d.Job("after")
			assert.Error(t, err, "nothing written after the journal was deleted")
		})
	}
}

// TestCloseCarryingOverAfterTheJournalIsDeleted: the window, whose journal
// was deleted while it uploaded, quits and carries what it could not
// record into the history at the path, which is its own file, holding what
// was recorded before. The next start finds the upload it finished since
// in the history once, the file still queued in the queue, and a sound file.
func TestCloseCarryingOverAfterTheJournalIsDeleted(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, d.InsertJobs([]JobRow{
		{ID: "done-before", LocalPath: "/a"}, {ID: "sent-after", LocalPath: "/b"}, {ID: "waiting", LocalPath: "/c"}}))
	_, errs := d.WriteJobs(nil, []JobFinish{{Row: JobRow{ID: "done-before"}, History: HistoryEntry{Name: "a", Hash: "QmA", Verified: true}}})
	require.NoError(t, errs[0])

	skipIfHeldOpen(t, os.Remove(filepath.Join(dir, DBFileName)+"-wal"))
	after := JobFinish{Row: JobRow{ID: "sent-after", LocalPath: "/b"}, History: HistoryEntry{Name: "b", Hash: "QmB", Verified: true}}
	_, errs = d.WriteJobs(nil, []JobFinish{after})
	require.ErrorIs(t, errs[0], ErrDatabaseReplaced)

	n, err := d.CloseCarryingOver([]JobFinish{after}, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n.Uploads, "the upload not recorded is carried over")

	d, err = Open(dir)
	require.NoError(t, err)
	var check string
	require.NoError(t, d.w.QueryRow("PRAGMA integrity_check").Scan(&check))
	assert.Equal(t, "ok", check)
	assertHistoryCount(t, d, "", 2, "the upload recorded before and the one carried over, once each")
	for id, want := range map[string]JobState{"done-before": JobDone, "sent-after": JobDone, "waiting": JobQueued} {
		j, err := d.Job(id)
		require.NoError(t, err, id)
		assert.Equal(t, want, j.State, id)
	}
}

// TestWritesAfterTheJournalOfALinkedDatabaseIsDeletedFail: a history
// moved elsewhere (a larger disk) and reached through a symbolic link in
// the data folder has its journal where SQLite keeps it, beside the file
// the link leads to, not beside the link. A write after that journal is
// deleted fails as it does for a history that is no link, naming the
// journal where it is; what was recorded before is in the history file.
func TestWritesAfterTheJournalOfALinkedDatabaseIsDeletedFail(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a -wal SQLite holds open, and its SQLite keeps the journal beside the link")
	}
	dir, elsewhere := t.TempDir(), t.TempDir()
	real := filepath.Join(elsewhere, DBFileName)
	require.NoError(t, os.WriteFile(real, nil, 0o600))
	if err := os.Symlink(real, filepath.Join(dir, DBFileName)); err != nil {
		t.Skipf("no symbolic link made here: %v", err)
	}
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
	_, errs := d.WriteJobs(nil, []JobFinish{{Row: JobRow{ID: "before"}, History: HistoryEntry{Name: "a", Hash: "QmA", Verified: true}}})
	require.NoError(t, errs[0])
	require.FileExists(t, real+"-wal", "SQLite keeps the journal beside the file the link leads to")

	skipIfHeldOpen(t, os.Remove(real+"-wal"))

	err = d.InsertJobs([]JobRow{{ID: "after", LocalPath: "/b"}})
	require.Error(t, err, "a write into a journal no longer at its path must not count as written")
	var gone *ReplacedError
	require.ErrorAs(t, err, &gone)
	assert.True(t, gone.Journal, "the journal, not the file, was deleted")
	assert.Contains(t, err.Error(), "("+real+"-wal)", "the journal is named where it was")

	other, err := sql.Open("sqlite", dsn(real, true))
	require.NoError(t, err)
	defer other.Close()
	var n int
	require.NoError(t, other.QueryRow("SELECT count(*) FROM history").Scan(&n), "another process reads the history")
	assert.Equal(t, 1, n, "the upload recorded before the journal was deleted")
}

// TestTheHistoryDeletedBetweenCheckFilesLooksIsSaidDeleted: a cleanup
// deletes the history, its -wal and its -shm while CheckFile looks at
// them, after its look at the database file and before the one at the
// -wal (a commit of the run meanwhile; cli's
// TestUploadWhileTheDatabaseIsDeletedFails failed so under load). It said
// only the journal was deleted, for good, and so told the person that
// "the history keeps what was recorded before", of a history that no
// longer was: it now looks at the database file again before it blames
// the journal, and says the history was deleted.
func TestTheHistoryDeletedBetweenCheckFilesLooksIsSaidDeleted(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	path := filepath.Join(dir, DBFileName)
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
	if !d.walKnown {
		t.Skip("the journal is not watched on this system (journalAt), so CheckFile looks at the file alone")
	}
	var once sync.Once
	betweenFileLooks = func() {
		once.Do(func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				skipIfHeldOpen(t, os.Remove(path+suffix))
			}
		})
	}
	t.Cleanup(func() { betweenFileLooks = nil })

	err = d.CheckFile()
	var gone *ReplacedError
	require.ErrorAs(t, err, &gone)
	assert.True(t, gone.Deleted, "the history itself is gone")
	assert.False(t, gone.Journal, "not only its journal")
	assert.NotContains(t, err.Error(), "the history keeps what was recorded before")
}
