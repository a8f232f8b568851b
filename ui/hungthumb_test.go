package ui

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/thumbnail"
)

// blockThumbs makes the thumbnail of the picture at path wait until
// release is called, whatever its context says, as a read of a file on a
// drive that stopped answering does; every other picture's is made as
// usual. started gets a value as that read begins, returned what it
// ends with.
func blockThumbs(t *testing.T, path string) (started <-chan struct{}, returned <-chan error, release func()) {
	t.Helper()
	begun, ended := make(chan struct{}, 8), make(chan error, 8)
	held := holdLooks(t)
	old := makeThumbnail
	replaceForTest(t, &makeThumbnail, func(ctx context.Context, src thumbnail.Source) ([]byte, error) {
		if src.Path != path {
			return old(ctx, src)
		}
		begun <- struct{}{}
		held.wait()
		data, err := old(context.Background(), src) // the read, once the drive answers
		ended <- err
		return data, err
	})
	return begun, ended, held.release
}

// TestAThumbnailThatDoesNotEndGivesWayToTheNextRows: one picture whose
// read never returns (a file on a drive that stopped answering) held the
// thumbnails' goroutine for good, so no later row got a thumbnail for
// the rest of the run. That thumbnail is now given up after thumbTimeout:
// the next row gets its own, and the one given up is not kept on disk,
// so it is tried again after a restart.
func TestAThumbnailThatDoesNotEndGivesWayToTheNextRows(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	hung := uploadedFile(t, e.db, dir, "hung.png", "QmHung", pngOf(t, 40, 40))
	photo := uploadedFile(t, e.db, dir, "photo.png", "QmPhoto", pngOf(t, 40, 40))
	started, _, _ := blockThumbs(t, hung.LocalPath)
	e.ui(func() { newHistoryRow(e.a.history).set(hung) })
	waitOrFail(t, started, "the read of the picture that does not answer")

	begun := time.Now()
	var row *historyRow
	e.ui(func() {
		row = newHistoryRow(e.a.history)
		row.set(photo)
	})
	require.Eventually(t, func() bool {
		var shown bool
		e.ui(func() { shown = row.thumb.Visible() })
		return shown
	}, hangBound, 20*time.Millisecond, "the next row's thumbnail while the first picture's read is blocked")
	t.Logf("the next row's thumbnail came %v after it was asked for (thumbTimeout %v)", time.Since(begun).Round(time.Millisecond), thumbTimeout)

	thumbs := e.a.history.thumbs
	res, known := thumbs.cached(hung)
	assert.True(t, known, "given up for this run: not asked of the drive again")
	assert.Nil(t, res)
	_, kept := thumbs.disk.Get(hung.Hash)
	assert.False(t, kept, "not recorded as having none: tried again after a restart")
}

// TestCloseWhileAThumbnailReadsADriveThatDoesNotAnswer: History makes a
// picture's thumbnail from its local file. A file on a drive that stopped
// answering held Close, which waited for that read, for good: the window
// closed but the process never ended, and the history was never closed.
// Close now returns while the read is blocked, the history then closes,
// and what the read brings once it returns is dropped (nothing kept in
// the thumbnails folder).
func TestCloseWhileAThumbnailReadsADriveThatDoesNotAnswer(t *testing.T) {
	e := newTestEnv(t)
	entry := uploadedFile(t, e.db, t.TempDir(), "photo.png", "QmPhoto", pngOf(t, 40, 40))
	started, returned, release := blockThumbs(t, entry.LocalPath)
	e.ui(func() { newHistoryRow(e.a.history).set(entry) })
	waitOrFail(t, started, "the thumbnail's read of the picture")

	thumbs := e.a.history.thumbs
	require.True(t, returnsWhileBlocked(e.a.Close, release), "the window closes while the read of the picture is blocked")
	require.NoError(t, e.db.Close(), "the history closes while the read of the picture is blocked")
	release()
	require.NoError(t, waitOrFail(t, returned, "the read left behind ends once it returns"), "it made a thumbnail")
	_, kept := thumbs.disk.Get(entry.Hash)
	assert.False(t, kept, "what the read brought after Close is dropped")
}
