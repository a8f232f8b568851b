package ui

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestRowDeleteOfAnEntryTheRunningDeleteRemoved: while "Delete selected"
// runs, the list is not read again between its batches, so a row it has
// already removed still shows its bin. Deleting that row (confirmed) gets
// what the person asked for, the entry gone, and no dialog that blames
// another window or a command for it; the progress stays and the count
// is the history's.
func TestRowDeleteOfAnEntryTheRunningDeleteRemoved(t *testing.T) {
	const n = 1200 // five of storage's batches of 250
	e, ids := historyOf(t, n)
	a := e.a
	h := a.history
	// The list shows the newest page, the lowest ids here; storage
	// deletes the highest ids first: a selection of the 300 lowest has
	// its first batch take shown entries.
	slices.Sort(ids)
	ids = ids[:300]
	batches, release := heldDelete(h)
	releaseAtEnd(t, release)

	e.ui(func() { h.deleteSelected(ids) })
	select {
	case <-batches:
	case <-time.After(2 * time.Minute): // a hang guard only
		t.Fatal("no batch deleted")
	}
	var id int64
	e.ui(func() {
		for _, en := range h.entries {
			id = max(id, en.ID)
		}
	})
	gone, err := e.db.HistoryByIDs([]int64{id})
	require.NoError(t, err)
	require.Empty(t, gone, "the first batch deleted entry %d", id)
	e.ui(func() {
		_, shown := h.entry(id)
		require.True(t, shown, "the list still shows the entry the delete removed")
		h.deleteEntry(id)
	})
	e.eventually(func() bool { _, shown := h.entry(id); return !shown }, "the row delete reads the list again")
	e.ui(func() {
		assert.Nil(t, a.win.Canvas().Overlays().Top(), "no dialog for an entry already gone: %q", overlayText(a.win.Canvas()))
		assert.Contains(t, historyTexts(h), "Deleting 250 of 300 entries…", "the progress stays")
	})
	e.eventually(func() bool { return h.count.Text == "950 uploads" }, "the count is the history's")
}

// TestQuitDuringDeleteSelected: a quit (window close, Ctrl+Q, SIGTERM all
// end in Close) while "Delete selected" runs ends it between two batches
// within the quit's grace: the batches committed stay deleted, the rest
// stays, and the next start counts what is left.
func TestQuitDuringDeleteSelected(t *testing.T) {
	const n = 1200 // five of storage's batches of 250
	e, ids := historyOf(t, n)
	h := e.a.history
	first := make(chan struct{})
	h.deleteIDs = func(d *storage.DB, ctx context.Context, ids []int64, progress func(deleted, total int)) (int, error) {
		return d.DeleteHistoryIDsShowing(ctx, ids, func(deleted, total int) {
			progress(deleted, total)
			if deleted == 250 {
				close(first)
				select { // held until the quit stops it
				case <-ctx.Done():
				case <-time.After(2 * time.Minute): // a hang guard only
				}
			}
		})
	}

	e.ui(func() { h.deleteSelected(ids) })
	select {
	case <-first:
	case <-time.After(2 * time.Minute): // a hang guard only
		t.Fatal("no batch deleted")
	}
	began := time.Now()
	e.a.Close()
	assert.Less(t, time.Since(began), worker.ShareLookGrace, "the quit stops the delete at once")
	left, err := e.db.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, n-250, left, "the committed batch stays deleted, the rest stays")

	e.a = e.open(Deps{})
	e.reloadHistory(historyPageSize)
	e.eventually(func() bool { return e.a.history.count.Text == "950 uploads" }, "the next start counts what is left")
}
