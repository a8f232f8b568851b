package ui

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// fixedNow is the clock of history tests and goldens.
var fixedNow = time.Date(2026, 5, 20, 16, 0, 0, 0, time.UTC)

// seedHistory adds n entries named file-000.txt… plus two with words to
// search for, all with fixed times.
func seedHistory(t *testing.T, db *storage.DB, n int) {
	t.Helper()
	hashes := []string{
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
		"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
		"QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT",
	}
	add := func(i int, name, folder, comment string) {
		_, err := db.AddHistory(storage.HistoryEntry{
			JobID: fmt.Sprintf("job-%d", i), Env: api.SandboxKey, Account: "demo", Name: name,
			Size: int64(1000 * (i + 1)), Hash: hashes[i%len(hashes)], Verified: i%5 != 4,
			FolderPath: folder, Comment: comment,
			StartedAt: fixedNow.Add(-time.Duration(i+1) * time.Hour), FinishedAt: fixedNow.Add(-time.Duration(i) * time.Hour),
		})
		require.NoError(t, err)
	}
	for i := 0; i < n; i++ {
		add(i, fmt.Sprintf("file-%03d.txt", i), "/photos/2026/", "")
	}
	add(n, "holiday-beach.jpg", "/photos/2026/", "Spring trip")
	add(n+1, "invoice-march.pdf", "/invoices/", "")
}

func TestHistorySearchAndPaging(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 250)
	e.ui(func() {
		a.now = func() time.Time { return fixedNow }
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == historyPageSize }, "first page")
	e.ui(func() {
		assert.Equal(t, "252 uploads", a.history.count.Text)
		assert.Equal(t, "file-000.txt", a.history.entries[0].Name, "newest first")
		a.history.loadMore()
	})
	e.eventually(func() bool { return len(a.history.entries) == 2*historyPageSize }, "second page")

	e.ui(func() { test.Type(a.history.search, "beach") })
	e.eventually(func() bool { return len(a.history.entries) == 1 }, "search filters as you type")
	e.ui(func() {
		assert.Equal(t, "holiday-beach.jpg", a.history.entries[0].Name)
		assert.Equal(t, "1 match", a.history.count.Text)
		a.history.search.SetText("no-such-thing")
	})
	e.eventually(func() bool { return len(a.history.entries) == 0 && a.history.empty.Visible() }, "nothing matches")
	e.ui(func() { assert.Contains(t, a.history.empty.Text, "no-such-thing") })
}

func TestHistoryDeleteAndExport(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	e.reloadHistory(5)
	var id int64
	e.ui(func() {
		id = a.history.entries[0].ID
		a.history.deleteEntry(id)
	})
	e.eventually(func() bool { return len(a.history.entries) == 4 }, "deleted")
	e.ui(func() {
		_, ok := a.history.entry(id)
		assert.False(t, ok)
	})

	out := filepath.Join(t.TempDir(), "export.csv")
	e.ui(func() { a.history.exportToPath(out, "csv", storage.ExportOptions{}) })
	e.eventually(func() bool { return a.toast.Visible() && strings.Contains(a.toast.Text, out) }, "exported")
	e.ui(func() { assert.Equal(t, "4 uploads exported with links to "+out, a.toast.Text) })
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(string(b), "\n"), "header and 4 rows")
	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}

