package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestUploadWhoseJournalIsDeletedFails: another program deletes the
// history's journal (its -wal) while an upload runs. The run went on and
// ended 0, recording into a journal no folder held: `history` and
// `verify` in another process failed meanwhile with "disk I/O error
// (522)", and a kill lost every upload recorded since (73 of 300 by hand,
// sent and printed again by resume). It now ends as a run whose history
// was deleted: exit 1, the journal named, every upload's link in its
// output, and the uploads recorded before the deletion in the history.
func TestUploadWhoseJournalIsDeletedFails(t *testing.T) {
	skipOnWindows(t) // Windows refuses to delete a -wal SQLite holds open
	r := uploadWhileGone(t, func(t *testing.T, home string) {
		require.NoError(t, os.Remove(filepath.Join(home, storage.DBFileName)+"-wal"))
	})
	sb, home, files := r.sb, r.home, r.files
	db := filepath.Join(home, storage.DBFileName)
	t.Logf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	assert.Equal(t, 1, r.code, "no success: the run's records went into a journal no folder holds")
	assert.Contains(t, r.errOut, "Not recorded: the journal of the upload history "+db+" ("+db+"-wal) was deleted or replaced by another program while this run was uploading")
	assert.Contains(t, r.errOut, "Find what deleted or replaced the file")
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), len(files))
	assertEveryUploadLinked(t, sb, r.out+r.errOut)

	d, err := storage.Open(home)
	require.NoError(t, err)
	defer d.Close()
	n, err := d.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, strings.Count(r.out, "\n"), n,
		"the uploads recorded before the journal was deleted (printed on stdout) are in the history, and no other")
	assert.Less(t, n, len(files), "the uploads after it are not recorded (their links are on FAILED lines)")
}

// TestUploadWhoseSharedMemoryIsDeletedFails: another program deletes the
// history's -shm (SQLite's index of its -wal, with the locks the processes
// using it share) while an upload runs. The run went on, exit 0, with the
// -shm it mapped, which no process started since shares: such a process
// made a new one, and the two wrote one -wal each by its own index (by
// hand, the history ended "malformed", or the other run's entries lost).
// It now ends as for the -wal: exit 1, the -shm named, every upload's link
// in its output, and the uploads recorded before in the history.
func TestUploadWhoseSharedMemoryIsDeletedFails(t *testing.T) {
	skipOnWindows(t) // Windows refuses to delete a -shm SQLite holds open
	r := uploadWhileGone(t, func(t *testing.T, home string) {
		require.NoError(t, os.Remove(filepath.Join(home, storage.DBFileName)+"-shm"))
	})
	db := filepath.Join(r.home, storage.DBFileName)
	t.Logf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	assert.Equal(t, 1, r.code, "no success: the run's records went through an index of the -wal no other process shares")
	assert.Contains(t, r.errOut, "Not recorded: the journal of the upload history "+db+" ("+db+"-shm) was deleted or replaced by another program while this run was uploading")
	// Its reads of the queue are refused too (they went through the same
	// index; helper-222's run of 300 files waited forever): it stops
	// taking work, says how many files it did not upload, and says the
	// history's fate once.
	uploaded := len(r.sb.Srv.Uploads(r.sb.Acc.ID))
	assert.Equal(t, 3, uploaded, "no upload starts once the -shm is gone: the third, held while it went, is the last")
	assert.Contains(t, r.errOut, fmt.Sprintf("The run stopped there, as it could no longer read its queue: %d file(s) were not uploaded.", len(r.files)-uploaded))
	assert.Contains(t, r.errOut, "then run the same command again to record them and upload the rest")
	assert.Equal(t, 1, strings.Count(r.errOut, "was deleted or replaced by another program"), "the history's fate said once")
	assertEveryUploadLinked(t, r.sb, r.out+r.errOut)

	d, err := storage.Open(r.home)
	require.NoError(t, err)
	defer d.Close()
	n, err := d.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, strings.Count(r.out, "\n"), n,
		"the uploads recorded before the -shm was deleted (printed on stdout) are in the history, and no other")
	assert.Less(t, n, len(r.files), "the uploads after it are not recorded (their links are on FAILED lines)")
}
