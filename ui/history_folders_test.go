package ui

import (
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// shownFolderRows are the folder rows the list shows in the window now.
func shownFolderRows(o fyne.CanvasObject) []*folderRow {
	var out []*folderRow
	walkObjects(o, func(o fyne.CanvasObject) {
		if r, ok := o.(*folderRow); ok && r.Size().Width > 0 {
			out = append(out, r)
		}
	})
	return out
}

// TestHistoryFolderShare: a folder added in one go is one row in History
// (a file added beside it is its own); the row opens to show each file,
// Copy all links copies every file's link, one per line, in the default
// format, and Index page uploads a page listing them whose link — then
// the row's Copy share link — opens a page where each link serves its
// file from the sandbox.
func TestHistoryFolderShare(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := filepath.Join(t.TempDir(), "raw photos")
	for _, name := range []string{"IMG_001.jpg", "IMG_002.jpg", "sub/IMG_003.jpg"} {
		testutil.WriteFile(t, filepath.Join(dir, name), 300)
	}
	e.uploadOne("alone.txt")
	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool { return a.upload.sum.Done == 4 && !a.upload.busy() }, "the folder uploaded")

	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == 4 }, "all in History")
	var folder *folderRow
	e.ui(func() {
		require.Len(t, a.history.items, 2, "the folder's row and the file added alone")
		rows := shownFolderRows(a.win.Content())
		require.Len(t, rows, 1)
		folder = rows[0]
		assert.Equal(t, "raw photos", folder.name.Text)
		assert.True(t, strings.HasPrefix(folder.detail.Text, "3 files · "), folder.detail.Text)
		assert.Len(t, shownRows(a.win.Content()), 1, "closed: only the file added alone")
		assert.True(t, folder.indexPage.Visible())
		assert.False(t, folder.copyShare.Visible(), "no share link before the page is uploaded")

		test.Tap(folder.toggle)
		assert.Len(t, a.history.items, 5, "open: the folder's three files under it")
		assert.Len(t, shownRows(a.win.Content()), 4)
		for _, item := range a.history.items[1:4] {
			require.GreaterOrEqual(t, item.entry, 0)
			assert.True(t, strings.HasPrefix(a.history.entries[item.entry].LocalPath, dir))
		}
		test.Tap(folder)
		assert.Len(t, a.history.items, 2, "a tap on the row closes it")
		test.Tap(folder.copyAll)
	})
	var files []storage.HistoryEntry
	e.eventually(func() bool { return strings.Count(a.fyne.Clipboard().Content(), "\n") == 2 }, "three links copied")
	e.ui(func() {
		var err error
		k, _ := a.history.entries[a.history.items[0].folder.members[0]].Folder()
		files, err = e.db.HistoryOfFolder(k)
		require.NoError(t, err)
		links := a.links()
		var want []string
		for _, f := range files {
			want = append(want, links.Link(f.Env, f.Hash, f.Name))
		}
		assert.Equal(t, strings.Join(want, "\n"), a.fyne.Clipboard().Content())
		assert.Contains(t, want[0], "?filename=", "the default format names downloads")

		test.Tap(folder.copyAllAs) // Copy all as… Markdown
		menu := findPopUpMenu(a.win.Canvas().Overlays().Top())
		require.NotNil(t, menu, "Copy all as… opens a menu")
		require.Len(t, menu.Items, len(api.LinkStyles))
		menu.Items[slices.Index(api.LinkStyles, api.LinkMarkdown)].(fyne.Tappable).Tapped(&fyne.PointEvent{})
	})
	e.eventually(func() bool { return strings.HasPrefix(a.fyne.Clipboard().Content(), "[") }, "Markdown links copied")
	e.ui(func() {
		var want []string
		for _, f := range files {
			want = append(want, a.links().As(api.LinkMarkdown, f.Env, f.Hash, f.Name))
		}
		assert.Equal(t, strings.Join(want, "\n"), a.fyne.Clipboard().Content())
		test.Tap(folder.indexPage)
	})

	e.eventually(func() bool { return a.upload.sum.Done == 5 && !a.upload.busy() }, "the index page uploaded")
	e.ui(func() { a.tabs.Select(a.historyTab); a.history.reload() })
	e.eventually(func() bool { return len(a.history.entries) == 5 }, "the index page in History")
	var share string
	e.ui(func() {
		rows := shownFolderRows(a.win.Content())
		require.Len(t, rows, 1)
		require.True(t, rows[0].copyShare.Visible(), "the folder has its share link")
		assert.False(t, rows[0].indexPage.Visible())
		test.Tap(rows[0].copyShare)
		share = a.fyne.Clipboard().Content()
	})
	assert.Contains(t, share, "raw-photos-index.html")
	page := httpGet(t, share)
	assert.Contains(t, page, "<title>raw photos</title>")
	hrefs := regexp.MustCompile(`<a href="([^"]+)">([^<]*)</a>`).FindAllStringSubmatch(page, -1)
	require.Len(t, hrefs, 3)
	for i, m := range hrefs {
		assert.Equal(t, files[i].Name, html.UnescapeString(m[2]))
		want, err := os.ReadFile(files[i].LocalPath)
		require.NoError(t, err)
		assert.Equal(t, string(want), httpGet(t, html.UnescapeString(m[1])), "the link of %s serves it", files[i].Name)
	}
}