// TestHistoryExportAllWithLinks: the window's export once had no link
// column and held only what the search matched. Export all writes every entry, each with the link Copy link gives, even
// while a search is typed; the matches alone are a separate choice.
func TestHistoryExportAllWithLinks(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	e.ui(func() {
		labels := func() (l []string) {
			for _, it := range a.history.exportMenuItems() {
				if !it.IsSeparator {
					l = append(l, it.Label)
				}
			}
			return l
		}
		assert.Equal(t, []string{"Export all as CSV (spreadsheets)…", "Export all as JSON…"}, labels())
		a.history.search.SetText("beach")
		assert.Equal(t, []string{"Export all as CSV (spreadsheets)…", "Export all as JSON…",
			"Export the matches of “beach” as CSV…", "Export the matches of “beach” as JSON…"}, labels())
	})
	e.eventually(func() bool { return len(a.history.entries) == 1 }, "the search shows one")

	dir := t.TempDir()
	all, matches := filepath.Join(dir, "all.csv"), filepath.Join(dir, "beach.json")
	var links storage.ExportOptions
	e.ui(func() {
		links = a.history.exportOptions("")
		a.history.exportToPath(all, "csv", links)
	})
	e.eventually(func() bool { return strings.Contains(a.toast.Text, all) }, "exported all")
	e.ui(func() { assert.Equal(t, "5 uploads exported with links to "+all, a.toast.Text) })
	f, err := os.Open(all)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 1+5, "every entry, not the search's one")
	hash, link := slices.Index(rows[0], "hash"), slices.Index(rows[0], "link")
	require.Positive(t, link)
	for _, r := range rows[1:] {
		assert.Equal(t, a.links().Link(api.SandboxKey, r[hash], r[slices.Index(rows[0], "name")]), r[link])
		assert.Contains(t, r[link], r[hash])
	}

	e.ui(func() { a.history.exportToPath(matches, "json", a.history.exportOptions("beach")) })
	e.eventually(func() bool { return strings.Contains(a.toast.Text, matches) }, "exported the matches")
	e.ui(func() { assert.Equal(t, "1 upload exported with links to "+matches, a.toast.Text) })
	b, err := os.ReadFile(matches)
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	require.Len(t, got, 1)
	assert.Equal(t, "holiday-beach.jpg", got[0]["name"])
	assert.NotEmpty(t, got[0]["link"])
}

func TestDisplayPathShowsHomeAsTilde(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, c := range []struct{ in, want string }{
		{filepath.Join(home, "Documents", "x.csv"), filepath.Join("~", "Documents", "x.csv")},
		{"/elsewhere/x.csv", "/elsewhere/x.csv"},
		{home + "-other/x.csv", home + "-other/x.csv"},
	} {
		assert.Equal(t, c.want, displayPath(c.in), c.in)
	}
	assert.Equal(t, "abc", shortText("abc", 3))
	assert.Equal(t, "ab…", shortText("abcd", 3))
}

func TestFindShortcutFocusesSearch(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	e.ui(func() {
		e.a.onFind()
		assert.Equal(t, e.a.historyTab, e.a.tabs.Selected())
		assert.Equal(t, e.a.history.search, e.a.win.Canvas().Focused())
	})
}

// TestHistoryRowShowsServerNameApart: the local name is the row's name; a
// different name dStor answered is shown as dStor's, never in its place.
func TestHistoryRowShowsServerNameApart(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		r := newHistoryRow(e.a.history)
		r.set(storage.HistoryEntry{ID: 1, Name: "report.pdf", ServerName: "renamed by server", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true, FinishedAt: fixedNow})
		assert.Equal(t, "report.pdf", r.name.Text)
		assert.Contains(t, r.detail.Text, "dStor named it “renamed by server”")
		r.set(storage.HistoryEntry{ID: 2, Name: "same.pdf", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
		assert.NotContains(t, r.detail.Text, "dStor named it", "a recycled row drops the old server name")
	})
}

