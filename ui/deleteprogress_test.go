package ui

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// heldDelete makes h's "Delete selected" stop after each batch it
// commits (storage.DB.DeleteHistoryIDsShowing's progress, the window's
// own told first) and send the entries deleted so far on the channel it
// returns, then wait until release is closed.
func heldDelete(h *historyView) (batches <-chan int, release chan struct{}) {
	done := make(chan int, 100)
	release = make(chan struct{})
	h.deleteIDs = func(d *storage.DB, ctx context.Context, ids []int64, progress func(deleted, total int)) (int, error) {
		return d.DeleteHistoryIDsShowing(ctx, ids, func(deleted, total int) {
			if progress != nil {
				progress(deleted, total)
			}
			select {
			case done <- deleted:
			default: // the test no longer reads them
			}
			<-release
		})
	}
	return done, release
}

// historyOf is a window on a history of n entries, its first page
// shown, and their ids, newest first.
func historyOf(t *testing.T, n int) (*testEnv, []int64) {
	t.Helper()
	e := newTestEnv(t)
	seedHistory(t, e.db, n-2)
	e.reloadHistory(historyPageSize)
	return e, historyIDs(t, e.db, n)
}

// releaseAtEnd closes release at the end of the test unless it was
// closed by then, so a test that fails while the delete is held ends.
func releaseAtEnd(t *testing.T, release chan struct{}) {
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
}

// historyIDs are the ids of the n entries db holds, newest first.
func historyIDs(t *testing.T, db *storage.DB, n int) []int64 {
	t.Helper()
	page, err := db.HistoryPage(storage.HistoryQuery{Limit: n + 1})
	require.NoError(t, err)
	require.Len(t, page, n)
	ids := make([]int64, len(page))
	for i, en := range page {
		ids[i] = en.ID
	}
	return ids
}

// historyTexts are the texts History shows (labels, buttons), in order.
func historyTexts(h *historyView) []string {
	var texts []string
	visibleTexts(h.content, func(_, text string) { texts = append(texts, text) })
	return texts
}

// historyButton is History's visible button labeled label, or nil.
func historyButton(h *historyView, label string) *widget.Button {
	var found *widget.Button
	walkObjects(h.content, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == label {
			found = b
		}
	})
	return found
}

// TestDeleteSelectedShowsItsProgressAndStops: "Delete selected" of a
// large selection (minutes at a million entries) says in History how far
// it has got after each batch, offers Stop, refuses a second delete and
// an export meanwhile with a sentence while the list stays, and once
// stopped says how many went and that the rest are still in the list
// (they are), the progress gone.
func TestDeleteSelectedShowsItsProgressAndStops(t *testing.T) {
	const n = 1200 // five of storage's batches of 250
	e, ids := historyOf(t, n)
	a := e.a
	h := a.history
	batches, release := heldDelete(h)
	releaseAtEnd(t, release)

	e.ui(func() { h.deleteSelected(ids) })
	var first int
	select {
	case first = <-batches:
	case <-time.After(2 * time.Minute): // a hang guard only
		t.Fatal("no batch deleted")
	}
	require.Equal(t, 250, first)
	e.ui(func() {
		texts := historyTexts(h)
		require.Contains(t, texts, "Deleting 250 of 1,200 entries…", "History says how far the delete has got: %q", texts)
		require.NotNil(t, historyButton(h, "Stop deleting"), "History offers to stop the delete: %q", texts)
		assert.NotEmpty(t, h.entries, "the list stays meanwhile")

		h.selectAll()
		h.onDeleteSelected()
		assert.Nil(t, a.win.Canvas().Overlays().Top(), "no second delete is asked for")
		assert.Equal(t, "Entries are still being deleted from the history: try again once that ends, or stop it first.", a.toast.Text)
		a.toast.SetText("")
		h.exportWith("csv", h.exportOptions(""))
		assert.Equal(t, "Entries are still being deleted from the history: try again once that ends, or stop it first.", a.toast.Text,
			"no export of a history half deleted")
	})
	since := e.markShown()
	e.ui(func() {
		test.Tap(historyButton(h, "Stop deleting"))
		assert.True(t, historyButton(h, "Stop deleting").Disabled(), "Stop is pressed once")
	})
	close(release)
	requireDialogSays(e, since, "a delete stopped", "Deleting stopped",
		"250 entries were deleted; the others are still in the list: select them and delete them again.")
	left, err := e.db.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, n-250, left, "the batch under way when Stop was pressed deleted, the rest stays")
	e.eventually(func() bool { return h.count.Text == fmt.Sprintf("%s uploads", formatCount(n-250)) }, "the list's count")
	e.ui(func() {
		texts := historyTexts(h)
		assert.False(t, slices.ContainsFunc(texts, func(s string) bool { return s == "Stop deleting" || s == "Deleting 250 of 1,200 entries…" }),
			"the progress is gone: %q", texts)
		h.selectAll()
		h.onDeleteSelected()
		assert.NotNil(t, a.win.Canvas().Overlays().Top(), "a delete is asked for again")
	})
}
