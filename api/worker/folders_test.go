package worker

import (
	"os"
	"path/filepath"
	"sync/atomic"
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

// TestFolderUploadedAgainSharesEveryFile: a folder uploaded again, one
// file changed, is one share of every file of the folder as it was then:
// the changed file with its new upload, the unchanged ones (found already
// uploaded, not sent again) with the upload that sent them. Run once more
// with nothing changed, the newest share is again the whole folder and the
// history gains no entry.
func TestFolderUploadedAgainSharesEveryFile(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("photos/a.jpg", []byte("a"))
	b := e.write("photos/2026/b.jpg", []byte("b"))
	c := e.write("photos/c.jpg", []byte("c"))
	folder := filepath.Dir(a)

	q := e.uploaded(Request{Path: folder})
	first := map[string]storage.HistoryEntry{}
	for _, h := range history(t, e.db) {
		first[h.LocalPath] = h
	}
	require.Len(t, first, 3)
	q.Close()

	require.NoError(t, os.WriteFile(a, []byte("a, changed"), 0o600))
	q = e.uploaded(Request{Path: folder})
	already := q.Summary().Already
	assert.Equal(t, 2, already, "b and c found already uploaded")
	q.Close()
	require.Len(t, history(t, e.db), 4, "only the changed file is sent again")

	shareOf := func() (storage.FolderKey, map[string]storage.HistoryEntry) {
		t.Helper()
		k, err := e.db.NewestFolderShare(folder)
		require.NoError(t, err)
		share, err := e.db.HistoryOfFolder(k)
		require.NoError(t, err)
		out := map[string]storage.HistoryEntry{}
		for _, h := range share {
			_, twice := out[h.LocalPath]
			assert.False(t, twice, "listed twice: %s", h.LocalPath)
			out[h.LocalPath] = h
		}
		return k, out
	}
	k, share := shareOf()
	require.Len(t, share, 3, "every file of the folder")
	assert.NotEqual(t, first[a].Hash, share[a].Hash, "the changed file with its new upload")
	assert.Equal(t, first[b].ID, share[b].ID, "an unchanged file with the upload that sent it")
	assert.Equal(t, first[c].ID, share[c].ID)
	total, err := e.db.FolderTotalAfter(k, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, total.Files)
	assert.Equal(t, share[a].Size+share[b].Size+share[c].Size, total.Size)

	q = e.uploaded(Request{Path: folder})
	assert.Equal(t, already+3, q.Summary().Already, "every file found already uploaded")
	q.Close()
	assert.Len(t, history(t, e.db), 4, "an unchanged folder run again adds no entry")
	again, share2 := shareOf()
	assert.NotEqual(t, k.BatchID, again.BatchID, "the latest upload is the newest share")
	assert.Len(t, share2, 3)
	assert.Equal(t, share[a].ID, share2[a].ID)
}

// TestFolderRunAgainClosedMidListingSharesEveryFileOnce: a folder run
// again, unchanged, whose listing is cut short by Close (as by a kill)
// after some of its files were saved as found already uploaded, is
// listed on by the next start: its share then holds every file once,
// with the upload that sent it, and nothing was sent again.
func TestFolderRunAgainClosedMidListingSharesEveryFileOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("album/%02d.jpg", 30)
	folder := filepath.Join(e.files, "album")
	e.uploaded(Request{Path: folder}).Close()
	sent := history(t, e.db)
	require.Len(t, sent, 30)

	cfg := e.config()
	saved := make(chan struct{})
	var q atomic.Pointer[Queue]
	cfg.beforeListedRows = func(group int) {
		if group == 2 { // the first rows are saved: a kill comes now
			close(saved)
			<-q.Load().ctx.Done()
		}
	}
	first, err := New(cfg)
	require.NoError(t, err)
	q.Store(first)
	first.Add(Request{Path: folder})
	<-saved
	require.NoError(t, first.Close())
	require.NotEmpty(t, walksLeft(t, e.db), "the listing was cut short")
	k, err := e.db.NewestFolderShare(folder)
	require.NoError(t, err)
	part, err := e.db.HistoryOfFolder(k)
	require.NoError(t, err)
	require.NotEmpty(t, part)
	assert.Less(t, len(part), 30, "a share listed in part so far")

	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	assert.Empty(t, walksLeft(t, e.db))
	again, err := e.db.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, k, again, "the same Add call, listed on")
	share, err := e.db.HistoryOfFolder(again)
	require.NoError(t, err)
	byID := map[int64]bool{}
	for _, h := range share {
		assert.False(t, byID[h.ID], "listed twice: %s", h.LocalPath)
		byID[h.ID] = true
	}
	for _, h := range sent {
		assert.True(t, byID[h.ID], "missing from the share: %s", h.LocalPath)
	}
	assert.Len(t, history(t, e.db), 30, "nothing sent again")
}