// TestHistoryRowNameInAnotherUnicodeFormIsNotRenamed: a name dStor
// answered in another Unicode form of the very name sent (a Mac's
// decomposed "café.txt", answered composed) showed "dStor named it
// “café.txt”" under "café.txt", a rename no one can see; a name it
// changed otherwise (its case) still shows as dStor's.
func TestHistoryRowNameInAnotherUnicodeFormIsNotRenamed(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		r := newHistoryRow(e.a.history)
		r.set(storage.HistoryEntry{ID: 1, Name: "cafe\u0301.txt", ServerName: "caf\u00e9.txt", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
		assert.NotContains(t, r.detail.Text, "dStor named it")
		r.set(storage.HistoryEntry{ID: 2, Name: "Cafe\u0301.txt", ServerName: "caf\u00e9.txt", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
		assert.Contains(t, r.detail.Text, "dStor named it “caf\u00e9.txt”")
	})
}

// TestHistoryLiveMarkAndCheckAgain: an entry whose link was not reachable
// says so with "Check again"; checking again through a gateway that now
// serves the file marks it live, with the time it took, and stores that.
func TestHistoryLiveMarkAndCheckAgain(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	var serve atomic.Bool
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !serve.Load() {
			http.NotFound(w, r)
			return
		}
		assert.Equal(t, "bytes=0-11", r.Header.Get("Range"))
		w.Header().Set("Content-Range", "bytes 0-11/12")
		w.WriteHeader(http.StatusPartialContent)
		_, _ = w.Write([]byte("hello world\n")) // the bytes of the entry's CID
	}))
	t.Cleanup(gateway.Close)
	a.changeSettings(func(s storage.Settings) storage.Settings { s.GatewayOverride = gateway.URL; return s })
	id, err := e.db.AddHistory(storage.HistoryEntry{JobID: "j", Name: "hello.txt", Size: 12,
		Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true})
	require.NoError(t, err)
	require.NoError(t, e.db.SetLive(id, storage.LiveCheck{At: fixedNow, Error: "not reachable yet: the gateway answered 404 Not Found"}))
	e.reloadHistory(1)

	var r *historyRow
	e.ui(func() {
		r = newHistoryRow(a.history)
		r.set(a.history.entries[0])
		assert.Equal(t, "not reachable yet", r.live.Text)
		assert.True(t, r.recheck.Visible())
	})
	serve.Store(true)
	e.ui(func() { test.Tap(r.recheck) })
	e.eventually(func() bool { return a.history.entries[0].Live.Served() }, "checked again")
	e.ui(func() {
		r.set(a.history.entries[0])
		assert.True(t, strings.HasPrefix(r.live.Text, "• live · "), r.live.Text)
		assert.False(t, r.recheck.Visible())
	})
	stored, err := e.db.HistoryByID(id)
	require.NoError(t, err)
	assert.True(t, stored.Live.Served())
}

// TestHistoryCopyAs: every row's Copy as… menu puts the entry's link on
// the clipboard in each format, whatever the default style, names the
// download unless Settings turns that off, and escapes the name for
// Markdown and HTML.
func TestHistoryCopyAs(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "j", Env: "production", Name: "[draft] <b> & co.txt", Size: 5,
		Hash: cid, Verified: true})
	require.NoError(t, err)
	e.reloadHistory(1)

	gw := "https://api.dstor.cloud/ipfs/" + cid
	named := gw + "?filename=%5Bdraft%5D%20%3Cb%3E%20%26%20co.txt"
	want := []string{ // in the menu's order
		named,
		"ipfs://" + cid,
		cid,
		`[\[draft\] \<b> \& co.txt](` + named + ")",
		`<a href="` + strings.ReplaceAll(named, "&", "&amp;") + `">[draft] &lt;b&gt; &amp; co.txt</a>`,
	}
	copyEach := func() []string {
		var got []string
		e.ui(func() {
			a.win.SetContent(a.mainView)
			a.tabs.Select(a.historyTab)
			r := newHistoryRow(a.history)
			r.set(a.history.entries[0])
			for i := range api.LinkStyles {
				test.Tap(r.copyAs)
				menu := findPopUpMenu(a.win.Canvas().Overlays().Top())
				require.NotNil(t, menu, "Copy as… opens a menu")
				require.Len(t, menu.Items, len(api.LinkStyles))
				menu.Items[i].(fyne.Tappable).Tapped(&fyne.PointEvent{})
				got = append(got, a.fyne.Clipboard().Content())
			}
		})
		return got
	}
	e.ui(func() { a.prefs.linkStyle.SetSelected(linkStyleLabels()[storage.LinkCID]) })
	assert.Equal(t, want, copyEach(), "each format, whatever the default")
	e.ui(func() { assert.Equal(t, "HTML link copied to the clipboard", a.toast.Text) })

	e.ui(func() { a.prefs.linkFilename.SetChecked(false) })
	got := copyEach()
	assert.Equal(t, gw, got[0], "no ?filename= once turned off")
	assert.Equal(t, `[\[draft\] \<b> \& co.txt](`+gw+")", got[3])
	assert.False(t, a.currentSettings().LinkFilename, "the choice is saved")
}

// findPopUpMenu is the pop-up menu in o (an overlay), or nil.
func findPopUpMenu(o fyne.CanvasObject) *widget.PopUpMenu {
	switch o := o.(type) {
	case *widget.PopUpMenu:
		return o
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			if m := findPopUpMenu(c); m != nil {
				return m
			}
		}
	case *fyne.Container:
		for _, c := range o.Objects {
			if m := findPopUpMenu(c); m != nil {
				return m
			}
		}
	}
	return nil
}

