//go:build unix

package ui

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/thumbnail"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestCloseWhileAThumbnailReadsADriveThatDoesNotAnswer: History makes a
// picture's thumbnail from its local file. A file on a drive that stopped
// answering (here a named pipe at the picture's path: its open waits for
// a writer) held Close, which waited for that read, for good: the window
// closed but the process never ended, and the history was never closed.
// Close now returns while the read is blocked, the history then closes,
// and what the read brings once it returns is dropped (nothing kept in
// the thumbnails folder).
func TestCloseWhileAThumbnailReadsADriveThatDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t)
	pic := filepath.Join(t.TempDir(), "photo.jpg")
	require.NoError(t, syscall.Mkfifo(pic, 0o600))
	var once sync.Once
	release := func() { // a writer lets the open return
		once.Do(func() {
			if w, err := os.OpenFile(pic, os.O_WRONLY, 0); err == nil {
				_ = w.Close()
			}
		})
	}
	started, returned := make(chan struct{}, 1), make(chan error, 1)
	old := makeThumbnail
	makeThumbnail = func(ctx context.Context, src thumbnail.Source) ([]byte, error) {
		started <- struct{}{}
		data, err := old(ctx, src)
		returned <- err
		return data, err
	}
	t.Cleanup(func() { makeThumbnail = old })
	entry := storage.HistoryEntry{JobID: "job-photo", Name: "photo.jpg", LocalPath: pic, Size: 10, Hash: "QmPhoto", Verified: true}
	id, err := e.db.AddHistory(entry)
	require.NoError(t, err)
	entry.ID = id
	e.ui(func() { newHistoryRow(e.a.history).set(entry) })
	waitOrFail(t, started, "the thumbnail's read of the picture")

	thumbs := e.a.history.thumbs
	require.True(t, returnsWhileBlocked(e.a.Close, release), "the window closes while the read of the picture is blocked")
	require.NoError(t, e.db.Close(), "the history closes while the read of the picture is blocked")
	release()
	assert.ErrorIs(t, waitOrFail(t, returned, "the read left behind ends once it returns"), thumbnail.ErrNotPicture)
	_, kept := thumbs.disk.Get(entry.Hash)
	assert.False(t, kept, "what the read brought after Close is dropped")
}
