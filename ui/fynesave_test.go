package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	fynestorage "fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// answerFyneSave goes through the fallback save dialog on top of the
// window as a person would: the folder it opens in (set as the last one
// its dialogs used), the file named name, and yes to every question about
// it, until no dialog of it is left (or one that asks nothing of it, a
// message, is on top).
func answerFyneSave(t *testing.T, e *testEnv, name string) {
	t.Helper()
	c := e.a.win.Canvas()
	for range 5 {
		e.eventually(func() bool { return c.Overlays().Top() != nil }, "a dialog")
		var next func()
		var text string
		e.ui(func() {
			top := c.Overlays().Top()
			text = overlayText(c)
			buttons := map[string]*widget.Button{}
			var entry *widget.Entry
			walkObjects(top, func(o fyne.CanvasObject) {
				switch o := o.(type) {
				case *widget.Button:
					buttons[o.Text] = o
				case *escapeButton:
					buttons[o.Text] = &o.Button
				case *widget.Entry: // Fyne's own save dialog
					entry = o
				case *escapeEntry:
					entry = &o.Entry
				}
			})
			for _, label := range []string{tr("Save"), "Yes", tr("Replace"), tr("Save here")} {
				if b := buttons[label]; b != nil && !b.Disabled() {
					if entry != nil && label == tr("Save") {
						entry.SetText(name)
					}
					next = func() { test.Tap(b) }
					return
				}
			}
		})
		if next == nil {
			return
		}
		e.ui(next)
		e.eventually(func() bool {
			top := c.Overlays().Top()
			return top == nil || overlayText(c) != text
		}, "the answer taken")
		done := false
		e.ui(func() { done = c.Overlays().Top() == nil })
		if done {
			return
		}
	}
	t.Fatal("the save dialog kept asking")
}

// TestFyneSaveDialogNeverEmptiesTheHistory: the fallback save dialog
// (Fyne's, shown when no native chooser runs) opened the file picked with
// O_TRUNC itself (storage.Writer), before the window saw its path: the
// guard that refuses an export into dStor Uploader's own data folder
// (1044e87) came too late, and picking the history database, as a
// clumsy person can in the folder the dialog opens in, emptied it under
// the window. The dialog now gives a path without opening anything, so
// the guard runs first: the database is untouched and the window says
// why; an export elsewhere is still written, and a QR code is guarded
// the same way.
func TestFyneSaveDialogNeverEmptiesTheHistory(t *testing.T) {
	t.Setenv("DSTOR_UPLOADER_FYNE_DIALOGS", "1")
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3) // five entries
	dataDir := filepath.Dir(e.db.Path())
	before, err := os.ReadFile(e.db.Path())
	require.NoError(t, err)
	require.NotEmpty(t, before)
	openIn := func(dir string) {
		fyne.CurrentApp().Preferences().SetString("fyne:fileDialogLastFolder", fynestorage.NewFileURI(dir).String())
	}

	for _, tc := range []struct {
		name string
		save func()
	}{
		{"an export", func() { a.history.exportWith("csv", a.history.exportOptions("")) }},
		{"a QR code", func() { a.saveQR("qr.png", []byte("not really a PNG")) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			openIn(dataDir)
			since := e.markShown()
			e.ui(tc.save)
			answerFyneSave(t, e, storage.DBFileName)
			e.eventually(func() bool { return since.dialogAfter(a) != nil || since.toastAfter(a) != "" }, "an answer")
			e.ui(func() {
				assert.Contains(t, overlayText(a.win.Canvas()), "data folder", "refused, with why")
				dismissOverlays(a.win.Canvas())
			})
			after, err := os.ReadFile(e.db.Path())
			require.NoError(t, err)
			assert.Equal(t, len(before), len(after), "the history database as it was")
			n, err := e.db.HistoryCount("")
			require.NoError(t, err)
			assert.Equal(t, 5, n)
		})
	}

	t.Run("elsewhere", func(t *testing.T) {
		elsewhere := t.TempDir()
		openIn(elsewhere)
		since := e.markShown()
		e.ui(func() { a.history.exportWith("csv", a.history.exportOptions("")) })
		answerFyneSave(t, e, "mine.csv")
		assert.Contains(t, e.waitToastAfter(since, "exported"), "exported")
		got, err := os.ReadFile(filepath.Join(elsewhere, "mine.csv"))
		require.NoError(t, err)
		assert.Contains(t, string(got), "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")
	})
}

// TestFyneSaveNameAskedAgainOrConfirmed: in the fallback save dialog's
// second step, a name with a folder in it is asked again with what to do
// (nothing is written), and a file already there is replaced only once
// the person says so (Escape keeps it).
func TestFyneSaveNameAskedAgainOrConfirmed(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	c := a.win.Canvas()
	dir := t.TempDir()
	kept := filepath.Join(dir, "kept.csv")
	require.NoError(t, os.WriteFile(kept, []byte("mine"), 0o600))
	var saved []string
	save := func(name string) {
		e.ui(func() {
			a.askSaveName("Export", dir, "x.csv", "", func(path string) { saved = append(saved, path) })
			var entry *escapeEntry
			walkObjects(c.Overlays().Top(), func(o fyne.CanvasObject) {
				if en, ok := o.(*escapeEntry); ok {
					entry = en
				}
			})
			require.NotNil(t, entry)
			entry.SetText(name)
			test.Tap(overlayButton(t, c, tr("Save")))
		})
	}
	for _, name := range []string{"../x.csv", "sub/x.csv", `sub\x.csv`, "  "} {
		save(name)
		e.ui(func() {
			assert.Contains(t, overlayText(c), tr("Write the file's name alone, without a folder."), name)
			dismissOverlays(c)
		})
	}
	save("kept.csv")
	e.ui(func() {
		assert.Contains(t, overlayText(c), tr("Replace the file?"))
		pressKey(c, fyne.KeyEscape)
		assert.Nil(t, c.Overlays().Top())
	})
	assert.Empty(t, saved, "nothing saved")
	save("kept.csv")
	e.ui(func() { test.Tap(overlayButton(t, c, tr("Replace"))) })
	save(" new.csv ")
	assert.Equal(t, []string{kept, filepath.Join(dir, "new.csv")}, saved)
	got, err := os.ReadFile(kept)
	require.NoError(t, err)
	assert.Equal(t, "mine", string(got), "the path given, nothing opened")
}
