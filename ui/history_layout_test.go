package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// rect is an object's place in the window.
type rect struct{ x0, y0, x1, y1 float32 }

func rectOf(o fyne.CanvasObject) rect {
	p := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	s := o.Size()
	return rect{p.X, p.Y, p.X + s.Width, p.Y + s.Height}
}

// overlaps reports whether a and b share more than a pixel's edge.
func (a rect) overlaps(b rect) bool {
	return a.x0 < b.x1-1 && b.x0 < a.x1-1 && a.y0 < b.y1-1 && b.y0 < a.y1-1
}

// shownRows are the history rows the list shows in the window now.
func shownRows(o fyne.CanvasObject) []*historyRow {
	var out []*historyRow
	walkObjects(o, func(o fyne.CanvasObject) {
		if r, ok := o.(*historyRow); ok && r.Visible() && r.Size().Width > 0 {
			out = append(out, r)
		}
	})
	return out
}

// walkObjects calls fn for o and every visible object inside it.
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walkObjects(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			walkObjects(c, fn)
		}
	}
}

// TestHistoryRowFits640: at 640×480, in every language, a row whose link
// is not reachable yet keeps its marks and Check again clear of the row's
// buttons, and inside the row: nothing drawn over anything else. It reads
// widget positions, not pixels.
func TestHistoryRowFits640(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		e := newTestEnv(t)
		a := e.a
		for i, live := range []storage.LiveCheck{
			{At: fixedNow, Error: "not reachable yet: the gateway answered 404 Not Found"},
			{At: fixedNow, Took: 1500 * time.Millisecond},
		} {
			id, err := e.db.AddHistory(storage.HistoryEntry{JobID: string(rune('a' + i)), Name: "a-rather-long-report-name-2026.pdf",
				Size: 8_400_000, FolderPath: "/reports/2026/", Comment: "for the board",
				Hash: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", Verified: true, FinishedAt: fixedNow})
			require.NoError(t, err)
			require.NoError(t, e.db.SetLive(id, live))
		}
		e.ui(func() {
			a.win.SetContent(a.mainView)
			a.tabs.Select(a.historyTab)
		})
		e.eventually(func() bool { return len(a.history.entries) == 2 }, "loaded")
		for _, size := range []fyne.Size{{Width: 640, Height: 480}, {Width: 800, Height: 600}, {Width: 1280, Height: 800}} {
			e.ui(func() {
				a.win.Resize(size)
				rows := shownRows(a.win.Content())
				require.Len(t, rows, 2, "both rows shown at %v", size)
				for _, r := range rows {
					assertRowClear(t, r, fmt.Sprint(l.Tag, " ", size))
				}
			})
		}
	}
}

// assertRowClear fails when a part of r's text lines overlaps a button of
// the row or leaves the row.
func assertRowClear(t *testing.T, r *historyRow, where string) {
	t.Helper()
	row := rectOf(r)
	buttons := []fyne.CanvasObject{r.copyLink, r.copyAs, r.open, r.qr, r.del}
	text := []fyne.CanvasObject{r.name, r.hash, r.verified, r.live, r.recheck, r.detail}
	for _, o := range text {
		if !o.Visible() || o == r.live && !r.cidLine.optional.Visible() {
			continue
		}
		// A label with no room for its padding draws its text past its end.
		assert.Greater(t, o.Size().Width, 2*theme.InnerPadding(), "%T shown without room (%s)", o, where)
		to := rectOf(o)
		assert.True(t, to.x0 >= row.x0-1 && to.x1 <= row.x1+1, "%T %v leaves the row %v (%s)", o, to, row, where)
		for _, b := range buttons {
			assert.False(t, to.overlaps(rectOf(b)), "%T at %v overlaps a button at %v (%s)", o, to, rectOf(b), where)
		}
	}
	line := []fyne.CanvasObject{r.hash, r.verified, r.live, r.recheck, r.detail}
	for i, o := range line {
		for _, p := range line[i+1:] {
			shown := func(o fyne.CanvasObject) bool {
				return o.Visible() && o.Size().Width > 0 && (o != r.live || r.cidLine.optional.Visible())
			}
			if shown(o) && shown(p) {
				assert.False(t, rectOf(o).overlaps(rectOf(p)), "%T and %T overlap (%s)", o, p, where)
			}
		}
	}
	for i, b := range buttons {
		for _, c := range buttons[i+1:] {
			assert.False(t, rectOf(b).overlaps(rectOf(c)), "buttons overlap (%s)", where)
		}
	}
	if e, ok := r.h.entry(r.id); ok && e.Live.Error != "" {
		assert.True(t, r.recheck.Visible() && r.live.Visible() && r.cidLine.optional.Visible(), "not reachable yet and Check again stay (%s)", where)
		assert.GreaterOrEqual(t, r.live.Size().Width, naturalWidth(r.live)-1, "not reachable yet is whole (%s)", where)
	}
}