// A folder share whose uploads are spread among many others — only some
// of them on the first page — says how many files it holds at once, not
// after the person has scrolled the rest in; a search counts its matches.
func TestHistoryFolderCountBeforeScrolling(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	const files, between = 30, 5 // each of the folder's uploads among 5 others
	var size int64
	for i := range files * (between + 1) {
		entry := storage.HistoryEntry{JobID: fmt.Sprintf("job-%d", i), Env: api.SandboxKey, Name: fmt.Sprintf("other-%03d.txt", i),
			Size: 1000, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow.Add(time.Duration(i) * time.Minute)}
		if i%(between+1) == 0 {
			entry.Name, entry.Size = fmt.Sprintf("IMG_%03d.jpg", i), int64(2000+i)
			entry.AddedFolder, entry.BatchID = "/home/me/raw", "b1"
			size += entry.Size
		}
		_, err := e.db.AddHistory(entry)
		require.NoError(t, err)
	}
	folderRowText := func() string {
		for _, item := range a.history.items {
			if item.entry < 0 {
				r := newFolderRow(a.history)
				r.set(item.folder)
				return r.detail.Text
			}
		}
		return ""
	}
	e.ui(func() {
		a.now = func() time.Time { return fixedNow.Add(24 * time.Hour) }
		a.tabs.Select(a.historyTab)
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == historyPageSize }, "the first page")
	e.ui(func() {
		require.Len(t, a.history.entries, historyPageSize, "only the first page: nothing scrolled in")
		loaded := 0
		for _, en := range a.history.entries {
			if _, ok := en.Folder(); ok {
				loaded++
			}
		}
		require.Less(t, loaded, files, "the folder's files are not all on the first page")
		assert.True(t, strings.HasPrefix(folderRowText(), fmt.Sprintf("30 files · %s · ", formatSize(size))), folderRowText())
	})

	// Counted on as more of it is uploaded, and again when one is deleted.
	for i := range 3 {
		_, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprintf("more-%d", i), Env: api.SandboxKey,
			Name: fmt.Sprintf("IMG_9%02d.jpg", i), Size: 1000, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
			FinishedAt: fixedNow.Add(time.Duration(1000+i) * time.Minute), AddedFolder: "/home/me/raw", BatchID: "b1"})
		require.NoError(t, err)
	}
	e.ui(func() { a.history.reload() })
	e.eventually(func() bool { return strings.HasPrefix(folderRowText(), "33 files · ") }, "33 files")
	e.ui(func() { a.history.deleteEntry(a.history.entries[0].ID) })
	e.eventually(func() bool { return strings.HasPrefix(folderRowText(), "32 files · ") }, "32 files")

	e.ui(func() { test.Type(a.history.search, "IMG_1") })
	e.eventually(func() bool { return len(a.history.entries) > 0 && len(a.history.entries) < files }, "the matches")
	e.ui(func() {
		assert.True(t, strings.HasPrefix(folderRowText(), fmt.Sprintf("%d files · ", len(a.history.entries))), folderRowText())
	})
}

// TestFolderRowTemplateWidth: in every language, the folder row the list
// measures its rows by (a new one) shows the wider of a real row's two
// sets of buttons (Index page, or the share link and its QR code), never
// both at once: with both, it set History's least width, and so the
// window's, wider than any row (843 points in Russian).
func TestFolderRowTemplateWidth(t *testing.T) {
	e := newTestEnv(t)
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	buttons := func(r *folderRow) (w float32) {
		for _, b := range []fyne.CanvasObject{r.copyAll, r.copyAllAs, r.indexPage, r.copyShare, r.qr} {
			if b.Visible() {
				w += b.MinSize().Width
			}
		}
		return w
	}
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		e.ui(func() {
			template := buttons(newFolderRow(e.a.history))
			r := newFolderRow(e.a.history)
			g := &folderGroup{key: storage.FolderKey{Folder: "/home/me/photos"}, newest: fixedNow}
			r.set(g)
			without := buttons(r)
			g.hasPage = true
			r.set(g)
			with := buttons(r)
			assert.Equal(t, fyne.Max(without, with), template, "%s: without a page %.0f, with one %.0f", l.Tag, without, with)
		})
	}
}

