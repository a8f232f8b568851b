package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTheSharedMemoryDeletedAfterTheJournalIsFound: a cleanup deletes the
// -wal, the run's next write finds it (and moves what it held into the
// file); the command line's run goes on uploading. Then the -shm is
// deleted too: a process started since makes a new index, and the two
// processes' indexes diverge again, so the reads that decide what is left
// to upload must fail and the command line's look (CheckIndex) must say
// the -shm went, as when the -shm goes first. CheckFile kept its first
// finding (the -wal) for good, so neither saw the -shm go.
func TestTheSharedMemoryDeletedAfterTheJournalIsFound(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	path := filepath.Join(dir, DBFileName)
	windowJobs(t, d, 3, JobQueued)
	if !d.shmKnown || !d.walKnown {
		t.Skip("the journal is not watched on this system (journalAt)")
	}

	skipIfHeldOpen(t, os.Remove(path+"-wal"))
	err = d.InsertJobs([]JobRow{{ID: "after the -wal", LocalPath: "/b"}})
	var gone *ReplacedError
	require.ErrorAs(t, err, &gone, "the write finds the -wal gone")
	require.True(t, gone.Journal)
	require.False(t, gone.SharedMemory)
	require.Equal(t, gone, d.CheckIndex(), "the -shm is there: the -wal's finding")
	_, err = d.QueuedJobs("testnet", "a@example.com", JobQueued, 0, 100)
	require.NoError(t, err, "the index is still the one every process shares")

	require.NoError(t, os.Remove(path+"-shm"))
	shm := &ReplacedError{Path: path, Journal: true, SharedMemory: true}
	assert.Equal(t, shm, d.CheckIndex(), "the command line's look finds the -shm gone")
	assert.Equal(t, shm, d.CheckFile(), "and so does CheckFile")
	_, err = d.QueuedJobs("testnet", "a@example.com", JobQueued, 0, 100)
	assert.ErrorAs(t, err, &gone, "a read through an index no other process shares is refused")
	assert.True(t, gone.SharedMemory)

	require.NoError(t, os.Remove(path))
	assert.Equal(t, shm, d.CheckFile(), "once the -shm is found gone, that is said for good")
}
