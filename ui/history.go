package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// historyPageSize is how many entries one SQLite read brings; more load as
// the person scrolls near the end.
const historyPageSize = 100

// searchShownRunes is as much of a search as a sentence quotes: a long
// one (a pasted paragraph) is cut short. It is quoted as a name is
// (quotedNameText), so a pasted bidirectional control or line break
// neither reorders nor breaks the sentence.
const searchShownRunes = 40

// searchMenuRunes is as much of a search as an Export menu item quotes:
// shorter than a sentence's (searchShownRunes), as a menu is as wide as
// its longest item.
const searchMenuRunes = 24

// searchDelay debounces the search field, so typing a word runs one query.
const searchDelay = 200 * time.Millisecond

// pointerLeftDelay is how long after the pointer left History's rows the
// uploads held back while it was over them come in: long enough for it to
// go from a row to one of its buttons, which is leaving the row.
const pointerLeftDelay = 300 * time.Millisecond

// pointerRestMax is how long a pointer that has not moved holds finished
// uploads back: Fyne says nothing when the pointer leaves the window
// through its edge, or when the tab is changed by the keyboard under it,
// so without it History could stop updating for good.
const pointerRestMax = 4 * time.Second

// historyView is the History tab: every upload, newest first, searchable,
// with copy-link buttons.
type historyView struct {
	a *App

	search *widget.Entry
	count  *widget.Label
	scope  *widget.Label // what a short search looks through
	export *widget.Button
	list   *widget.List
	empty  *widget.Label

	entries []storage.HistoryEntry
	// items are the list's lines: entries with each folder share as one
	// row, open or not (history_folders.go).
	items    []historyItem
	expanded map[storage.FolderKey]bool
	sel      historySelection // selection.go
	selBar   *selectionBar
	// deleting is the "Delete selected" under way (deleteSelected), nil
	// when none; delBar shows how far it has got, with Stop.
	deleting *deleteRun
	delBar   *deleteBar
	hasMore  bool
	loading  bool
	gen      int
	dirty    bool
	// shownSearch is the search of the list shown (or being read).
	shownSearch string

	// pointerOver is set while the pointer is over a row of the list or
	// one of its buttons; held while finished uploads wait for it to
	// leave (refresh).
	pointerOver bool
	pointerAt   time.Time // when it last came over them or moved there
	held        bool
	// heldSign says uploads are held, at the end of the tab bar
	// (heldSlot): there it moves no row as it comes and goes.
	heldSign *widget.Label

	// folderTotals count each folder share of the loaded entries whole,
	// while no search is typed; counts keeps them between pages
	// (history_folders.go).
	folderTotals map[storage.FolderKey]storage.FolderTotal
	counts       folderCounts
	// found are the files each open folder share found already uploaded
	// (storage.DB.FoundInFolderPage), listed under it after its own uploads
	// while no search is typed; foundShown are those the items list,
	// whose item.entry counts on past entries (historyView.at).
	found      map[storage.FolderKey][]storage.HistoryEntry
	foundShown []storage.HistoryEntry
	// foundMore says which have more to read; foundReading which are
	// being read.
	foundMore, foundReading map[storage.FolderKey]bool

	// builders build the texts of Copy all links, Copy links and Index
	// page; building are those being built (history_build.go).
	builders textBuilders
	building map[buildKey]bool

	// deleteIDs deletes a selection, telling its progress between two
	// batches (storage.DB.DeleteHistoryIDsShowing); a field so tests can
	// hold the delete between two batches.
	deleteIDs func(d *storage.DB, ctx context.Context, ids []int64, progress func(deleted, total int)) (int, error)

	thumbs *thumbnails // history_thumbs.go
	reveal revealer    // Show in folder (reveal.go)

	// looking are the local files a look of Check again or Show in folder
	// is under way at (startLook); lookMu guards it, held only to read or
	// change it.
	lookMu  sync.Mutex
	looking map[string]bool

	timerMu sync.Mutex
	timer   *time.Timer

	content fyne.CanvasObject
}

