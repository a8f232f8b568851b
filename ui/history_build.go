package ui

import (
	"cmp"
	"os"
	"path/filepath"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Copy all links, Copy links and Index page build a text of every file
// they take: for a folder share of 100,000 files, 12 MB of links (0.2 s)
// or a 16 MB page (0.5 s), which froze the window while the UI goroutine
// built them. They are built on a goroutine the App owns, and only the
// result is applied on the UI goroutine (the clipboard, the queue). Their
// button is disabled meanwhile, which shows the work is under way and
// keeps a second tap from building it again.

// buildKey names one build: of folder share folder's links, or its index
// page when page; the zero folder (no folder share has it) is the
// selection's.
type buildKey struct {
	folder storage.FolderKey
	page   bool
}

// textBuilders build the long texts, and read a folder share's files for
// them; a test swaps them to hold a build or to act between two reads.
type textBuilders struct {
	list   func(l api.Links, style string, files []api.SharedFile) string
	page   func(l api.Links, title string, files []api.SharedFile) ([]byte, error)
	folder func(d *storage.DB, k storage.FolderKey) ([]storage.HistoryEntry, storage.FolderLeft, error)
}

var defaultBuilders = textBuilders{list: api.Links.List, page: api.Links.IndexPage, folder: (*storage.DB).HistoryAndLeftOfFolder}

// buildOff runs work on a goroutine the App owns while key is marked as
// building, then what work returns (when not nil) on the UI goroutine. A
// tap while key builds does nothing. A window closed meanwhile waits for
// work (Close) and runs nothing after it.
func (h *historyView) buildOff(key buildKey, work func() func()) {
	if h.building[key] {
		return
	}
	if h.building == nil {
		h.building = map[buildKey]bool{}
	}
	h.building[key] = true
	h.showBuilding()
	if !h.a.goBg(func() {
		then := work()
		h.a.do(func() {
			delete(h.building, key)
			h.showBuilding()
			if then != nil {
				then()
			}
		})
	}) {
		delete(h.building, key)
		h.showBuilding()
	}
}

// showBuilding disables the buttons of what is being built: the folder
// rows' (set) and the selection bar's.
func (h *historyView) showBuilding() {
	enable(h.selBar.copyLinks, !h.building[buildKey{}])
	enable(h.selBar.indexPage, !h.building[buildKey{page: true}])
	h.list.Refresh()
}

// readEntries hands entries to a build.
func readEntries(entries []storage.HistoryEntry) func() ([]storage.HistoryEntry, error) {
	return func() ([]storage.HistoryEntry, error) { return entries, nil }
}

// entriesToBuild reads the entries of a build with read, on the build's
// goroutine. ok is false when there is nothing to build: instead is then
// what the build hands the UI goroutine, the error shown when read
// failed, nothing when there are no entries.
func (h *historyView) entriesToBuild(read func() ([]storage.HistoryEntry, error)) (entries []storage.HistoryEntry, instead func(), ok bool) {
	entries, err := read()
	if err != nil {
		return nil, func() { h.a.showError(tr("Cannot read the folder's uploads"), err) }, false
	}
	return entries, nil, len(entries) > 0
}

// copyLinks copies the links of the entries read gives, one per line, in
// style ("" for the default format chosen in Settings), built off the UI
// goroutine as key, then runs after (when not nil) on the UI goroutine.
func (h *historyView) copyLinks(key buildKey, style string, read func() ([]storage.HistoryEntry, error), after func()) {
	a := h.a
	links := a.links()
	style = cmp.Or(style, links.Style)
	build := h.builders.list
	h.buildOff(key, func() func() {
		entries, instead, ok := h.entriesToBuild(read)
		if !ok {
			return instead
		}
		text := build(links, style, sharedFiles(entries))
		return func() {
			a.fyne.Clipboard().SetContent(text)
			a.showToast(trn("{{.Count}} links copied to the clipboard", len(entries)))
			if after != nil {
				after()
			}
		}
	})
}

// uploadIndexPage makes the index page titled title of the entries read
// gives, off the UI goroutine as key, writes it into dir and adds it to
// the queue, then says done. A window closed while it was built saves
// nothing; the page is the account's signed in now: signed out meanwhile
// (and maybe in to another account), it is neither queued for whoever is
// signed in then nor kept for the next sign-in.
func (h *historyView) uploadIndexPage(key buildKey, title, dir, done string, read func() ([]storage.HistoryEntry, error)) {
	a := h.a
	s := a.sess // not nil: Index page asks to sign in first
	links := a.links()
	build := h.builders.page
	h.buildOff(key, func() func() {
		entries, instead, ok := h.entriesToBuild(read)
		if !ok {
			return instead
		}
		page, err := build(links, title, sharedFiles(entries))
		if err != nil {
			return func() { a.showError(tr("Cannot make the index page"), err) }
		}
		select {
		case <-a.stop:
			return nil // closed: no page nobody will upload
		default:
		}
		if s == nil || s.isClosed() {
			return nil // signed out: the page is no one's now
		}
		path := filepath.Join(dir, indexFileName(title))
		err = os.MkdirAll(dir, 0o700)
		if err == nil {
			err = os.WriteFile(path, page, 0o600)
		}
		return func() {
			if a.sess != s {
				return // signed out while it was saved
			}
			if err != nil {
				a.showError(tr("Cannot save the index page"), err)
				return
			}
			a.addPaths([]string{path})
			a.showToast(done)
		}
	})
}