// TestHistoryRowLiveMarkGivesWayWhenNarrow: in a narrow row a served
// link's "• live" mark leaves its room to the size, date and folder; a
// wide row shows both, and "not reachable yet" always stays.
func TestHistoryRowLiveMarkGivesWayWhenNarrow(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		r := newHistoryRow(e.a.history)
		entry := storage.HistoryEntry{ID: 1, Name: "report.pdf", Size: 8_400_000, FolderPath: "/photos/2026/",
			Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true, FinishedAt: fixedNow,
			Live: storage.LiveCheck{At: fixedNow, Took: 27 * time.Millisecond}}
		r.set(entry)
		liveBox := r.cidLine.optional
		detail := r.detail
		r.second.Resize(fyne.NewSize(290, 20)) // the text's room in a 640 px window
		assert.False(t, liveBox.Visible(), "live gives way")
		assert.InDelta(t, 290-r.hash.MinSize().Width-r.verified.MinSize().Width, detail.Size().Width, 1,
			"the details have the live mark's room")
		r.second.Resize(fyne.NewSize(900, 20))
		assert.True(t, liveBox.Visible(), "a wide row shows it")

		entry.Live = storage.LiveCheck{At: fixedNow, Error: "not reachable yet: 404"}
		r.set(entry)
		r.second.Resize(fyne.NewSize(290, 20))
		assert.True(t, liveBox.Visible() && r.live.Visible(), "not reachable yet stays")
	})
}

// TestHistoryMultiSelect: Shift-click picks a range from the last row
// clicked, Ctrl-click toggles one, Ctrl+A picks every listed upload; the
// bar counts them, Copy links gives one link per line in the default
// format, Export selected writes exactly them (the menu says how many),
// and Delete selected removes only them.
func TestHistoryMultiSelect(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 6)
	e.ui(func() {
		a.win.SetContent(a.mainView)
		a.tabs.Select(a.historyTab)
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == 8 }, "loaded")
	h := a.history
	click := func(i int, mod fyne.KeyModifier) {
		r := newHistoryRow(h)
		r.set(h.entries[i])
		r.MouseDown(&desktop.MouseEvent{Button: desktop.MouseButtonPrimary, PointEvent: fyne.PointEvent{}, Modifier: mod})
	}
	var picked []storage.HistoryEntry
	want := func(p storage.HistoryEntry) string {
		return "https://gw.example/ipfs/" + p.Hash + "?filename=" + p.Name
	}
	e.ui(func() {
		a.changeSettings(func(s storage.Settings) storage.Settings {
			s.GatewayOverride, s.LinkStyle = "https://gw.example", storage.LinkMarkdown
			return s
		})
		click(1, 0)
		assert.False(t, h.selBar.box.Visible(), "a plain click picks nothing")
		click(4, fyne.KeyModifierShift)
		assert.Len(t, h.selected(), 4, "rows 1 to 4")
		click(2, fyne.KeyModifierControl)
		picked = h.selected()
		require.Len(t, picked, 3)
		assert.Equal(t, []int64{h.entries[1].ID, h.entries[3].ID, h.entries[4].ID}, []int64{picked[0].ID, picked[1].ID, picked[2].ID})
		assert.True(t, h.selBar.box.Visible())
		assert.Equal(t, "3 uploads selected", h.selBar.count.Text)

		test.Tap(h.selBar.copyLinks)
	})
	e.eventually(func() bool { return a.fyne.Clipboard().Content() != "" }, "the links copied (built off the UI goroutine)")
	e.ui(func() {
		var lines []string
		for _, p := range picked {
			lines = append(lines, "["+p.Name+"]("+want(p)+")")
		}
		assert.Equal(t, strings.Join(lines, "\n"), a.fyne.Clipboard().Content())
		assert.Equal(t, "3 links copied to the clipboard", a.toast.Text)
		items := h.exportMenuItems()
		assert.Equal(t, "Export the 3 uploads selected as CSV…", items[0].Label)
	})

	out := filepath.Join(t.TempDir(), "picked.csv")
	e.ui(func() { h.exportToPath(out, "csv", h.selectedExportOptions()) })
	e.eventually(func() bool { return strings.Contains(a.toast.Text, "picked.csv") }, "exported")
	f, err := os.Open(out)
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, f.Close())
	require.NoError(t, err)
	require.Len(t, rows, 1+3, "exactly the selection")
	id, link := slices.Index(rows[0], "id"), slices.Index(rows[0], "link")
	for i, p := range picked {
		assert.Equal(t, fmt.Sprint(p.ID), rows[i+1][id])
		assert.Equal(t, "["+p.Name+"]("+want(p)+")", rows[i+1][link], "the link in the default format")
	}

	var keep int64
	e.ui(func() {
		test.Tap(h.selBar.clearSelect)
		assert.False(t, h.selBar.box.Visible(), "cleared")
		a.tabs.Select(a.uploadTab)
		a.onSelectAll()
		assert.False(t, h.selBar.box.Visible(), "Ctrl+A elsewhere leaves History alone")
		a.tabs.Select(a.historyTab)
		a.onSelectAll()
		assert.Equal(t, "8 uploads selected", h.selBar.count.Text, "Ctrl+A")
		keep = h.entries[0].ID
		click(0, fyne.KeyModifierControl)
		var ids []int64
		for _, p := range h.selected() {
			ids = append(ids, p.ID)
		}
		h.deleteSelected(ids)
	})
	e.eventually(func() bool { return len(h.entries) == 1 }, "deleted the selection")
	e.ui(func() {
		assert.Equal(t, keep, h.entries[0].ID)
		assert.False(t, h.selBar.box.Visible(), "nothing stays selected")
		assert.Equal(t, "7 entries deleted from the history", a.toast.Text)
	})
}

