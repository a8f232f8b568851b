package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"image/color"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The files of a folder the person added in one go are one share in
// History: one row for the folder (how many files, their size, when),
// which opens to show each file, with Copy all links and the folder's
// index page — a page listing every file with its link, uploaded as a
// file of its own, whose link is the folder's share link. The page of a
// folder is kept at a path of its own under index-pages (folderPageDir),
// so its upload is found again in the history by that path.

// historyItem is one line of the History list: an upload, or the row of a
// folder share.
type historyItem struct {
	entry  int          // index in historyView.entries; -1 for a folder's row
	folder *folderGroup // the folder share the line is, or that its upload is in
}

// folderGroup is one folder share among the loaded entries.
type folderGroup struct {
	key     storage.FolderKey
	members []int // indexes in historyView.entries, newest first
	size    int64
	newest  time.Time
	// page is the newest upload of the folder's index page, when hasPage.
	page    storage.HistoryEntry
	hasPage bool
	// total is the whole share's, loaded or not (zero when not counted).
	total storage.FolderTotal
	// foundEnd is the line of the last of the files it found that the
	// list holds, 0 for none (historyView.moreFound).
	foundEnd int
}

// shown is what the folder's row says of it: the whole share's count,
// size and newest upload, or those of its loaded files when the share was
// not counted (a search lists only its matches) or has grown since.
func (g *folderGroup) shown() storage.FolderTotal {
	if g.total.Files >= len(g.members) {
		return g.total
	}
	return storage.FolderTotal{Files: len(g.members), Size: g.size, Newest: g.newest}
}

// folderCounts counts each folder share the list meets, whole: its files
// can be spread over pages the person has not scrolled to. A share is
// counted whole once, then on from the last entry counted as its uploads
// finish (storage.DB.FolderTotalAfter), on the goroutines that read the
// pages.
type folderCounts struct {
	mu     sync.Mutex
	totals map[storage.FolderKey]storage.FolderTotal
	gen    int // bumped by forget, so a count made before it is not kept
}

// count brings the totals of the shares page has a file of up to date and
// returns them. A share that cannot be counted is left out (its row counts
// its loaded files).
func (c *folderCounts) count(db *storage.DB, page []storage.HistoryEntry) map[storage.FolderKey]storage.FolderTotal {
	out := map[storage.FolderKey]storage.FolderTotal{}
	for _, e := range page {
		k, ok := e.Folder()
		if _, counted := out[k]; !ok || counted {
			continue
		}
		c.mu.Lock()
		t, gen := c.totals[k], c.gen
		c.mu.Unlock()
		more, err := db.FolderTotalAfter(k, t.LastID)
		if err != nil {
			continue
		}
		t = t.Plus(more)
		out[k] = t
		c.mu.Lock()
		if c.totals == nil {
			c.totals = map[storage.FolderKey]storage.FolderTotal{}
		}
		if gen == c.gen && t.LastID >= c.totals[k].LastID {
			c.totals[k] = t
		}
		c.mu.Unlock()
	}
	return out
}

// forget drops every count: entries were deleted, which counting on would
// still count.
func (c *folderCounts) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.totals = nil
	c.gen++
}

// rebuildItems lays the loaded entries out as the list's lines: each
// folder share as one row where its newest file is (followed by its files
// when open), every other upload as itself.
func (h *historyView) rebuildItems() {
	groups := map[storage.FolderKey]*folderGroup{}
	pages := h.folderPages()
	for i, e := range h.entries {
		k, ok := e.Folder()
		if !ok {
			continue
		}
		g := groups[k]
		if g == nil {
			g = &folderGroup{key: k, newest: e.FinishedAt, total: h.folderTotals[k]}
			g.page, g.hasPage = pages[folderPageDirName(k)]
			groups[k] = g
		}
		g.members = append(g.members, i)
		g.size += e.Size
	}
	h.items = h.items[:0]
	h.foundShown = h.foundShown[:0]
	for i, e := range h.entries {
		k, ok := e.Folder()
		if !ok {
			h.items = append(h.items, historyItem{entry: i})
			continue
		}
		g := groups[k]
		if g.members[0] != i {
			continue // listed under its folder
		}
		h.items = append(h.items, historyItem{entry: -1, folder: g})
		if h.expanded[k] {
			for _, m := range g.members {
				h.items = append(h.items, historyItem{entry: m, folder: g})
			}
			if h.shownSearch == "" { // a search lists its matches only
				for _, f := range h.found[k] {
					h.items = append(h.items, historyItem{entry: len(h.entries) + len(h.foundShown), folder: g})
					h.foundShown = append(h.foundShown, f)
					g.foundEnd = len(h.items) - 1
				}
			}
		}
	}
}

