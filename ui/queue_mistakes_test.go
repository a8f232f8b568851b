package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// What a hasty or clumsy person does on the Upload tab, and what the
// window makes of it.

// overlayButton is the button of the dialog on top of c labelled label.
func overlayButton(t *testing.T, c fyne.Canvas, label string) *escapeButton {
	t.Helper()
	var found *escapeButton
	walkObjects(c.Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*escapeButton); ok && b.Text == label {
			found = b
		}
	})
	require.NotNil(t, found, "the dialog has %q", label)
	return found
}

// overlayText is every text the dialog on top of c shows, joined.
func overlayText(c fyne.Canvas) string {
	var texts []string
	if top := c.Overlays().Top(); top != nil {
		visibleTexts(top, func(_, text string) { texts = append(texts, text) })
	}
	return strings.Join(texts, "\n")
}

// TestCancelAllAsksFirst: Cancel all sits beside Retry failed and Clear
// finished, the same size, and nothing undoes it (Retry failed leaves
// canceled files alone). So it asks first, as Quit and Sign out do while
// uploading, naming how many files it stops; no (Escape) cancels nothing,
// yes cancels them all.
func TestCancelAllAsksFirst(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := t.TempDir()
	var paths []string
	for _, n := range []string{"a.bin", "b.bin", "c.bin"} {
		paths = append(paths, testutil.WriteFile(t, filepath.Join(dir, n), 1000))
	}
	e.ui(func() { a.upload.onPauseResume() }) // nothing starts meanwhile
	e.eventually(func() bool { return a.upload.sum.Paused }, "paused")
	e.ui(func() { a.addPaths(paths) })
	e.eventually(func() bool { return a.upload.sum.Queued == 3 }, "queued")
	c := a.win.Canvas()
	e.ui(func() {
		test.Tap(a.upload.cancelAll)
		require.NotNil(t, c.Overlays().Top(), "Cancel all asks first")
		assert.Contains(t, overlayText(c), "3 files", "the question says how many files it stops")
		test.Tap(a.upload.cancelAll) // the button clicked twice: one question
		assert.Len(t, c.Overlays().List(), 1, "one question on screen")
		pressKey(c, fyne.KeyEscape) // no
		assert.Nil(t, c.Overlays().Top(), "answered")
	})
	// No cancels nothing: the files are still queued once the queue has
	// had every chance to act (Resume lets them upload).
	e.ui(func() { a.upload.onPauseResume() })
	e.eventually(func() bool { return a.upload.sum.Done == 3 }, "no: every file uploaded")
	e.ui(func() { assert.Zero(t, a.upload.sum.Canceled, "no cancels nothing") })

	e.ui(func() { a.upload.onPauseResume() })
	e.eventually(func() bool { return a.upload.sum.Paused }, "paused again")
	more := testutil.WriteFile(t, filepath.Join(dir, "d.bin"), 1000)
	e.ui(func() { a.addPaths([]string{more}) })
	e.eventually(func() bool { return a.upload.sum.Queued == 1 }, "one more queued")
	e.ui(func() {
		test.Tap(a.upload.cancelAll)
		assert.Contains(t, overlayText(c), "1 file")
		test.Tap(overlayButton(t, c, tr("Cancel uploads")))
		assert.Nil(t, c.Overlays().Top(), "answered")
	})
	e.eventually(func() bool { return a.upload.sum.Canceled == 1 && a.upload.sum.Queued == 0 }, "yes cancels them")
}