// TestIndexPageOfSelection: the index page of selected uploads is
// uploaded as its own file and lands in History; its link, served by the
// sandbox, lists each upload by name with a link that serves that file.
func TestIndexPageOfSelection(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	e.uploadOne("first file.txt")
	e.uploadOne("second.bin")
	e.ui(func() { a.tabs.Select(a.historyTab); a.history.reload() })
	e.eventually(func() bool { return len(a.history.entries) == 2 }, "both in History")
	var picked []storage.HistoryEntry
	e.ui(func() {
		a.onSelectAll()
		picked = a.history.selected()
		test.Tap(a.history.selBar.indexPage)
	})
	var index storage.HistoryEntry
	e.eventually(func() bool {
		all, err := e.db.HistoryPage(storage.HistoryQuery{Limit: 10})
		require.NoError(t, err)
		for _, h := range all {
			if strings.HasSuffix(h.Name, "-index.html") {
				index = h
				return true
			}
		}
		return false
	}, "the index page uploaded")
	assert.Equal(t, "2-uploads-index.html", index.Name)
	assert.True(t, index.Verified)

	var link string
	e.ui(func() { link = a.links().GatewayLink(index.Env, index.Hash, index.Name) })
	page := httpGet(t, link)
	hrefs := regexp.MustCompile(`<a href="([^"]+)">([^<]*)</a>`).FindAllStringSubmatch(page, -1)
	require.Len(t, hrefs, 2)
	for i, m := range hrefs {
		assert.Equal(t, picked[i].Name, html.UnescapeString(m[2]))
		body := httpGet(t, html.UnescapeString(m[1]))
		assert.Len(t, body, 300, "the link of %s serves it", picked[i].Name)
		want, err := os.ReadFile(picked[i].LocalPath)
		require.NoError(t, err)
		assert.Equal(t, string(want), body)
	}
}

// httpGet is the body of a GET that must answer 200.
func httpGet(t *testing.T, link string) string {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, link)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestHistoryShownAfterSignIn checks that signing in loads History by
// itself, off the UI goroutine (the window shows before it is read).
func TestHistoryShownAfterSignIn(t *testing.T) {
	e := newTestEnv(t)
	seedHistory(t, e.db, 3)
	e.signInSandbox()
	e.eventually(func() bool { return len(e.a.history.entries) == 5 }, "History loaded after the sign-in")
	e.ui(func() { assert.Equal(t, "5 uploads", e.a.history.count.Text) })
}

// TestHistoryReadFailureIsASentence checks that a history that cannot be
// read says so in History, as a sentence, instead of showing no uploads.
func TestHistoryReadFailureIsASentence(t *testing.T) {
	e := newTestEnv(t)
	seedHistory(t, e.db, 3)
	require.NoError(t, e.db.Close())
	e.ui(func() { e.a.history.reload() })
	e.eventually(func() bool {
		return e.a.history.empty.Visible() && strings.HasPrefix(e.a.history.empty.Text, "The history could not be read: ")
	}, "the failure shown")
	e.ui(func() {
		assert.True(t, strings.HasSuffix(e.a.history.empty.Text, "."), "a sentence: %q", e.a.history.empty.Text)
		assert.False(t, e.a.history.list.Visible())
	})
}