// at is the entry of item.entry i: a loaded one, or past them a file an
// open folder share found already uploaded (foundShown).
func (h *historyView) at(i int) storage.HistoryEntry {
	if i < len(h.entries) {
		return h.entries[i]
	}
	return h.foundShown[i-len(h.entries)]
}

// listed are the entries the list holds: those loaded, and the files
// open folder shares found already uploaded that are not among them.
func (h *historyView) listed() []storage.HistoryEntry {
	if len(h.foundShown) == 0 {
		return h.entries
	}
	out := slices.Clone(h.entries)
	seen := make(map[int64]bool, len(out))
	for _, e := range out {
		seen[e.ID] = true
	}
	for _, e := range h.foundShown {
		if !seen[e.ID] {
			seen[e.ID] = true
			out = append(out, e)
		}
	}
	return out
}

// loadFound reads, in the background, the first page of the files each
// open folder share found already uploaded (sent by an earlier upload of
// the folder: they are its files too), to list them under it; moreFound
// reads on as the list nears the end of them. A share counted with none
// has none; while a search is typed none are listed.
func (h *historyView) loadFound() {
	for k, open := range h.expanded {
		if !open {
			continue
		}
		delete(h.foundMore, k)
		if h.folderTotals[k].Found == 0 || h.shownSearch != "" {
			delete(h.found, k)
			continue
		}
		h.readFound(k, 0)
	}
}

// moreFound reads the next page of the files open folder share k found,
// if it has more and none is being read.
func (h *historyView) moreFound(k storage.FolderKey) {
	if !h.foundMore[k] || len(h.found[k]) == 0 {
		return
	}
	h.readFound(k, h.found[k][len(h.found[k])-1].ID)
}

// readFound reads the page of the files folder share k found before entry
// beforeID (0: the first page) and lists it.
func (h *historyView) readFound(k storage.FolderKey, beforeID int64) {
	if h.foundReading[k] {
		return
	}
	if h.foundReading == nil {
		h.found = map[storage.FolderKey][]storage.HistoryEntry{}
		h.foundMore = map[storage.FolderKey]bool{}
		h.foundReading = map[storage.FolderKey]bool{}
	}
	h.foundReading[k] = true
	a, gen := h.a, h.gen
	a.goBg(func() {
		page, err := a.db.FoundInFolderPage(k, beforeID, historyPageSize)
		a.do(func() {
			delete(h.foundReading, k)
			if err != nil {
				a.showError(tr("Cannot read the folder's uploads"), err)
				return
			}
			if gen != h.gen { // the list was read again meanwhile
				if beforeID == 0 && h.expanded[k] && h.shownSearch == "" && h.folderTotals[k].Found > 0 {
					h.readFound(k, 0) // this read may be older than that one
				}
				return
			}
			if beforeID == 0 {
				h.found[k] = page
			} else {
				h.found[k] = append(h.found[k], page...)
			}
			h.foundMore[k] = len(page) == historyPageSize
			h.rebuildItems()
			h.list.Refresh()
		})
	})
}

