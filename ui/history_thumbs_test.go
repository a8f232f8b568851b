package ui

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/thumbnail"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// uploadedFile writes data to dir/name and records it in the history as
// uploaded with CID hash, with its size and SHA-256.
func uploadedFile(t *testing.T, db *storage.DB, dir, name, hash string, data []byte) storage.HistoryEntry {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	sum := sha256.Sum256(data)
	e := storage.HistoryEntry{JobID: "job-" + name, Name: name, LocalPath: p, Size: int64(len(data)),
		Hash: hash, SHA256: hex.EncodeToString(sum[:]), Verified: true}
	id, err := db.AddHistory(e)
	require.NoError(t, err)
	e.ID = id
	return e
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	pic := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range pic.Pix {
		pic.Pix[i] = 200
	}
	pic.Set(0, 0, color.Black)
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, pic))
	return b.Bytes()
}

// A picture's row shows its thumbnail, made in the background and kept
// under the data folder, so it is shown again after a restart even once
// the file is gone; every other row keeps its kind's icon.
func TestHistoryThumbnails(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	photo := uploadedFile(t, e.db, dir, "photo.png", "QmPhoto", pngOf(t, 400, 300))
	notes := uploadedFile(t, e.db, dir, "notes.txt", "QmNotes", []byte("words"))
	fake := uploadedFile(t, e.db, dir, "fake.jpg", "QmFake", []byte("not a jpeg at all"))
	gone := uploadedFile(t, e.db, dir, "gone.gif", "QmGone", pngOf(t, 8, 8))
	require.NoError(t, os.Remove(gone.LocalPath))

	rows := map[string]*historyRow{}
	e.ui(func() {
		for _, entry := range []storage.HistoryEntry{photo, notes, fake, gone} {
			r := newHistoryRow(e.a.history)
			r.set(entry)
			rows[entry.Name] = r
			assert.True(t, r.icon.Visible(), "%s: its kind's icon until a thumbnail is made", entry.Name)
		}
	})
	thumbs := e.a.history.thumbs
	e.eventually(func() bool { return rows["photo.png"].thumb.Visible() }, "the photo's thumbnail")
	e.eventually(func() bool {
		_, fakeKnown := thumbs.cached(fake)
		_, goneKnown := thumbs.cached(gone)
		return fakeKnown && goneKnown
	}, "the other pictures looked at")
	e.ui(func() {
		r := rows["photo.png"]
		assert.False(t, r.icon.Visible())
		pic, _, err := image.Decode(bytes.NewReader(r.thumb.Resource.Content()))
		require.NoError(t, err)
		assert.Equal(t, image.Rect(0, 0, thumbnail.Size, thumbnail.Size*3/4), pic.Bounds())
		w := test.NewWindow(r)
		defer w.Close()
		w.Resize(fyne.NewSize(900, 80))
		assert.GreaterOrEqual(t, rectOf(r.thumb).x0-rectOf(r).x0, theme.Padding(), "the thumbnail keeps off the row's edge")
		assert.InDelta(t, thumbSide, r.thumb.Size().Width, 0.5, "at its full width")
		assert.GreaterOrEqual(t, rectOf(r.name).x0-rectOf(r.thumb).x1, theme.Padding(), "and off the name")
		for name, icon := range map[string]string{"notes.txt": theme.DocumentIcon().Name(),
			"fake.jpg": theme.MediaPhotoIcon().Name(), "gone.gif": theme.MediaPhotoIcon().Name()} {
			assert.False(t, rows[name].thumb.Visible(), name)
			assert.True(t, rows[name].icon.Visible(), name)
			assert.Equal(t, icon, rows[name].icon.Resource.Name(), name)
		}
	})
	_, ok := thumbs.disk.Get(notes.Hash)
	assert.False(t, ok, "no thumbnail tried for a text file")
	kept, ok := thumbs.disk.Get(fake.Hash)
	assert.True(t, ok && len(kept) == 0, "not a picture: recorded, so not tried again")
	_, ok = thumbs.disk.Get(gone.Hash)
	assert.False(t, ok, "a missing file is tried again after a restart")

	require.NoError(t, os.Remove(photo.LocalPath))
	e.a.Close()
	e.a = e.open(Deps{})
	var r *historyRow
	e.ui(func() {
		r = newHistoryRow(e.a.history)
		r.set(photo)
	})
	e.eventually(func() bool { return r.thumb.Visible() }, "the kept thumbnail after a restart")
}

// A row that shows another entry before its thumbnail is made neither
// gets that thumbnail nor has it made for it.
func TestHistoryThumbnailOfARecycledRow(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	photo := uploadedFile(t, e.db, dir, "photo.png", "QmPhoto", pngOf(t, 200, 200))
	other := uploadedFile(t, e.db, dir, "other.png", "QmOther", pngOf(t, 100, 50))
	notes := uploadedFile(t, e.db, dir, "notes.txt", "QmNotes", []byte("words"))
	thumbs := e.a.history.thumbs
	thumbs.mu.Lock()
	thumbs.running = true // the test takes the requests itself
	thumbs.mu.Unlock()
	var recycled, kept *historyRow
	e.ui(func() {
		recycled, kept = newHistoryRow(e.a.history), newHistoryRow(e.a.history)
		recycled.set(photo)
		kept.set(other)
		recycled.set(notes) // scrolled on before the photo's thumbnail came
	})
	req, ok := thumbs.next()
	require.True(t, ok)
	assert.Equal(t, other.Hash, req.key, "the photo is no longer wanted")
	_, ok = thumbs.next()
	assert.False(t, ok, "nothing else asked for")

	// A thumbnail that arrives for a row showing something else is dropped.
	e.ui(func() { recycled.set(photo) })
	stale, ok := thumbs.next()
	require.True(t, ok, "taken while still wanted")
	e.ui(func() { recycled.set(notes) })
	res, made := thumbs.make(t.Context(), stale)
	require.True(t, made, "not closed")
	require.NotNil(t, res)
	e.ui(func() {
		stale.done(res)
		assert.False(t, recycled.thumb.Visible())
		assert.Equal(t, theme.DocumentIcon().Name(), recycled.icon.Resource.Name())
	})
}