// TestPastedLinkFindsItsUpload: a person copies a link with the window's
// own Copy link (or Copy as…, in any style), shares it, and later pastes
// that link into History's search ("Search by name, CID, folder or
// comment") to find the file: the link holds the CID, and the search
// finds the upload by it (it looked for the whole link and said "Nothing
// matches “http://…/ipfs/Qm…?filename=one.txt”.").
func TestPastedLinkFindsItsUpload(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	src := testutil.WriteFile(t, filepath.Join(t.TempDir(), "one [draft] & co.txt"), 1000)
	other := testutil.WriteFile(t, filepath.Join(t.TempDir(), "other.txt"), 2000)
	e.ui(func() { a.addPaths([]string{src, other}) })
	e.eventually(func() bool { return a.upload.sum.Done == 2 }, "uploaded")
	e.reloadHistory(2)
	var id int64
	e.ui(func() {
		a.tabs.Select(a.historyTab)
		for _, en := range a.history.entries {
			if en.Name == filepath.Base(src) {
				id = en.ID
			}
		}
	})
	require.NotZero(t, id)
	search := func(copy func()) {
		e.ui(func() { a.history.search.SetText(""); a.history.reload() })
		e.eventually(func() bool { return !a.history.loading && len(a.history.entries) == 2 }, "all listed")
		e.ui(func() {
			copy()
			a.win.Canvas().Focus(a.history.search)
			a.history.search.TypedShortcut(&fyne.ShortcutPaste{Clipboard: a.fyne.Clipboard()})
			a.history.reload()
		})
		e.eventually(func() bool { return !a.history.loading }, "searched")
	}
	search(a.onCopyLastLink)
	e.ui(func() {
		require.Contains(t, a.fyne.Clipboard().Content(), "/ipfs/")
		require.Len(t, a.history.entries, 1, "the pasted link finds its upload; the window says %q", a.history.empty.Text)
		assert.Contains(t, a.fyne.Clipboard().Content(), a.history.entries[0].Hash, "the last upload's link")
		assert.Equal(t, "1 match", a.history.count.Text)
	})
	for _, style := range api.LinkStyles {
		search(func() { a.history.onCopyAs(id, style) })
		e.ui(func() {
			if assert.Len(t, a.history.entries, 1, "the pasted %s link %q finds its upload; the window says %q", style, a.fyne.Clipboard().Content(), a.history.empty.Text) {
				assert.Equal(t, id, a.history.entries[0].ID, style)
			}
		})
	}
}

// TestLongSearchFitsTheWindow: a long search that matches nothing (a
// pasted paragraph, a word without spaces) is named in the "Nothing
// matches" sentence cut short, and the sentence wraps within the window:
// it was one line, wider than the window, cut off on both sides.
func TestLongSearchFitsTheWindow(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	e.signInSandbox()
	e.reloadHistory(5)
	tests := []struct{ name, search, shown string }{
		{"a short search is shown whole", "no-such-thing", "“no-such-thing”"},
		{"a sentence", strings.Repeat("holiday photos from the beach ", 12), "“holiday photos from the beach holiday p…”"},
		{"one long word", strings.Repeat("x", 400), "“" + strings.Repeat("x", 39) + "…”"},
	}
	for i, tt := range tests {
		e.ui(func() {
			a.tabs.Select(a.historyTab)
			a.history.search.SetText(tt.search)
			a.history.reload()
		})
		e.eventually(func() bool { return !a.history.loading }, "searched")
		e.ui(func() {
			a.win.Resize(fyne.NewSize(640+float32(i%2), 480)) // laid out anew at each size
			require.True(t, a.history.empty.Visible(), tt.name)
			assert.Contains(t, a.history.empty.Text, tt.shown, tt.name)
			width := a.win.Canvas().Size().Width
			d := fyne.CurrentApp().Driver()
			lines := 0
			walkObjects(a.history.empty, func(o fyne.CanvasObject) {
				txt, ok := o.(*canvas.Text)
				if !ok || txt.Text == "" {
					return
				}
				lines++
				p := d.AbsolutePositionForObject(txt)
				assert.True(t, p.X >= 0 && p.X+txt.MinSize().Width <= width,
					"%s: %q is drawn from x=%.0f to %.0f, in a window %.0f wide", tt.name, txt.Text, p.X, p.X+txt.MinSize().Width, width)
			})
			assert.NotZero(t, lines, tt.name)
		})
	}
}