// folderPages are the loaded uploads of folders' index pages, newest of
// each, by the name of the folder page's directory.
func (h *historyView) folderPages() map[string]storage.HistoryEntry {
	out := map[string]storage.HistoryEntry{}
	root := h.a.indexPagesDir()
	for _, e := range h.entries {
		dir := filepath.Dir(e.LocalPath)
		if filepath.Dir(dir) != root || !strings.HasPrefix(filepath.Base(dir), folderPagePrefix) {
			continue
		}
		if _, seen := out[filepath.Base(dir)]; !seen {
			out[filepath.Base(dir)] = e
		}
	}
	return out
}

// folderPagePrefix starts the name of a folder page's directory.
const folderPagePrefix = "folder-"

// folderPageDirName names the directory under index-pages that holds the
// index page of folder share k: the same for every page made of it.
func folderPageDirName(k storage.FolderKey) string {
	sum := sha256.Sum256([]byte(k.Folder + "\x00" + k.BatchID))
	return folderPagePrefix + hex.EncodeToString(sum[:8])
}

// toggleFolder opens or closes a folder share's row.
func (h *historyView) toggleFolder(k storage.FolderKey) {
	if h.expanded == nil {
		h.expanded = map[storage.FolderKey]bool{}
	}
	h.expanded[k] = !h.expanded[k]
	h.rebuildItems()
	h.list.Refresh()
	if h.expanded[k] {
		h.loadFound()
	}
}

// folderEntries reads every upload of folder share k (not only the loaded
// ones), for a build off the UI goroutine, and what the share lacks of its
// folder yet into left (storage.DB.FolderLeftOf, the rule history
// --folder says it by too), both at one instant
// (storage.DB.HistoryAndLeftOfFolder): a file recorded, or entries
// deleted, while they are read is in both or neither, never among the
// entries and not counted, or counted and not among them.
func (h *historyView) folderEntries(k storage.FolderKey, left *storage.FolderLeft) func() ([]storage.HistoryEntry, error) {
	db, read := h.a.db, h.builders.folder
	return func() ([]storage.HistoryEntry, error) {
		entries, l, err := read(db, k)
		*left = l
		return entries, err
	}
}

// onCopyFolderLinks copies the link of every file of folder share k, one
// per line, in style ("" for the default format chosen in Settings), and
// says when that is not the whole folder yet.
func (h *historyView) onCopyFolderLinks(k storage.FolderKey, style string) {
	var left storage.FolderLeft // written by the build, read once it is applied
	h.copyLinks(buildKey{folder: k}, style, h.folderEntries(k, &left), func() {
		if left.Any() {
			h.a.showMessage(tr("Not the whole folder yet"), folderLeftText(k, left)+" "+copiedSoFarText(left))
		}
	})
}

// copiedSoFarText ends what Copy all links says of a share that is not
// its folder's whole list yet (left): copy again once the rest is in,
// when the rest comes into this share (queued, listing, failed and
// retried); when some of it never will (dropped, or the listing cut),
// only the folder added again is whole — a later share, with its own row.
func copiedSoFarText(left storage.FolderLeft) string {
	if left.Dropped > 0 || left.Cut != storage.NotCut {
		return tr("The links copied are those of the files uploaded so far: once the folder is added again, copy the links of that upload, which lists the whole folder.")
	}
	return tr("The links copied are those of the files uploaded so far: copy them again once the rest are uploaded.")
}

// onFolderIndexPage makes the index page of folder share k — every file
// of it with its link — and uploads it; its link is then the folder's
// share link. While the share is not the whole folder yet it asks first:
// the row offers no other page once one is made.
func (h *historyView) onFolderIndexPage(k storage.FolderKey) {
	if h.a.sess == nil {
		h.a.showProblem(tr("Sign in to upload the index page."))
		return
	}
	name := folderName(k)
	key := buildKey{folder: k, page: true}
	var left storage.FolderLeft
	read := h.folderEntries(k, &left)
	h.buildOff(key, func() func() {
		entries, instead, ok := h.entriesToBuild(read)
		if !ok {
			return instead
		}
		upload := func() {
			h.uploadIndexPage(key, name, filepath.Join(h.a.indexPagesDir(), folderPageDirName(k)),
				tr("Uploading the index page of “{{.Name}}”: its link is the folder's share link once it is uploaded.", map[string]any{"Name": sentenceName(quotedNameText(name))}),
				readEntries(entries))
		}
		if !left.Any() {
			return upload
		}
		return func() {
			h.a.confirm(tr("Not the whole folder yet"), folderLeftText(k, left)+" "+
				tr("A page made now lists only the files uploaded so far, and stays the folder's share link. Make it anyway?"),
				tr("Make it now"), tr("Cancel"), upload)
		}
	})
}

