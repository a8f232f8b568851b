package ui

import (
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestFileKindIcon(t *testing.T) {
	for _, c := range []struct {
		name string
		want fyne.Resource
	}{
		{"IMG_0001.JPG", theme.MediaPhotoIcon()},
		{"holiday.mp4", theme.MediaVideoIcon()},
		{"song.flac", theme.MediaMusicIcon()},
		{"notes.txt", theme.DocumentIcon()},
		{"photos-2026.zip", theme.StorageIcon()},
		{"report.pdf", documentIcon()},
		{"slides.PPTX", documentIcon()},
		{"Makefile", theme.FileIcon()},
		{"archive.unknown", theme.FileIcon()},
		{".jpg", theme.MediaPhotoIcon()},
	} {
		assert.Equal(t, c.want.Name(), fileKindIcon(c.name).Name(), c.name)
	}
}

// At a row's size no two kinds' icons look alike: each pair, drawn at 20
// points, differs in more than one in 20 of its pixels (a page of lines
// and a plain file's blank page, the closest pair, differ in their
// lines: 33 of 400).
func TestFileKindIconsLookApart(t *testing.T) {
	test.NewTempApp(t)
	names := []string{"a.jpg", "a.txt", "a.pdf", "a.zip", "a.mp4", "a.mp3", "a.bin"}
	drawn := make([]image.Image, len(names))
	for i, name := range names {
		w := test.NewTempWindow(t, container.NewWithoutLayout(widget.NewIcon(fileKindIcon(name))))
		icon := w.Content().(*fyne.Container).Objects[0]
		icon.Resize(fyne.NewSquareSize(theme.IconInlineSize()))
		w.Resize(fyne.NewSquareSize(theme.IconInlineSize()))
		drawn[i] = w.Canvas().Capture()
	}
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			a, b := drawn[i], drawn[j]
			differ, all := 0, 0
			for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
				for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
					all++
					if a.At(x, y) != b.At(x, y) {
						differ++
					}
				}
			}
			assert.Greater(t, differ*20, all, "%s and %s look alike: %d of %d pixels differ", names[i], names[j], differ, all)
		}
	}
}

func TestFolderURL(t *testing.T) {
	for _, c := range []struct{ path, want string }{
		{"/home/me/Pictures/trip/a.jpg", "file:///home/me/Pictures/trip"},
		{"/home/me/raw photos/#1 100%.jpg", "file:///home/me/raw%20photos"},
		{"/a.txt", "file:///"},
	} {
		assert.Equal(t, c.want, folderURL(c.path).String(), c.path)
	}
}

// TestHistoryShowInFolder: a row shows its file's kind, Show in folder
// asks the file manager to select the file, and says so when the file
// has gone since it was uploaded.
func TestHistoryShowInFolder(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	reveal, rec := fakeRevealer("windows", "", nil)
	a.history.reveal = reveal
	p := filepath.Join(t.TempDir(), "beach.jpg")
	require.NoError(t, os.WriteFile(p, []byte("jpg"), 0o600))
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "j", Name: "beach.jpg", LocalPath: p, Size: 3,
		Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true})
	require.NoError(t, err)
	e.reloadHistory(1)
	var r *historyRow
	e.ui(func() {
		r = newHistoryRow(a.history)
		r.set(a.history.entries[0])
		assert.Equal(t, theme.MediaPhotoIcon().Name(), r.icon.Resource.Name())
		assert.True(t, r.reveal.Visible())
		test.Tap(r.reveal)
	})
	require.Eventually(t, func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return rec.name != ""
	}, 2*time.Minute, 10*time.Millisecond, "the file manager asked")
	assert.Equal(t, []string{"/select," + p}, rec.args)
	require.NoError(t, os.Remove(p))
	since := e.markShown()
	e.ui(func() { test.Tap(r.reveal) })
	assert.Equal(t, "“beach.jpg” is no longer in "+displayPath(filepath.Dir(p))+".", e.waitToastAfter(since, "a toast"))
}