// TestHistoryRowsStayUnderThePointer: a person points at a row's Copy
// link (or at the row, on the way to it) while an upload finishes. The
// new entry went in at the top at once, every row moved down one, and the
// click copied the link of the row above the one aimed at. New uploads now
// wait while the pointer is over the list's rows, and come in as soon as
// it leaves them, or the window loses the focus (the pointer went to
// another program).
func TestHistoryRowsStayUnderThePointer(t *testing.T) {
	for _, place := range []string{"Copy link", "the row's name", "focus lost"} {
		t.Run(place, func(t *testing.T) {
			// Read before the upload below finishes: it must reach the
			// list only through the window's refresh.
			e := historyOnScreen(t)
			a := e.a
			var aimed storage.HistoryEntry
			var at, copyAt fyne.Position
			e.ui(func() {
				aimed = a.history.entries[1]
				r := shownHistoryRow(a, aimed.ID)
				require.NotNil(t, r, "the row of %s is in view", aimed.Name)
				d := fyne.CurrentApp().Driver()
				copyAt = d.AbsolutePositionForObject(r.copyLink).AddXY(r.copyLink.Size().Width/2, r.copyLink.Size().Height/2)
				at = copyAt
				if place != "Copy link" {
					at = d.AbsolutePositionForObject(r.name).AddXY(10, r.name.Size().Height/2)
				}
				test.MoveMouse(a.win.Canvas(), at)
			})
			_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "new", Env: api.SandboxKey, Account: "demo", Name: "just-finished.txt",
				Size: 10, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true,
				StartedAt: fixedNow, FinishedAt: fixedNow.Add(time.Minute)})
			require.NoError(t, err)
			e.ui(func() { a.history.markDirty() }) // as a finished upload does
			e.eventually(func() bool { return len(a.history.entries) == 6 || a.history.held }, "the finished upload is seen")
			e.ui(func() {
				test.MoveMouse(a.win.Canvas(), copyAt)
				test.TapCanvas(a.win.Canvas(), copyAt)
				assert.Contains(t, a.fyne.Clipboard().Content(), "filename="+aimed.Name, "the click copies the link of the row aimed at")
				if place == "focus lost" {
					a.fyne.Lifecycle().(interface{ OnExitedForeground() func() }).OnExitedForeground()()
				} else {
					test.MoveMouse(a.win.Canvas(), outsideHistoryList(a))
				}
			})
			e.eventually(func() bool { return len(a.history.entries) == 6 }, "the new upload is listed once the pointer leaves the list")
			e.ui(func() { assert.Equal(t, "just-finished.txt", a.history.entries[0].Name) })
		})
	}
}

// outsideHistoryList is a point of the window outside the History list: its search field.
func outsideHistoryList(a *App) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(a.history.search).AddXY(10, 10)
}

// shownHistoryRow is the History row in view that shows entry id, or nil.
func shownHistoryRow(a *App, id int64) *historyRow {
	var found *historyRow
	walkObjects(a.win.Canvas().Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*historyRow); ok && r.id == id {
			found = r
		}
	})
	return found
}

// historyOnScreen is a signed-in window showing History at 1000×600, its
// five seeded entries read and no read running: where the pointer tests
// aim at a row.
func historyOnScreen(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	e.signInSandbox()
	e.reloadHistory(5)
	e.ui(func() {
		a.tabs.Select(a.historyTab) // reads the list again
		a.win.Resize(fyne.NewSize(1000, 600))
	})
	e.eventually(func() bool { return !a.history.loading }, "History read")
	return e
}

