package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
				LocalPath: "/home/someone/reports/a-rather-long-report-name-2026.pdf",
				Size:      8_400_000, FolderPath: "/reports/2026/", Comment: "for the board",
				Hash: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", Verified: true, FinishedAt: fixedNow})
			require.NoError(t, err)
			require.NoError(t, e.db.SetLive(id, live))
		}
		for i := range 2 { // a folder share, open
			_, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("f", i), Name: fmt.Sprintf("IMG_%04d.jpg", i), LocalPath: fmt.Sprintf("/home/someone/Pictures/IMG_%04d.jpg", i),
				Size: 2_100_000, Hash: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", Verified: true,
				FinishedAt: fixedNow.Add(-time.Hour), AddedFolder: "/home/someone/Pictures/a long folder name of holiday photos", BatchID: "b"})
			require.NoError(t, err)
		}
		e.ui(func() {
			a.win.SetContent(a.mainView)
			a.tabs.Select(a.historyTab)
		})
		e.eventually(func() bool { return len(a.history.entries) == 4 }, "loaded")
		e.ui(func() { a.history.toggleFolder(a.history.items[2].folder.key) })
		for _, size := range []fyne.Size{{Width: 640, Height: 480}, {Width: 800, Height: 600}, {Width: 1280, Height: 800}} {
			e.ui(func() {
				a.win.Resize(size)
				rows := shownRows(a.win.Content())
				require.Len(t, rows, 4, "every row shown at %v", size)
				for _, r := range rows {
					assertRowClear(t, r, fmt.Sprint(l.Tag, " ", size))
				}
				if l.Tag == "en" {
					savePNG(t, fmt.Sprintf("history_folder_%.0fx%.0f", size.Width, size.Height), a.win.Canvas())
				}
				folders := shownFolderRows(a.win.Content())
				require.Len(t, folders, 1)
				f := folders[0]
				assertClear(t, rectOf(f), []fyne.CanvasObject{f.toggle, f.icon, f.name, f.detail},
					[]fyne.CanvasObject{f.copyAll, f.copyAllAs, f.indexPage, f.copyShare, f.qr}, fmt.Sprint("folder ", l.Tag, " ", size))
			})
		}
	}
}

// assertRowClear fails when a part of r's text lines overlaps a button of
// the row or leaves the row.
func assertRowClear(t *testing.T, r *historyRow, where string) {
	t.Helper()
	row := rectOf(r)
	buttons := []fyne.CanvasObject{r.copyLink, r.copyAs, r.open, r.qr, r.reveal, r.del}
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
	if r.live.Visible() && r.cidLine.optional.Visible() && r.live.Size().Width >= naturalWidth(r.live)-0.5 {
		assert.Equal(t, r.live.Text, shownText(r.live), "a mark given its whole width is shown whole (%s)", where)
	}
	if e, ok := r.h.entry(r.id); ok && e.Live.Error != "" {
		assert.True(t, r.recheck.Visible() && r.live.Visible() && r.cidLine.optional.Visible(), "not reachable yet and Check again stay (%s)", where)
		assert.GreaterOrEqual(t, r.live.Size().Width, naturalWidth(r.live)-1, "not reachable yet is whole (%s)", where)
	}
}

// assertClear fails when a shown object of text leaves row or overlaps
// a shown button, or two buttons overlap.
func assertClear(t *testing.T, row rect, text, buttons []fyne.CanvasObject, where string) {
	t.Helper()
	shown := func(o fyne.CanvasObject) bool { return o.Visible() && o.Size().Width > 0 }
	for _, o := range text {
		if !shown(o) {
			continue
		}
		to := rectOf(o)
		assert.True(t, to.x0 >= row.x0-1 && to.x1 <= row.x1+1, "%T %v leaves the row %v (%s)", o, to, row, where)
		for _, b := range buttons {
			if shown(b) {
				assert.False(t, to.overlaps(rectOf(b)), "%T at %v overlaps a button at %v (%s)", o, to, rectOf(b), where)
			}
		}
	}
	for i, b := range buttons {
		for _, c := range buttons[i+1:] {
			if shown(b) && shown(c) {
				assert.False(t, rectOf(b).overlaps(rectOf(c)), "buttons overlap (%s)", where)
			}
		}
	}
}

// shownText is the text o draws.
func shownText(o fyne.CanvasObject) string {
	var b strings.Builder
	walkObjects(o, func(o fyne.CanvasObject) {
		if t, ok := o.(*canvas.Text); ok {
			b.WriteString(t.Text)
		}
	})
	return b.String()
}