// TestHistoryFolderUploadedAgainListsEveryFile: a folder uploaded, one of
// its files changed, and the folder added again is one share of every
// file as it was then: its row counts all three, opens to all three (the
// changed file's new upload, the others' earlier ones, found already
// uploaded and not sent again), and Copy all links copies all three. The
// folder added once more unchanged adds nothing to History.
func TestHistoryFolderUploadedAgainListsEveryFile(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := filepath.Join(t.TempDir(), "album")
	names := []string{"a.jpg", "b.jpg", "sub/c.jpg"}
	for _, name := range names {
		testutil.WriteFile(t, filepath.Join(dir, name), 300)
	}
	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool { return a.upload.sum.Done == 3 && !a.upload.busy() }, "the folder uploaded")
	changed := filepath.Join(dir, "a.jpg")
	require.NoError(t, os.WriteFile(changed, []byte("changed since"), 0o600))
	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool { return a.upload.sum.Done == 4 && a.upload.sum.Already == 2 && !a.upload.busy() }, "the changed file sent again")

	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == 4 }, "four uploads in History")
	var newest *folderRow
	e.ui(func() {
		rows := shownFolderRows(a.win.Content())
		require.Len(t, rows, 2, "the first upload's share and the second's")
		newest = rows[0]
		assert.True(t, strings.HasPrefix(newest.detail.Text, "3 files · "), "every file of the folder: %s", newest.detail.Text)
		test.Tap(newest.toggle)
	})
	e.eventually(func() bool { return len(a.history.items) == 2+3 }, "open: three files under it")
	want := map[string]string{}
	for _, name := range names {
		want[filepath.Join(dir, name)] = testutil.CIDOf(t, filepath.Join(dir, name))
	}
	e.ui(func() {
		got := map[string]string{}
		for _, item := range a.history.items[1:4] {
			require.GreaterOrEqual(t, item.entry, 0)
			en := a.history.at(item.entry)
			got[en.LocalPath] = en.Hash
		}
		assert.Equal(t, want, got, "each file with the upload of it as it is")
		assert.Len(t, shownRows(a.win.Content()), 3)
		test.Tap(newest.copyAll)
	})
	e.eventually(func() bool { return strings.Count(a.fyne.Clipboard().Content(), "\n") == 2 }, "three links copied")
	for _, cid := range want {
		assert.Contains(t, a.fyne.Clipboard().Content(), cid)
	}

	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool { return a.upload.sum.Already == 5 && !a.upload.busy() }, "found already uploaded, all three")
	n, err := e.db.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, 4, n, "nothing added to History")
}

// TestHistoryFolderFoundFilesListedAPageAtATime: a folder share that found
// more of its files already uploaded than a page holds lists a page of
// them when opened, and the rest as the list is scrolled to them.
func TestHistoryFolderFoundFilesListedAPageAtATime(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox() // the window shows its tabs
	const folder, n = "/home/me/raw", historyPageSize + historyPageSize/2
	var jobs []storage.JobRow
	for i := range n {
		id, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprintf("job-%d", i), Env: api.SandboxKey,
			LocalPath: fmt.Sprintf("%s/IMG_%03d.jpg", folder, i), Name: fmt.Sprintf("IMG_%03d.jpg", i), Size: 1000,
			Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow.Add(time.Duration(i) * time.Minute),
			AddedFolder: folder, BatchID: "b1"})
		require.NoError(t, err)
		jobs = append(jobs, storage.JobRow{BatchID: "b2", Env: api.SandboxKey, LocalPath: fmt.Sprintf("%s/IMG_%03d.jpg", folder, i),
			Beneath: folder, State: storage.JobAlready, Found: id})
	}
	require.NoError(t, e.db.InsertJobs(jobs))
	_, err := e.db.AddHistory(storage.HistoryEntry{JobID: "changed", Env: api.SandboxKey, LocalPath: folder + "/new.jpg", Name: "new.jpg",
		Size: 1000, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow.Add(24 * time.Hour),
		AddedFolder: folder, BatchID: "b2"})
	require.NoError(t, err)

	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.items) == 2 }, "both shares' rows")
	e.ui(func() {
		g := a.history.items[0].folder
		require.NotNil(t, g)
		assert.Equal(t, "b2", g.key.BatchID, "the newest share first")
		assert.Equal(t, n+1, g.shown().Files, "its own upload and every file it found")
		a.history.toggleFolder(g.key)
	})
	e.eventually(func() bool { return len(a.history.foundShown) == historyPageSize }, "a page of the files found")
	e.ui(func() {
		a.history.list.ScrollToBottom()
		a.win.Canvas().Capture() // draws the rows now in view
	})
	e.eventually(func() bool { return len(a.history.foundShown) == n }, "the rest as the list reaches them")
	e.ui(func() {
		seen := map[int64]bool{}
		for _, en := range a.history.foundShown {
			assert.False(t, seen[en.ID], "listed twice: %s", en.Name)
			seen[en.ID] = true
		}
	})
}