// folderLeftText says what folder share k lacks of its folder yet: of
// the files it dropped, the folders skipped as too deep for dStor's
// folder paths (storage.FolderLeft.TooDeep) apart, as nothing of them was
// canceled or unreadable, and the folders it could not read
// (UnreadFolders) apart too, as folders: what they held was never seen.
func folderLeftText(k storage.FolderKey, left storage.FolderLeft) string {
	name := map[string]any{"Name": quotedNameText(folderName(k))}
	var parts []string
	if left.Waiting > 0 {
		parts = append(parts, trn("{{.Count}} files of “{{.Name}}” that an earlier upload of it added are still waiting in the queue.", left.Waiting, name))
	}
	if left.Unsent > 0 {
		parts = append(parts, trn("{{.Count}} files of “{{.Name}}” left to an earlier upload of it were not sent by it: if they failed, Retry failed in the Upload tab tries them again; otherwise add the folder again.", left.Unsent, name))
	}
	switch {
	case left.Pending > 0:
		parts = append(parts, trn("{{.Count}} files of this upload of “{{.Name}}” are not uploaded yet.", left.Pending, name))
	case left.Listing:
		parts = append(parts, tr("This upload of “{{.Name}}” is still listing the folder.", name))
	}
	if left.Failed > 0 {
		parts = append(parts, trn("{{.Count}} files of this upload of “{{.Name}}” failed: Retry failed in the Upload tab tries them again.", left.Failed, name))
	}
	if n := left.Dropped - left.TooDeep - left.UnreadFolders; n > 0 {
		parts = append(parts, trn("{{.Count}} files of this upload of “{{.Name}}” were canceled, could not be read, were replaced by another file, or were removed from the queue: add the folder again to upload them.", n, name))
	}
	if left.TooDeep > 0 {
		parts = append(parts, trn("{{.Count}} folders of this upload of “{{.Name}}” were skipped with everything in them, as their paths on dStor would be longer than the {{.Max}} bytes dStor allows: give them or the folders above them shorter names, or choose a shorter destination folder path, and add the folder again.",
			left.TooDeep, map[string]any{"Name": name["Name"], "Max": api.MaxFolderPathLen}))
	}
	if left.UnreadFolders > 0 {
		parts = append(parts, trn("{{.Count}} folders of this upload of “{{.Name}}” could not be read, so what they hold was not uploaded: give yourself permission to read them (or move them to a folder with a shorter path, if their path is longer than the system allows), then add the folder again.", left.UnreadFolders, name))
	}
	if left.Cut != storage.NotCut {
		parts = append(parts, listingCutText(left.Cut, name))
	}
	return strings.Join(parts, " ")
}

