package worker

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderShareInHistory: the files of an added folder, at any depth,
// are recorded as one folder share (the folder as added, the Add call);
// a file added beside it is in none, and the same folder added again is
// another share.
func TestFolderShareInHistory(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("photos/a.jpg", []byte("a"))
	e.write("photos/2026/b.jpg", []byte("b"))
	alone := e.write("notes.txt", []byte("n"))
	folder := filepath.Dir(a)

	q := e.uploaded(Request{Path: folder}, Request{Path: alone})

	entries := history(t, e.db)
	require.Len(t, entries, 3)
	var key storage.FolderKey
	for _, h := range entries {
		k, ok := h.Folder()
		if h.LocalPath == alone {
			assert.False(t, ok, "a file added on its own")
			continue
		}
		require.True(t, ok, h.LocalPath)
		assert.Equal(t, folder, k.Folder)
		assert.NotEmpty(t, k.BatchID)
		key = k
	}
	share, err := e.db.HistoryOfFolder(key)
	require.NoError(t, err)
	assert.Len(t, share, 2)

	q.Add(Request{Path: folder, Again: true})
	require.NoError(t, wait(t, q, 10*time.Second))
	newest, err := e.db.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.NotEqual(t, key.BatchID, newest.BatchID, "added again: another share")
	share, err = e.db.HistoryOfFolder(newest)
	require.NoError(t, err)
	assert.Len(t, share, 2)
}
