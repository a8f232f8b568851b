package ui

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestClosingAGoneHistoryThatCannotTakeTheLinksPrintsThem: the history
// file was replaced while the window ran by one that is no database (so
// the links the window could not record cannot be written there either).
// Closing says so, and names each such upload by its CID and file name, so
// the links are in the window's output at least, not lost; a history
// still in place just closes.
func TestClosingAGoneHistoryThatCannotTakeTheLinksPrintsThem(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to replace a database file SQLite holds open")
	}
	dir := t.TempDir()
	db, err := storage.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.InsertJobs([]storage.JobRow{{ID: "j1", LocalPath: "/f/a.txt", Name: "a.txt", State: storage.JobUploading}}))
	lost := []storage.JobFinish{{
		Row:     storage.JobRow{ID: "j1", LocalPath: "/f/a.txt", Name: "a.txt", Hash: "QmLostOne"},
		History: storage.HistoryEntry{Name: "a\u202etxt.exe", Hash: "QmLostOne", Size: 1},
	}}
	path := filepath.Join(dir, storage.DBFileName)
	require.NoError(t, os.WriteFile(path+".other", []byte(strings.Repeat("not a database ", 500)), 0o600))
	require.NoError(t, os.Rename(path+".other", path))

	err = closeHistory(db, lost, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deleted or replaced while the window ran")
	assert.Contains(t, err.Error(), "QmLostOne")
	assert.Contains(t, err.Error(), `a\u202etxt.exe`, "the name, escaped")

	kept, err := storage.Open(t.TempDir())
	require.NoError(t, err)
	assert.NoError(t, closeHistory(kept, nil, nil), "a history in place just closes")
}