// listingCutText says why the listing of the folder share named name
// ended before it listed the whole folder (storage.BatchLeft.Cut), and
// what to do.
func listingCutText(cut storage.ListingCut, name map[string]any) string {
	switch cut {
	case storage.CutFolderGone:
		return tr("“{{.Name}}” was no longer there when it was to be listed (removed, moved or renamed after it was added): add the folder again from where it is now to upload the files it did not list.", name)
	case storage.CutNotAFolder:
		return tr("“{{.Name}}” was not a folder when it was to be listed (a file was in its place): add the folder again once it is back to upload the files it did not list.", name)
	case storage.CutUnreadable:
		return tr("“{{.Name}}” could not be opened when it was to be listed: add the folder again once it can be opened to upload the files it did not list.", name)
	case storage.CutLedElsewhere:
		return tr("The path by which “{{.Name}}” was added led to another folder when it was to be listed (a symbolic link on it was pointed elsewhere after it was added; that folder is an upload of its own): add the folder again to upload the files it did not list.", name)
	case storage.CutOwnData:
		return tr("“{{.Name}}” is dStor Uploader's own data folder, which is never uploaded: to keep a copy, quit dStor Uploader and upload a copy of the folder.", name)
	}
	return tr("The listing of “{{.Name}}” was stopped before it ended: add the folder again to upload the files it did not list.", name)
}

// folderName is how a folder share is called: the added folder's name.
func folderName(k storage.FolderKey) string {
	name := filepath.Base(k.Folder)
	if name == "" || name == "." || name == string(filepath.Separator) {
		return k.Folder
	}
	return name
}

// folderRow is the row of a folder share in the History list.
type folderRow struct {
	widget.BaseWidget
	h *historyView

	toggle    *iconButton
	icon      *widget.Icon
	name      *nameLabel
	detail    *widget.Label
	copyAll   *iconButton
	copyAllAs *iconButton // Copy all as…: the list in any format
	indexPage *iconButton // makes the page, while the folder has none
	copyShare *iconButton // the page's link: the folder's share link
	qr        *iconButton
	pointed   *canvas.Rectangle // the pointer's mark

	group   *folderGroup
	content fyne.CanvasObject
}

func newFolderRow(h *historyView) *folderRow {
	r := &folderRow{h: h}
	r.toggle = newIconButton(tr("Show the folder's files"), theme.MenuExpandIcon(), func() { r.onToggle() })
	r.toggle.Importance = widget.LowImportance
	r.icon = widget.NewIcon(theme.FolderIcon())
	r.name = rowName()
	r.detail = caption("", widget.MediumImportance)
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.makeButtons()
	text := container.New(&rowTextLayout{}, r.name, r.detail)
	r.pointed = canvas.NewRectangle(color.Transparent)
	r.content = container.NewStack(r.pointed, container.NewBorder(nil, nil, container.NewHBox(container.NewCenter(r.toggle), container.NewCenter(r.icon)),
		container.NewCenter(container.NewHBox(r.copyAll, r.copyAllAs, r.indexPage, r.copyShare, r.qr)), text))
	for _, b := range []*iconButton{r.toggle, r.copyAll, r.copyAllAs, r.indexPage, r.copyShare, r.qr} {
		b.hovered = r.pointer
	}
	// A new row is the list's template, whose width is the least the
	// list (and so the window) takes: it shows the buttons of the wider
	// of a real row's two sets (set shows Index page, or the share link
	// and its QR code), not both sets at once, which no row shows.
	hasPage := r.copyShare.MinSize().Width+theme.Padding()+r.qr.MinSize().Width > r.indexPage.MinSize().Width
	show(r.indexPage, !hasPage)
	show(r.copyShare, hasPage)
	show(r.qr, hasPage)
	r.ExtendBaseWidget(r)
	return r
}