func newHistoryView(a *App) *historyView {
	h := &historyView{a: a, builders: defaultBuilders, deleteIDs: (*storage.DB).DeleteHistoryIDsShowing,
		thumbs: newThumbnails(a), reveal: a.systemRevealer()}
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder(tr("Search by name, CID, folder or comment"))
	h.search.ActionItem = widget.NewIcon(theme.SearchIcon())
	h.search.OnChanged = func(string) { h.scheduleReload(searchDelay) }
	h.search.OnSubmitted = func(string) { h.reload() }
	h.count = widget.NewLabel("")
	h.count.Importance = widget.MediumImportance
	h.scope = widget.NewLabel("")
	h.scope.SizeName = theme.SizeNameCaptionText
	h.scope.Importance = widget.MediumImportance
	h.scope.Truncation = fyne.TextTruncateEllipsis
	h.scope.Hide()
	h.heldSign = caption(tr("New uploads — shown when the pointer leaves the list"), widget.MediumImportance)
	h.heldSign.Alignment = fyne.TextAlignTrailing
	h.heldSign.Truncation = fyne.TextTruncateEllipsis
	h.heldSign.Hide()
	h.export = widget.NewButtonWithIcon(tr("Export…"), theme.DocumentSaveIcon(), h.onExportMenu)
	a.fyne.Lifecycle().SetOnExitedForeground(func() { h.onPointer(false) })

	h.list = widget.NewList(
		func() int { return len(h.items) },
		func() fyne.CanvasObject { return container.NewStack(newHistoryRow(h), newFolderRow(h)) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if id < 0 || id >= len(h.items) {
				return
			}
			h.setItem(h.items[id], o.(*fyne.Container))
			if id >= len(h.items)-20 {
				h.loadMore()
			}
			if g := h.items[id].folder; g != nil && g.foundEnd > 0 && id >= g.foundEnd-20 {
				h.moreFound(g.key)
			}
		},
	)
	h.selBar = newSelectionBar(h)
	h.delBar = newDeleteBar(h)
	h.empty = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	h.empty.Importance = widget.MediumImportance
	h.empty.Wrapping = fyne.TextWrapWord

	// The count has the room of its longest text, so the search field keeps
	// its width as the count changes while the person types.
	countRoom := fyne.MeasureText(trn("{{.Count}}+ matches", 888_888), theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
	h.count.Alignment = fyne.TextAlignTrailing
	top := container.NewBorder(nil, nil, nil,
		container.NewHBox(container.New(&fixedWidthLayout{width: countRoom}, h.count), h.export), h.search)
	h.content = container.NewBorder(container.NewVBox(container.NewPadded(top), h.scope, h.selBar.box, h.delBar.box, widget.NewSeparator()), nil, nil, nil,
		// The message has the list's width, and wraps in it.
		container.NewStack(container.NewVBox(layout.NewSpacer(), h.empty, layout.NewSpacer()), h.list))
	h.render()
	return h
}

// deleteBar shows, under the search where History says what it shows, a
// "Delete selected" under way: how many entries of the selection are
// deleted, told after each of storage's batches, and Stop. A hundred
// thousand entries of a million take a minute and a half and more.
type deleteBar struct {
	text *widget.Label
	bar  *widget.ProgressBar
	stop *widget.Button
	box  *fyne.Container
}

func newDeleteBar(h *historyView) *deleteBar {
	b := &deleteBar{text: widget.NewLabel(""), bar: widget.NewProgressBar()}
	b.stop = widget.NewButtonWithIcon(tr("Stop deleting"), theme.MediaStopIcon(), h.onStopDelete)
	b.box = container.NewBorder(nil, nil, b.text, b.stop, b.bar)
	b.box.Hide()
	return b
}

// deleteRun is a "Delete selected" under way.
type deleteRun struct {
	cancel  context.CancelFunc // stops it between two batches
	stopped bool               // Stop was pressed
	// ids are the entries it deletes: a row's own Delete of one it has
	// already removed (the list is read again only once it ends) is not
	// an error (deleteEntry).
	ids []int64
}

// showDeleting says that deleted of total entries are deleted so far.
func (h *historyView) showDeleting(deleted, total int) {
	b := h.delBar
	b.text.SetText(trn("Deleting {{.Done}} of {{.Count}} entries…", total, map[string]any{"Done": formatCount(deleted)}))
	b.bar.Max = float64(max(total, 1))
	b.bar.SetValue(float64(deleted))
	b.box.Show()
}

// onStopDelete stops the "Delete selected" under way once the batch in
// flight is committed (at most a second or two): what is deleted stays
// deleted, the rest stays in the list, and deleteSelected then says so.
func (h *historyView) onStopDelete() {
	run := h.deleting
	if run == nil || run.stopped {
		return
	}
	run.stopped = true
	run.cancel()
	h.delBar.stop.Disable()
}

// refusedWhileDeleting says, when a "Delete selected" is under way, that
// a second one or an export must wait, and reports whether it did. They
// are refused rather than queued: the second selection may hold entries
// the first is deleting, and an export would write the history half
// deleted; the person decides once the first ends or is stopped.
func (h *historyView) refusedWhileDeleting() bool {
	if h.deleting == nil {
		return false
	}
	h.a.showNote(tr("Entries are still being deleted from the history: try again once that ends, or stop it first."))
	return true
}

// scheduleReload reloads after d, restarting the wait at each call.
func (h *historyView) scheduleReload(d time.Duration) {
	h.timerMu.Lock()
	defer h.timerMu.Unlock()
	if h.timer != nil {
		h.timer.Stop()
	}
	a := h.a
	h.timer = time.AfterFunc(d, func() {
		a.goBg(func() { a.do(h.refresh) })
	})
}

// refresh reloads the list for its search or, when only new uploads
// would change it and the pointer is over its rows, holds them back until
// the pointer leaves: a new entry at the top would move every row down
// under a click about to land. A pointer that has not moved for
// pointerRestMax holds them no longer.
func (h *historyView) refresh() {
	if h.pointerOver && h.searchText() == h.shownSearch {
		if rest := pointerRestMax - time.Since(h.pointerAt); rest > 0 {
			h.setHeld(true)
			h.scheduleReload(rest) // a pointer at rest holds them no longer
			return
		}
	}
	h.reload()
}

// onPointer notes the pointer coming over a row of the list or one of its
// buttons (in), or leaving it, or the window losing the focus (Fyne then
// forgets where the pointer is); uploads held meanwhile come in once it
// has left.
func (h *historyView) onPointer(in bool) {
	h.pointerOver = in
	if in {
		h.pointerAt = time.Now()
	}
	if !in && h.held {
		h.scheduleReload(pointerLeftDelay)
	}
}

// setHeld notes whether finished uploads are held back, and says so.
func (h *historyView) setHeld(on bool) {
	h.held = on
	h.showHeld()
}

// showHeld shows heldSign while uploads are held and History is the tab
// shown, unless a toast ("Link copied") has the tab bar's end for itself.
func (h *historyView) showHeld() {
	a := h.a
	on := h.held && a.tabs != nil && a.tabs.Selected() == a.historyTab &&
		(a.toastBox == nil || !a.toastBox.Visible())
	if show(h.heldSign, on) && a.heldLayer != nil {
		a.heldLayer.Refresh() // placed for its text
	}
}

// heldSlot is the layer heldSign is shown in: the empty end of tabs' bar,
// like the toast's, so nothing moves when it comes and goes.
func (h *historyView) heldSlot(tabs *container.AppTabs) *fyne.Container {
	return container.New(&tabBarEndLayout{tabs: tabs, want: func() float32 {
		return fyne.MeasureText(h.heldSign.Text, theme.CaptionTextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding() + 2*theme.Padding()
	}}, h.heldSign)
}

// stopTimer ends a pending debounced reload (Close).
func (h *historyView) stopTimer() {
	h.timerMu.Lock()
	defer h.timerMu.Unlock()
	if h.timer != nil {
		h.timer.Stop()
	}
}

// reload reads the first page for the current search on a goroutine.
func (h *historyView) reload() {
	h.gen++
	h.dirty = false
	h.setHeld(false)
	search := h.searchText()
	newSearch := search != h.shownSearch
	h.shownSearch = search
	var total int
	var more bool
	h.readPage(search, func(db *storage.DB) (page []storage.HistoryEntry, err error) {
		page, total, more, err = db.TypedSearch(search, historyPageSize)
		return page, err
	}, func(page []storage.HistoryEntry, totals map[storage.FolderKey]storage.FolderTotal, err error) {
		if err != nil {
			h.entries = nil
			h.hasMore = false
			h.empty.SetText(tr("The history could not be read:") + " " + humanError(err))
			h.render()
			return
		}
		h.entries = page
		h.folderTotals = totals
		h.hasMore = len(page) == historyPageSize
		h.setCount(total, more, search)
		h.render()
		h.loadFound()
		if newSearch {
			h.list.ScrollToTop() // the same search read again keeps its place
		}
	})
}

// searchText is what the search field asks for: its text, trimmed. A
// CID in any form or a link pasted into it (any link the window copies
// holds its upload's CID) finds the uploads of that content: storage's
// search decides, for the window and history --search alike.
func (h *historyView) searchText() string {
	return strings.TrimSpace(h.search.Text)
}

// loadMore appends the next page (keyset paging, so page 1,000 costs what
// page 1 does).
func (h *historyView) loadMore() {
	if h.loading || !h.hasMore || len(h.entries) == 0 {
		return
	}
	last := h.entries[len(h.entries)-1]
	search := h.searchText()
	h.readPage(search, func(db *storage.DB) ([]storage.HistoryEntry, error) {
		return db.HistoryPage(storage.HistoryQuery{Search: search, Limit: historyPageSize,
			BeforeID: last.ID, BeforeFinishedAt: last.FinishedAt, MaxScan: storage.TypingMaxScan})
	}, func(page []storage.HistoryEntry, totals map[storage.FolderKey]storage.FolderTotal, err error) {
		if err != nil {
			h.hasMore = false
			return
		}
		h.entries = append(h.entries, page...)
		if h.folderTotals != nil {
			maps.Copy(h.folderTotals, totals)
		}
		h.hasMore = len(page) == historyPageSize
		h.rebuildItems()
		h.list.Refresh()
	})
}

// readPage reads a page of the history with read on a goroutine, counts
// its folder shares when the history is not searched, and hands both to
// show on the UI goroutine, unless a newer reload has started meanwhile.
func (h *historyView) readPage(search string, read func(*storage.DB) ([]storage.HistoryEntry, error),
	show func([]storage.HistoryEntry, map[storage.FolderKey]storage.FolderTotal, error)) {
	h.loading = true
	gen := h.gen
	a := h.a
	a.goBg(func() {
		page, err := read(a.db)
		var totals map[storage.FolderKey]storage.FolderTotal
		if search == "" {
			totals = h.counts.count(a.db, page)
		}
		a.do(func() {
			if gen != h.gen {
				return
			}
			h.loading = false
			show(page, totals, err)
		})
	})
}

// markDirty notes that an upload finished: reload now when visible, else
// when the tab is opened.
func (h *historyView) markDirty() {
	if h.a.tabs != nil && h.a.tabs.Selected() == h.a.historyTab {
		h.scheduleReload(300 * time.Millisecond)
		return
	}
	h.dirty = true
}

// setCount shows how many entries there are or match (more: at least
// that many) and what to do when none does. A one- or two-character search
// only looks at the newest storage.TypingMaxScan entries, and says so.
func (h *historyView) setCount(total int, more bool, search string) {
	n := trn("{{.Count}} matches", total)
	if more {
		n = trn("{{.Count}}+ matches", total)
	}
	switch {
	case search == "":
		h.count.SetText(trn("{{.Count}} uploads", total))
	default:
		h.count.SetText(n)
	}
	// The scope of a one- or two-letter search goes on its own line: in
	// the count's place it would make the search field jump.
	if storage.ShortSearch(search) {
		h.scope.SetText(tr("Searching the newest {{.Scan}} uploads: type a third character to search them all.", map[string]any{"Scan": formatCount(storage.TypingMaxScan)}))
		h.scope.Show()
	} else {
		h.scope.Hide()
	}
	if total == 0 {
		shown := shortText(quotedNameText(search), searchShownRunes)
		switch {
		case search == "":
			h.empty.SetText(tr("No uploads yet. Files you upload are listed here with their links."))
		case storage.ShortSearch(search):
			h.empty.SetText(tr("Nothing among the newest {{.Scan}} uploads matches “{{.Search}}”. Type a third character to search them all.", map[string]any{"Scan": formatCount(storage.TypingMaxScan), "Search": shown}))
		default:
			h.empty.SetText(tr("Nothing matches “{{.Search}}”.", map[string]any{"Search": shown}))
		}
	}
}

// setItem shows item in line, a list line made by the list's create
// function: the upload's row or the folder's.
func (h *historyView) setItem(item historyItem, line *fyne.Container) {
	row, folder := line.Objects[0].(*historyRow), line.Objects[1].(*folderRow)
	if item.entry < 0 {
		row.Hide()
		folder.set(item.folder)
		folder.Show()
		return
	}
	folder.Hide()
	row.set(h.at(item.entry))
	row.setInFolder(item.folder != nil)
	row.Show()
}

func (h *historyView) render() {
	h.rebuildItems()
	if len(h.entries) == 0 {
		h.empty.Show()
		h.list.Hide()
	} else {
		h.empty.Hide()
		h.list.Show()
	}
	enable(h.export, len(h.entries) > 0)
	h.showSelection()
}

func (h *historyView) entry(id int64) (storage.HistoryEntry, bool) {
	for _, list := range [][]storage.HistoryEntry{h.entries, h.foundShown} {
		for _, e := range list {
			if e.ID == id {
				return e, true
			}
		}
	}
	return storage.HistoryEntry{}, false
}

func (h *historyView) onCopyLink(id int64) {
	if e, ok := h.entry(id); ok {
		h.a.copyText(h.a.links().Link(e.Env, e.Hash, e.Name), "Link")
	}
}

// onCopyAs copies the entry's link in style (Copy as…), whatever the
// default style chosen in Settings.
func (h *historyView) onCopyAs(id int64, style string) {
	if e, ok := h.entry(id); ok {
		h.a.copyText(h.a.links().As(style, e.Env, e.Hash, e.Name), copiedWhat(style))
	}
}

// copiedWhat names what a copy in style put on the clipboard, for the toast.
func copiedWhat(style string) string {
	switch style {
	case api.LinkCID:
		return "CID"
	case api.LinkMarkdown:
		return "Markdown link"
	case api.LinkHTML:
		return "HTML link"
	}
	return "Link"
}

// copyAsMenu is the Copy as… menu: one item per link style, each calling
// copy with its style.
func copyAsMenu(copy func(style string)) *fyne.Menu {
	items := make([]*fyne.MenuItem, 0, len(api.LinkStyles))
	for _, style := range api.LinkStyles {
		items = append(items, fyne.NewMenuItem(linkStyleLabels()[style], func() { copy(style) }))
	}
	return fyne.NewMenu("", items...)
}

// showMenuBelow pops menu up under the button that opened it.
func (a *App) showMenuBelow(menu *fyne.Menu, b fyne.CanvasObject) {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b).AddXY(0, b.Size().Height)
	widget.ShowPopUpMenuAtPosition(menu, a.win.Canvas(), pos)
}

func (h *historyView) onOpen(id int64) {
	if e, ok := h.entry(id); ok {
		h.a.openURL(h.a.links().GatewayLink(e.Env, e.Hash, e.Name))
	}
}

// startLook marks a look at e's local file under way (Check again, Show in
// folder) and returns the function that ends the mark, to be called once
// the look's system call has returned. At most one runs at a time per
// file: on a drive that stopped answering each blocks for good (offLocal
// leaves it behind), and clicks again and again would pile them up until
// the quit. While one is under way, it says the window is still looking
// and returns ok false. On the UI goroutine.
func (h *historyView) startLook(e storage.HistoryEntry) (end func(), ok bool) {
	if e.LocalPath == "" {
		return func() {}, true // nothing of this machine's is read
	}
	h.lookMu.Lock()
	busy := h.looking[e.LocalPath]
	if !busy {
		if h.looking == nil {
			h.looking = map[string]bool{}
		}
		h.looking[e.LocalPath] = true
	}
	h.lookMu.Unlock()
	if busy {
		h.stillLooking(e.Name)
		return nil, false
	}
	return func() {
		h.lookMu.Lock()
		defer h.lookMu.Unlock()
		delete(h.looking, e.LocalPath)
	}, true
}

// stillLooking says that a look at the file name is under way, waiting
// for its drive. The name comes last: a toast too narrow for the whole
// sentence cuts the name of the row just clicked, not why nothing happens.
func (h *historyView) stillLooking(name string) {
	h.a.showProblem(tr("Still waiting for the drive or network share that holds “{{.Name}}”.", map[string]any{"Name": sentenceName(quotedNameText(name))}))
}

// statShown is os.Stat, which Show in folder asks of the entry's file;
// tests make it wait, as a stat of a file on a drive that stopped
// answering does.
var statShown = os.Stat

// onShowInFolder shows the entry's file selected in the file manager
// (reveal.go), or says the file is no longer there.
func (h *historyView) onShowInFolder(id int64) {
	e, ok := h.entry(id)
	if !ok || e.LocalPath == "" {
		return
	}
	end, ok := h.startLook(e)
	if !ok {
		return
	}
	a := h.a
	reveal := h.reveal
	started := a.goBg(func() {
		// Off this goroutine (offLocal): a stat on a drive that stopped
		// answering would hold Close.
		err, ok := offLocal(context.Background(), a.lifecycle, func() error {
			defer end()
			_, err := statShown(e.LocalPath)
			return err
		})
		if !ok {
			return // closing
		}
		if err != nil {
			a.do(func() {
				a.showProblem(tr("“{{.Name}}” is no longer in {{.Folder}}.", map[string]any{"Name": sentenceName(quotedNameText(e.Name)), "Folder": inert.Text(displayPath(filepath.Dir(e.LocalPath)))}))
			})
			return
		}
		ctx, cancel := a.untilClose() // Close stops waiting for the file manager
		defer cancel()
		if err := reveal.show(ctx, e.LocalPath); err != nil {
			a.do(func() { a.showError(tr("Cannot open the folder"), err) })
		}
	})
	if !started {
		end() // closing
	}
}

// onQR shows the QR code of the entry's gateway link, for a phone.
func (h *historyView) onQR(id int64) {
	if e, ok := h.entry(id); ok {
		h.a.showQR(e.Name, h.a.links().GatewayLink(e.Env, e.Hash, e.Name))
	}
}

// onDelete asks, then removes the entry from the history (not from dStor).
func (h *historyView) onDelete(id int64) {
	e, ok := h.entry(id)
	if !ok {
		return
	}
	h.a.confirm(tr("Delete this entry?"),
		tr("“{{.Name}}” is removed from this list. The file stays on dStor and its link keeps working.", map[string]any{"Name": quotedNameText(e.Name)}),
		tr("Delete"), tr("Cancel"),
		func() { h.deleteEntry(id) })
}

// deleteEntry removes the entry without asking (after the confirmation).
// An entry that the "Delete selected" under way has already removed is
// gone as asked: no dialog blames another window or a command for it.
func (h *historyView) deleteEntry(id int64) {
	a := h.a
	run := h.deleting
	a.goBg(func() {
		err := a.db.DeleteHistory(id)
		if errors.Is(err, storage.ErrNotFound) && run != nil && slices.Contains(run.ids, id) {
			err = nil
		}
		h.counts.forget()
		a.do(func() {
			if err != nil {
				a.showError(tr("Cannot delete the entry"), err)
			}
			h.reload()
		})
	})
}

// copyNewest copies the newest entry's link (Ctrl+Shift+C before anything
// was uploaded in this session).
func (h *historyView) copyNewest() {
	if len(h.entries) > 0 {
		h.a.copyText(h.a.links().Link(h.entries[0].Env, h.entries[0].Hash, h.entries[0].Name), "Link")
	}
}

// onExportMenu offers the whole history in either format and, while a
// search is typed, also just its matches.
func (h *historyView) onExportMenu() {
	h.a.showMenuBelow(fyne.NewMenu("", h.exportMenuItems()...), h.export)
}

func (h *historyView) exportMenuItems() []*fyne.MenuItem {
	var items []*fyne.MenuItem
	if len(h.selected()) > 0 {
		items = append(h.selectedExportItems(), fyne.NewMenuItemSeparator())
	}
	items = append(items,
		fyne.NewMenuItem(tr("Export all as CSV (spreadsheets)…"), func() { h.onExport("csv", "") }),
		fyne.NewMenuItem(tr("Export all as JSON…"), func() { h.onExport("json", "") }),
	)
	if q := h.searchText(); q != "" {
		shown := shortText(quotedNameText(q), searchMenuRunes)
		items = append(items, fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(tr("Export the matches of “{{.Search}}” as CSV…", map[string]any{"Search": shown}), func() { h.onExport("csv", q) }),
			fyne.NewMenuItem(tr("Export the matches of “{{.Search}}” as JSON…", map[string]any{"Search": shown}), func() { h.onExport("json", q) }),
		)
	}
	return items
}

// exportOptions select the entries matching search (all when blank), each
// with its link as Copy link gives it: the same export as history --csv
// and --json.
func (h *historyView) exportOptions(search string) storage.ExportOptions {
	links := h.a.links()
	return storage.ExportOptions{
		Search: search,
		Link:   func(e storage.HistoryEntry) string { return links.Link(e.Env, e.Hash, e.Name) },
	}
}

// onExport writes the entries matching search (all when blank) to a file
// the person picks (native save dialog, else Fyne's).
func (h *historyView) onExport(format, search string) {
	h.exportWith(format, h.exportOptions(search))
}

// exportWith writes the entries opts selects to a file the person picks.
func (h *historyView) exportWith(format string, opts storage.ExportOptions) {
	if h.refusedWhileDeleting() {
		return
	}
	name := "dstor-uploads-" + h.a.now().Format("2006-01-02") + "." + format
	a := h.a
	a.goPicker(func() {
		path, err := a.pickSave(name, format)
		a.do(func() {
			switch {
			case err == errUseFyneDialog:
				a.fyneSaveFile(tr("Export the upload history"), name, func(path string) { h.exportToPath(path, format, opts) })
			case err != nil:
				a.showError(tr("Cannot export"), err)
			case path != "":
				h.exportToPath(path, format, opts)
			}
		})
	})
}

// exportToPath writes the export to path (App.saveFile), refusing a path
// in dStor Uploader's own data folder, at any depth, or a hard link to a
// file there (storage.DB.InDataFolder), saying which: it could be the live
// history database, its journal, a lock or the Local sandbox's store.
func (h *historyView) exportToPath(path, format string, opts storage.ExportOptions) {
	if h.refusedWhileDeleting() { // begun while the save dialog was open
		return
	}
	h.a.goBg(func() { h.writeExport(path, format, opts) })
}

// exportRefusals are the sentences of an export refused in the data
// folder.
func exportRefusals() saveRefusals {
	return saveRefusals{
		inside:  tr("This is dStor Uploader's own data folder, where its history and queue are kept: an export there could overwrite them. Choose another folder."),
		link:    tr("The chosen file is the same file as one dStor Uploader keeps in its data folder: an export onto it would overwrite that file. Choose another name or folder."),
		newFile: tr("The chosen file is a symbolic link to a new file in dStor Uploader's own data folder, where its history and queue are kept: an export through it would make that file there. Choose another name or folder."),
		journal: tr("The chosen name is one SQLite gives the journal of dStor Uploader's upload history, in the folder that history really is in (its data folder links to it): an export there would make a file SQLite could take for the history's own. Choose another name or folder."),
	}
}

// writeExport runs on a goroutine: it streams the rows to a new file at
// path (App.saveFile; a new file private, as the history is) and says how
// many went where.
func (h *historyView) writeExport(path, format string, opts storage.ExportOptions) {
	a := h.a
	var n int
	saved := a.saveFile(path, 0o600, tr("Cannot export"), exportRefusals(), func(w io.Writer) (err error) {
		if format == "json" {
			n, err = a.db.ExportHistoryJSON(w, opts)
		} else {
			n, err = a.db.ExportHistoryCSV(w, opts)
		}
		return err
	})
	if saved {
		a.do(func() {
			a.showToast(trn("{{.Count}} uploads exported with links to {{.Where}}", n, map[string]any{"Where": displayPath(path)}))
		})
	}
}

// historyRow is one entry of the history list.
type historyRow struct {
	widget.BaseWidget
	h *historyView

	indent   *canvas.Rectangle // room on the left of a folder's file
	icon     *widget.Icon      // the file's kind, while it shows no thumbnail
	thumb    *canvas.Image     // the picture's thumbnail (history_thumbs.go)
	name     *nameLabel
	hash     *widget.Label
	verified *widget.Label
	live     *widget.Label
	recheck  *iconButton // its words, or only its icon in a narrow row
	detail   *widget.Label
	copyLink *iconButton
	copyAs   *iconButton       // its words, or only its icon in a narrow row
	picked   *canvas.Rectangle // the selection's highlight, or the pointer's
	pointed  bool              // the pointer is over the row
	open     *iconButton
	qr       *iconButton
	reveal   *iconButton // Show in folder
	del      *iconButton
	cidLine  *cidLineLayout
	second   *fyne.Container // the CID line, laid out again for each entry

	// wideButtons is the buttons' width with Copy as… in words; narrow is
	// set while the row is too narrow for it (Copy as… is then its icon).
	wideButtons float32
	narrow      bool

	id      int64
	shown   atomic.Int64    // id, for the goroutine that makes thumbnails
	inner   *fyne.Container // the row under the layout that fits its buttons
	content fyne.CanvasObject
}

// historyTextRoom is the least room a row keeps for its name and CID line
// before Copy as… gives up its words for an icon.
const historyTextRoom = 360

func newHistoryRow(h *historyView) *historyRow {
	r := &historyRow{h: h}
	r.icon = widget.NewIcon(theme.FileIcon())
	r.thumb = canvas.NewImageFromResource(nil)
	r.thumb.FillMode = canvas.ImageFillContain
	r.thumb.ScaleMode = canvas.ImageScaleSmooth
	r.thumb.Hide()
	r.name = rowName()
	r.hash = caption("", widget.MediumImportance)
	r.hash.TextStyle = fyne.TextStyle{Monospace: true}
	r.verified = caption(checkMark+" "+tr("verified"), widget.SuccessImportance)
	r.detail = caption("", widget.MediumImportance)
	r.live = caption("", widget.SuccessImportance)
	r.recheck = newLabelledButton(tr("Check again"), theme.ViewRefreshIcon(), func() { h.onCheckLive(r.id) })
	r.live.Truncation = fyne.TextTruncateEllipsis // cut short only when even compact marks leave no room
	r.recheck.Importance = widget.LowImportance
	r.live.Hide() // shown by set once a check was made
	r.recheck.Hide()
	r.detail.Truncation = fyne.TextTruncateEllipsis
	// The live mark is in a box of its own: set shows or hides the mark,
	// the line's layout the box, when a narrow row needs its room for the
	// size, date and folder.
	liveBox := container.NewStack(r.live)
	r.cidLine = &cidLineLayout{hash: r.hash, detailRoom: 320, optional: liveBox, optionalDrops: true,
		detailMin: fyne.MeasureText("· 8.4 MB · 20 May 2026", theme.CaptionTextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding(),
		compact:   r.compactMarks}
	second := container.New(r.cidLine, r.hash, r.verified, liveBox, r.recheck, r.detail)
	r.second = second
	text := container.New(&rowTextLayout{}, r.name, second)
	r.picked = canvas.NewRectangle(color.Transparent)
	r.indent = canvas.NewRectangle(color.Transparent)
	r.indent.SetMinSize(fyne.NewSize(theme.IconInlineSize(), 0))
	r.indent.Hide()
	buttons := r.makeButtons()
	r.wideButtons = buttons.MinSize().Width
	// The same room with or without a thumbnail, which keeps a padding
	// off the row's edge and the name.
	room := canvas.NewRectangle(color.Transparent)
	room.SetMinSize(fyne.NewSize(thumbSide+2*theme.Padding(), thumbSide))
	thumb := container.New(layout.NewCustomPaddedLayout(0, 0, theme.Padding(), theme.Padding()), r.thumb)
	r.inner = container.NewStack(r.picked, container.NewBorder(nil, nil,
		container.NewHBox(r.indent, container.NewCenter(container.NewStack(room, container.NewCenter(r.icon), thumb))),
		container.NewCenter(buttons), text))
	r.content = container.New(&adaptLayout{adapt: func(size fyne.Size) { r.fitButtons(size.Width) }}, r.inner)
	r.ExtendBaseWidget(r)
	return r
}

// makeButtons makes the row's buttons: Copy link, Copy as…, open, QR code,
// show in folder and delete, for the entry the row shows.
func (r *historyRow) makeButtons() *fyne.Container {
	h := r.h
	r.copyLink = newLabelledButton(tr("Copy link"), theme.ContentCopyIcon(), func() { h.onCopyLink(r.id) })
	r.copyAs = newLabelledButton(tr("Copy as…"), nil, nil)
	r.copyAs.OnTapped = func() {
		id := r.id
		h.a.showMenuBelow(copyAsMenu(func(style string) { h.onCopyAs(id, style) }), r.copyAs)
	}
	r.open = newIconButton(tr("Open the link in the browser"), openIcon, func() { h.onOpen(r.id) })
	r.qr = newIconButton(tr("Show the link's QR code"), qrIcon, func() { h.onQR(r.id) })
	r.reveal = newIconButton(tr("Show in folder"), theme.FolderOpenIcon(), func() { h.onShowInFolder(r.id) })
	r.del = newIconButton(tr("Delete this entry"), theme.DeleteIcon(), func() { h.onDelete(r.id) })
	for _, b := range []*iconButton{r.copyLink, r.copyAs, r.open, r.qr, r.reveal, r.del, r.recheck} {
		b.Importance = widget.LowImportance
		b.hovered = r.pointer
	}
	r.copyLink.Importance = widget.MediumImportance
	return container.NewHBox(r.copyLink, r.copyAs, r.open, r.qr, r.reveal, r.del)
}

func (r *historyRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// set shows entry e (rows are recycled by the list).
func (r *historyRow) set(e storage.HistoryEntry) {
	r.id = e.ID
	r.shown.Store(e.ID)
	r.name.SetText(nameText(e.Name))
	r.setPicture(e)
	if on := e.LocalPath != ""; on != r.reveal.Visible() {
		show(r.reveal, on)
		r.inner.Refresh() // the buttons' width changed: lay the row out again
	}
	r.paint()
	r.cidLine.full = inert.Text(e.Hash) // whole or shortened by the line's width
	r.cidLine.reset()
	show(r.verified, e.Verified)
	r.setLive(e.Live)
	parts := []string{formatSize(e.Size), formatDate(e.FinishedAt, r.h.a.now())}
	switch {
	case e.ParentID != nil:
		parts = append(parts, tr("folder #{{.ID}}", map[string]any{"ID": *e.ParentID}))
	case e.FolderPath != "":
		parts = append(parts, inert.Text(e.FolderPath))
	}
	if e.Comment != "" {
		parts = append(parts, tr("“{{.Comment}}”", map[string]any{"Comment": quotedNameText(e.Comment)}))
	}
	if e.NamedOtherwise() {
		// Server text, stored escaped by inert.Literal (api's serverText):
		// shown as kept, apart; quotedNameText would escape its \x5c again.
		parts = append(parts, tr("dStor named it “{{.Name}}”", map[string]any{"Name": sentenceName(inert.Line(e.ServerName))}))
	}
	r.detail.SetText(inert.Line("· " + strings.Join(parts, " · ")))
	r.second.Refresh()
}

// paint marks the row selected, or under the pointer, or neither.
func (r *historyRow) paint() {
	r.picked.FillColor = color.Transparent
	settings := r.h.a.fyne.Settings()
	switch {
	case r.h.sel.ids[r.id]:
		r.picked.FillColor = settings.Theme().Color(theme.ColorNameSelection, settings.ThemeVariant())
	case r.pointed:
		r.picked.FillColor = settings.Theme().Color(theme.ColorNameHover, settings.ThemeVariant())
	}
	r.picked.Refresh()
}

// pointer marks the row while the pointer is over it or one of its
// buttons (the list's own mark is under the row, out of sight) and holds
// new uploads back meanwhile (historyView.refresh).
func (r *historyRow) pointer(in bool) {
	if in != r.pointed {
		r.pointed = in
		r.paint()
	}
	r.h.onPointer(in)
}

// MouseIn: the pointer came over the row.
func (r *historyRow) MouseIn(*desktop.MouseEvent) { r.pointer(true) }

// MouseMoved: the pointer moves over the row.
func (r *historyRow) MouseMoved(*desktop.MouseEvent) { r.pointer(true) }

// MouseOut: the pointer left the row, for one of its buttons or elsewhere.
func (r *historyRow) MouseOut() { r.pointer(false) }

// setPicture shows e's thumbnail when it has one in memory, else its
// kind's icon and, for a picture, asks for its thumbnail.
func (r *historyRow) setPicture(e storage.HistoryEntry) {
	if !hasThumbnail(e) {
		r.showThumb(e, nil)
		return
	}
	thumbs := r.h.thumbs
	res, known := thumbs.cached(e)
	r.showThumb(e, res)
	if known {
		return
	}
	id := e.ID
	thumbs.request(e, func() bool { return r.shown.Load() == id }, func(res fyne.Resource) {
		if r.id == id {
			r.showThumb(e, res)
		}
	})
}

// showThumb shows thumbnail res of e, or e's kind's icon when res is nil.
func (r *historyRow) showThumb(e storage.HistoryEntry, res fyne.Resource) {
	if res == nil {
		r.thumb.Hide()
		r.icon.SetResource(fileKindIcon(e.Name))
		r.icon.Show()
		return
	}
	r.icon.Hide()
	r.thumb.Resource = res
	r.thumb.Show()
	r.thumb.Refresh()
}

// fitButtons gives Copy as… its words when the row leaves the text
// historyTextRoom beside them, else only its icon; the row is laid out
// again when that changes.
func (r *historyRow) fitButtons(width float32) {
	narrow := width-r.wideButtons < historyTextRoom
	if narrow == r.narrow {
		return
	}
	r.narrow = narrow
	if narrow {
		r.copyAs.SetText("")
		r.copyAs.SetIcon(theme.MoreHorizontalIcon())
	} else {
		r.copyAs.SetText(tr("Copy as…"))
		r.copyAs.SetIcon(nil)
	}
	r.inner.Refresh()
}

// setInFolder moves the row in under its folder's row when it is one of
// a folder share's files.
func (r *historyRow) setInFolder(in bool) {
	if in != r.indent.Visible() {
		show(r.indent, in)
		r.inner.Refresh()
	}
}

// compactMarks makes the CID line's marks narrow for a narrow row: "✓"
// for verified and Check again as its icon alone; false gives them their
// words back.
func (r *historyRow) compactMarks(on bool) {
	verified, recheck := checkMark+" "+tr("verified"), tr("Check again")
	if on {
		verified, recheck = checkMark, ""
	}
	r.verified.SetText(verified)
	r.recheck.SetText(recheck)
}

// setLive shows the last check of the entry's link: live with the time
// it took, or not reachable yet with a button to check again.
func (r *historyRow) setLive(c storage.LiveCheck) {
	switch {
	case c.At.IsZero():
		r.live.Hide()
		r.recheck.Hide()
	case c.Served():
		r.live.SetText(tr("• live · {{.Took}}", map[string]any{"Took": liveTook(c.Took)}))
		r.live.Importance = widget.SuccessImportance
		r.live.Show()
		r.recheck.Hide()
	default:
		r.live.SetText(tr("not reachable yet"))
		r.live.Importance = widget.WarningImportance
		r.live.Show()
		r.recheck.Show()
	}
	// Only a served link's mark gives way in a narrow row: "not reachable
	// yet" is what that row is about.
	r.cidLine.optionalDrops = c.Served()
	r.live.Refresh()
}

// liveTook is how long a gateway took to serve a link, for the row.
func liveTook(d time.Duration) string {
	if d < time.Second {
		return tr("{{.N}} ms", map[string]any{"N": max(d.Milliseconds(), 1)})
	}
	return tr("{{.N}} s", map[string]any{"N": strings.Replace(fmt.Sprintf("%.1f", d.Seconds()), ".", localeMark("decimal", "."), 1)})
}

// readLocalHead is worker.ReadLocalHead; tests make it wait, as a read
// of a file on a drive that stopped answering does.
var readLocalHead = worker.ReadLocalHead

// onCheckLive checks again that the entry's gateway link serves the file
// (one ranged GET, in the background: its first bytes are compared with
// the local file's while that is still the version uploaded) and shows
// what it found.
func (h *historyView) onCheckLive(id int64) {
	e, ok := h.entry(id)
	if !ok {
		return
	}
	a := h.a
	link := a.links().GatewayLink(e.Env, e.Hash, e.Name)
	client := a.checkClient()
	if client == nil {
		return
	}
	end, ok := h.startLook(e)
	if !ok {
		return
	}
	started := a.goBg(func() {
		ctx, cancel := a.untilClose() // Close stops the check
		defer cancel()
		// Off this goroutine (offLocal): a read on a drive that stopped
		// answering would hold Close; the history is read after it, here.
		head, ok := offLocal(ctx, a.lifecycle, func() worker.LocalHead {
			defer end()
			return readLocalHead(e)
		})
		if !ok {
			return // closing
		}
		want := api.LiveWant{Size: e.Size, Hash: e.Hash, Head: worker.UnchangedHead(a.db, e, head)}
		took, err := client.CheckLive(ctx, link, want)
		if err != nil && !errors.Is(err, api.ErrNotLive) {
			return // closing
		}
		c := storage.LiveCheck{At: a.now(), Took: took}
		if err != nil {
			c.Error = err.Error()
		}
		if err := a.db.SetLive(id, c); err != nil {
			a.do(func() { a.showError(tr("Cannot record the check"), err) })
			return
		}
		a.do(func() {
			for _, list := range append([][]storage.HistoryEntry{h.entries, h.foundShown}, slices.Collect(maps.Values(h.found))...) {
				for i := range list {
					if list[i].ID == id {
						list[i].Live = c
					}
				}
			}
			h.list.Refresh()
			if c.Served() {
				a.showToast(tr("“{{.Name}}” is live", map[string]any{"Name": sentenceName(quotedNameText(e.Name))}))
			} else {
				a.showProblem(tr("“{{.Name}}” is not reachable yet", map[string]any{"Name": sentenceName(quotedNameText(e.Name))}))
			}
		})
	})
	if !started {
		end() // closing
	}
}

// checkClient is the client live checks go through: the session's, or a
// plain one when signed out (a check needs no sign-in).
func (a *App) checkClient() *api.Client {
	if a.sess != nil && a.sess.Client != nil {
		return a.sess.Client
	}
	c, err := api.NewClient(api.Production, nil)
	if err != nil {
		a.showError(tr("Cannot check the link"), err)
		return nil
	}
	return c
}

// links builds the links the window shows and copies: in the style chosen
// in Settings, on the gateway of each upload's environment (the signed-in
// one's and this run's Local sandbox's included).
func (a *App) links() api.Links {
	var known []api.Environment
	if a.sess != nil {
		known = append(known, a.sess.Env)
	}
	a.sandboxMu.Lock()
	if a.sandboxURL != "" {
		known = append(known, api.Environment{Name: api.SandboxKey, GatewayURL: a.sandboxURL})
	}
	a.sandboxMu.Unlock()
	return session.Links(a.currentSettings(), known...)
}

// sessionEnvKey is the environment of the current session ("" signed out).
func (a *App) sessionEnvKey() string {
	if a.sess == nil {
		return ""
	}
	return a.sess.EnvKey
}
