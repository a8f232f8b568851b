//go:build unix

package ui

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/thumbnail"
)

// TestAThumbnailOfANamedPipeIsRefusedWithoutWaiting: a named pipe called
// photo.jpg where an uploaded picture was: opening it waited for a writer
// for good (a plain os.Open), holding the thumbnails' goroutine. It is
// now opened as an upload opens its file, and refused at once.
func TestAThumbnailOfANamedPipeIsRefusedWithoutWaiting(t *testing.T) {
	pic := filepath.Join(t.TempDir(), "photo.jpg")
	require.NoError(t, syscall.Mkfifo(pic, 0o600))
	t.Cleanup(func() { // a writer lets an open left waiting return
		if w, err := os.OpenFile(pic, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = w.Close()
		}
	})
	returned := make(chan error, 1)
	go func() {
		_, err := makeThumbnail(context.Background(), thumbnail.Source{Path: pic, Size: 10})
		returned <- err
	}()
	err := waitOrFail(t, returned, "the thumbnail of a named pipe")
	assert.Error(t, err, "a named pipe makes no thumbnail")
}