// makeButtons makes the row's buttons: Copy all links and its styles, and
// the folder share's Index page, or its link and QR code.
func (r *folderRow) makeButtons() {
	h := r.h
	r.copyAll = newLabelledButton(tr("Copy all links"), theme.ContentCopyIcon(), func() {
		if r.group != nil {
			h.onCopyFolderLinks(r.group.key, "")
		}
	})
	r.copyAll.Importance = widget.MediumImportance
	r.copyAllAs = newIconButton(tr("Copy all as…"), theme.MoreHorizontalIcon(), nil)
	r.copyAllAs.Importance = widget.LowImportance
	r.copyAllAs.OnTapped = func() {
		if g := r.group; g != nil {
			h.a.showMenuBelow(copyAsMenu(func(style string) { h.onCopyFolderLinks(g.key, style) }), r.copyAllAs)
		}
	}
	r.indexPage = newLabelledButton(tr("Index page"), theme.DocumentIcon(), func() {
		if r.group != nil {
			h.onFolderIndexPage(r.group.key)
		}
	})
	r.copyShare = newLabelledButton(tr("Copy share link"), theme.MailForwardIcon(), func() {
		if r.group != nil && r.group.hasPage {
			p := r.group.page
			h.a.copyText(h.a.links().Link(p.Env, p.Hash, p.Name), "Link")
		}
	})
	r.qr = newIconButton(tr("Show the link's QR code"), qrIcon, func() {
		if r.group != nil && r.group.hasPage {
			p := r.group.page
			h.a.showQR(folderName(r.group.key), h.a.links().GatewayLink(p.Env, p.Hash, p.Name))
		}
	})
	for _, b := range []*iconButton{r.indexPage, r.copyShare, r.qr} {
		b.Importance = widget.LowImportance
	}
}

func (r *folderRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// pointer marks the row while the pointer is over it or one of its
// buttons, and holds new uploads back meanwhile (historyView.refresh).
func (r *folderRow) pointer(in bool) {
	c := color.Color(color.Transparent)
	if in {
		settings := r.h.a.fyne.Settings()
		c = settings.Theme().Color(theme.ColorNameHover, settings.ThemeVariant())
	}
	if r.pointed.FillColor != c {
		r.pointed.FillColor = c
		r.pointed.Refresh()
	}
	r.h.onPointer(in)
}

// MouseIn: the pointer came over the row.
func (r *folderRow) MouseIn(*desktop.MouseEvent) { r.pointer(true) }

// MouseMoved: the pointer moves over the row.
func (r *folderRow) MouseMoved(*desktop.MouseEvent) { r.pointer(true) }

// MouseOut: the pointer left the row, for one of its buttons or elsewhere.
func (r *folderRow) MouseOut() { r.pointer(false) }

// Tapped opens or closes the folder, as its arrow does.
func (r *folderRow) Tapped(*fyne.PointEvent) { r.onToggle() }

// AccessibilityLabel names the row after its folder, for a screen reader.
func (r *folderRow) AccessibilityLabel() string {
	if r.group == nil {
		return ""
	}
	return nameText(folderName(r.group.key))
}

// AccessibilityRole: a tap on the row opens or closes it.
func (r *folderRow) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleButton }

func (r *folderRow) onToggle() {
	if r.group != nil {
		r.h.toggleFolder(r.group.key)
	}
}

// set shows folder share g (rows are recycled by the list).
func (r *folderRow) set(g *folderGroup) {
	r.group = g
	open := r.h.expanded[g.key]
	if open {
		r.toggle.name = tr("Hide the folder's files")
		r.toggle.SetIcon(theme.MenuDropDownIcon())
		r.icon.SetResource(theme.FolderOpenIcon())
	} else {
		r.toggle.name = tr("Show the folder's files")
		r.toggle.SetIcon(theme.MenuExpandIcon())
		r.icon.SetResource(theme.FolderIcon())
	}
	r.name.SetText(nameText(folderName(g.key)))
	shown := g.shown()
	parts := []string{trn("{{.Count}} files", shown.Files), formatSize(shown.Size),
		formatDate(shown.Newest, r.h.a.now()), displayPath(g.key.Folder)}
	r.detail.SetText(inert.Line(strings.Join(parts, " · ")))
	show(r.indexPage, !g.hasPage)
	// Disabled while being built (history_build.go).
	copying := r.h.building[buildKey{folder: g.key}]
	enable(&r.copyAll.Button, !copying)
	enable(&r.copyAllAs.Button, !copying)
	enable(&r.indexPage.Button, !r.h.building[buildKey{folder: g.key, page: true}])
	show(r.copyShare, g.hasPage)
	show(r.qr, g.hasPage)
}