// TestHistoryHoldEndsWhenThePointerRests: the pointer rests on a row and
// then leaves the window through its edge (to a second screen, the task
// bar), or stays there while the person reads or switches tabs with the
// keyboard. Fyne tells a row nothing in those cases, so the uploads held
// back for the pointer were held for good and History stopped updating.
// A pointer that has not moved for pointerRestMax no longer holds them.
func TestHistoryHoldEndsWhenThePointerRests(t *testing.T) {
	e := historyOnScreen(t)
	a := e.a
	e.ui(func() {
		r := shownHistoryRow(a, a.history.entries[1].ID)
		require.NotNil(t, r, "the row is in view")
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(r.name).AddXY(10, r.name.Size().Height/2)
		test.MoveMouse(a.win.Canvas(), at)
		require.True(t, a.history.pointerOver, "the row knows the pointer is over it")
	})
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "new", Env: api.SandboxKey, Account: "demo", Name: "just-finished.txt",
		Size: 10, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true,
		StartedAt: fixedNow, FinishedAt: fixedNow.Add(time.Minute)})
	require.NoError(t, err)
	start := time.Now()
	e.ui(func() { a.history.markDirty() })
	// No pointer event follows: that is what leaving the window through
	// its edge looks like to the window.
	e.eventually(func() bool { return len(a.history.entries) == 6 }, "the new upload is listed although the pointer never left the row")
	assert.GreaterOrEqual(t, time.Since(start), pointerRestMax, "a pointer that moved a moment ago still holds it")
	e.ui(func() { assert.Equal(t, "just-finished.txt", a.history.entries[0].Name) })
}

// TestHistorySaysUploadsAreHeld: a person watches History for the link of
// an upload about to finish, with the pointer over the list. The upload is
// held back so no row moves under a click, and for up to four seconds
// nothing showed that it had finished. A caption at the end of the tab bar
// now says new uploads are waiting, without moving a row, gives way to a
// toast there, and goes once they are listed.
func TestHistorySaysUploadsAreHeld(t *testing.T) {
	e := historyOnScreen(t)
	a := e.a
	var before []int64
	var rowAt fyne.Position
	var aimed int64
	e.ui(func() {
		for _, en := range a.history.entries {
			before = append(before, en.ID)
		}
		aimed = a.history.entries[1].ID
		r := shownHistoryRow(a, aimed)
		require.NotNil(t, r, "the row is in view")
		rowAt = fyne.CurrentApp().Driver().AbsolutePositionForObject(r)
		a.history.onPointer(true) // as the row does when the pointer comes over it
	})
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "new", Env: api.SandboxKey, Account: "demo", Name: "just-finished.txt",
		Size: 10, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true,
		StartedAt: fixedNow, FinishedAt: fixedNow.Add(time.Minute)})
	require.NoError(t, err)
	e.ui(func() { a.history.markDirty() }) // as a finished upload does
	e.eventually(func() bool { return a.history.held }, "the finished upload is held back")
	e.ui(func() {
		sign := a.history.heldSign
		require.NotNil(t, sign, "History has a sign for held uploads")
		assert.True(t, sign.Visible(), "the sign shows while uploads are held")
		assert.Equal(t, "New uploads — shown when the pointer leaves the list", sign.Text)
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(sign)
		size := sign.Size()
		win := a.win.Canvas().Size()
		assert.True(t, size.Width > 0 && p.X >= 0 && p.X+size.Width <= win.Width && p.Y >= 0,
			"the sign is drawn in the window: at %v, %v wide, in a window %v wide", p, size.Width, win.Width)
		var now []int64
		for _, en := range a.history.entries {
			now = append(now, en.ID)
		}
		assert.Equal(t, before, now, "the rows are those listed before")
		r := shownHistoryRow(a, aimed)
		require.NotNil(t, r, "the row is still in view")
		assert.Equal(t, rowAt, fyne.CurrentApp().Driver().AbsolutePositionForObject(r), "the row did not move")
		savePNG(t, "history_held", a.win.Canvas())
		a.showToast("Link copied to the clipboard")
		assert.False(t, sign.Visible(), "a toast has the tab bar's end to itself")
		a.hideToast()
		assert.True(t, sign.Visible(), "the sign is back when the toast goes")
		a.history.onPointer(false)
	})
	e.eventually(func() bool { return len(a.history.entries) == 6 }, "the new upload is listed once the pointer leaves the list")
	e.ui(func() {
		assert.Equal(t, "just-finished.txt", a.history.entries[0].Name)
		assert.False(t, a.history.heldSign.Visible(), "the sign goes once the list is read again")
	})
}
