package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// historySelection is the history entries picked with Ctrl-click,
// Shift-click or Ctrl+A, for Copy links, Export selected and Delete
// selected. A plain click picks nothing: it only sets where a Shift-click
// range starts, so the row's buttons keep working as before.
type historySelection struct {
	ids    map[int64]bool
	anchor int64 // the entry a Shift-click range starts from (0: none)
}

// selectionBar is the strip above the list while entries are selected.
type selectionBar struct {
	count                *widget.Label
	copyLinks, exportSel *widget.Button
	indexPage            *widget.Button
	deleteSel            *widget.Button
	clearSelect          *iconButton
	box                  *fyne.Container
}

func newSelectionBar(h *historyView) *selectionBar {
	b := &selectionBar{count: widget.NewLabel("")}
	b.count.TextStyle = fyne.TextStyle{Bold: true}
	b.copyLinks = widget.NewButtonWithIcon(tr("Copy links"), theme.ContentCopyIcon(), h.onCopySelected)
	b.copyLinks.Importance = widget.HighImportance
	b.exportSel = widget.NewButtonWithIcon(tr("Export selected…"), theme.DocumentSaveIcon(), nil)
	b.exportSel.OnTapped = func() { h.a.showMenuBelow(fyne.NewMenu("", h.selectedExportItems()...), b.exportSel) }
	b.indexPage = widget.NewButtonWithIcon(tr("Index page"), theme.DocumentIcon(), h.onIndexPage)
	b.deleteSel = widget.NewButtonWithIcon(tr("Delete selected…"), theme.DeleteIcon(), h.onDeleteSelected)
	b.clearSelect = newIconButton(tr("Clear the selection"), theme.CancelIcon(), h.clearSelection)
	b.box = container.NewBorder(nil, nil, b.count,
		container.NewHBox(b.copyLinks, b.indexPage, b.exportSel, b.deleteSel, b.clearSelect))
	b.box.Hide()
	return b
}

// MouseDown picks the row with Ctrl (toggle) or Shift (a range from the
// last row clicked); a plain click only moves the range's start.
func (r *historyRow) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button == desktop.MouseButtonPrimary {
		r.h.clickRow(r.id, ev.Modifier)
	}
}

// MouseUp is part of desktop.Mouseable; the press did the work.
func (r *historyRow) MouseUp(*desktop.MouseEvent) {}

// clickRow applies a click on entry id with the modifiers held.
func (h *historyView) clickRow(id int64, mod fyne.KeyModifier) {
	s := &h.sel
	switch {
	case mod&fyne.KeyModifierShift != 0 && s.anchor != 0:
		from, to := h.index(s.anchor), h.index(id)
		if from < 0 || to < 0 {
			break
		}
		if from > to {
			from, to = to, from
		}
		s.ids = map[int64]bool{}
		for _, item := range h.items[from : to+1] {
			if item.entry >= 0 {
				s.ids[h.at(item.entry).ID] = true
			}
		}
	case mod&(fyne.KeyModifierControl|fyne.KeyModifierSuper) != 0:
		if s.ids == nil {
			s.ids = map[int64]bool{}
		}
		if s.ids[id] {
			delete(s.ids, id)
		} else {
			s.ids[id] = true
		}
		s.anchor = id
	default:
		s.ids = nil
		s.anchor = id
	}
	h.showSelection()
}

// selectAll picks every entry listed (Ctrl+A on the History tab).
func (h *historyView) selectAll() {
	h.sel.ids = make(map[int64]bool, len(h.entries))
	for _, e := range h.listed() {
		h.sel.ids[e.ID] = true
	}
	h.showSelection()
}

func (h *historyView) clearSelection() {
	h.sel.ids = nil
	h.showSelection()
}

// index is the line of entry id in the list, or -1.
func (h *historyView) index(id int64) int {
	for i, item := range h.items {
		if item.entry >= 0 && h.at(item.entry).ID == id {
			return i
		}
	}
	return -1
}

// selected are the picked entries still listed, in list order (newest
// first).
func (h *historyView) selected() []storage.HistoryEntry {
	var out []storage.HistoryEntry
	for _, e := range h.listed() {
		if h.sel.ids[e.ID] {
			out = append(out, e)
		}
	}
	return out
}

// showSelection shows the bar with the count, or hides it, and marks the
// picked rows.
func (h *historyView) showSelection() {
	n := len(h.selected())
	if n == 0 {
		h.sel.ids = nil
		h.selBar.box.Hide()
	} else {
		h.selBar.count.SetText(trn("{{.Count}} uploads selected", n))
		h.selBar.box.Show()
	}
	h.list.Refresh()
}

// onCopySelected copies the selected entries' links, one per line, in the
// default format chosen in Settings.
func (h *historyView) onCopySelected() {
	sel := h.selected()
	if len(sel) == 0 {
		return
	}
	h.copyLinks(buildKey{}, "", readEntries(sel), nil)
}

// sharedFiles are what the links of entries are made of.
func sharedFiles(entries []storage.HistoryEntry) []api.SharedFile {
	files := make([]api.SharedFile, len(entries))
	for i, e := range entries {
		files[i] = api.SharedFile{Env: e.Env, Hash: e.Hash, Name: e.Name}
	}
	return files
}

// selectedExportItems export exactly the selection, each entry with its
// link; the items say how many.
func (h *historyView) selectedExportItems() []*fyne.MenuItem {
	n := len(h.selected())
	return []*fyne.MenuItem{
		fyne.NewMenuItem(trn("Export the {{.Count}} uploads selected as CSV…", n), func() { h.exportWith("csv", h.selectedExportOptions()) }),
		fyne.NewMenuItem(trn("Export the {{.Count}} uploads selected as JSON…", n), func() { h.exportWith("json", h.selectedExportOptions()) }),
	}
}

// selectedExportOptions are exportOptions limited to the selection.
func (h *historyView) selectedExportOptions() storage.ExportOptions {
	o := h.exportOptions("")
	o.IDs = []int64{}
	for _, e := range h.selected() {
		o.IDs = append(o.IDs, e.ID)
	}
	return o
}

// onDeleteSelected asks, then removes the selected entries from the list
// (never from dStor); while another delete is under way it says so
// instead (refusedWhileDeleting).
func (h *historyView) onDeleteSelected() {
	sel := h.selected()
	if len(sel) == 0 || h.refusedWhileDeleting() {
		return
	}
	ids := make([]int64, len(sel))
	for i, e := range sel {
		ids[i] = e.ID
	}
	h.a.confirm(trn("Delete {{.Count}} entries?", len(ids)),
		trn("{{.Count}} uploads are removed from this list. The files stay on dStor and their links keep working.", len(ids)),
		tr("Delete"), tr("Cancel"),
		func() { h.deleteSelected(ids) })
}

// deleteSelected removes ids without asking (after the confirmation), off
// the UI goroutine, History showing how far it has got after each batch
// (showDeleting) while the list stays usable. Stop (onStopDelete) or a
// quit stops it between two batches; the rest stays in the list, and
// after Stop or an error partway a message says how many went.
func (h *historyView) deleteSelected(ids []int64) {
	a := h.a
	ctx, cancel := a.untilClose()
	run := &deleteRun{cancel: cancel, ids: ids}
	h.deleting = run
	ok := a.goBg(func() {
		defer cancel()
		n, err := h.deleteIDs(a.db, ctx, ids, func(deleted, total int) {
			a.do(func() { h.showDeleting(deleted, total) })
		})
		h.counts.forget()
		a.do(func() {
			h.deleting = nil
			h.delBar.box.Hide()
			h.delBar.stop.Enable()
			switch {
			case run.stopped && errors.Is(err, context.Canceled):
				a.showMessage(tr("Deleting stopped"),
					trn("{{.Count}} entries were deleted; the others are still in the list: select them and delete them again.", n))
			case err != nil && n > 0: // the batches before the error stay deleted
				a.showMessage(tr("Cannot delete the entries"), inert.Line(errorText(err))+"\n\n"+
					trn("{{.Count}} entries were deleted; the others are still in the list: select them and delete them again.", n))
			case err != nil:
				a.showError(tr("Cannot delete the entries"), err)
			default:
				a.showToast(trn("{{.Count}} entries deleted from the history", n))
			}
			h.reload()
		})
	})
	if !ok { // closed
		cancel()
		h.deleting = nil
		return
	}
	h.clearSelection()
	h.showDeleting(0, len(ids))
}

// onIndexPage makes the index page of the selected uploads — a small HTML
// file listing each with its link (api.Links.IndexPage) — and uploads it
// as a file of its own, through the queue like any file (verified, in
// History, live-checked): its link shares them all. The page is kept under
// the data folder's index-pages.
func (h *historyView) onIndexPage() {
	sel := h.selected()
	a := h.a
	if len(sel) == 0 {
		return
	}
	if a.sess == nil {
		a.showProblem(tr("Sign in to upload the index page."))
		return
	}
	dir := filepath.Join(a.indexPagesDir(), fmt.Sprint(a.now().UnixNano()))
	h.uploadIndexPage(buildKey{page: true}, indexTitle(sel), dir,
		trn("Uploading the index page of {{.Count}} uploads: its link is in History when done.", len(sel)), readEntries(sel))
}

// indexPagesDir is where index pages are kept: index-pages in the data
// folder.
func (a *App) indexPagesDir() string {
	return a.db.IndexPagesDir()
}

// indexTitle names the index page of entries: their folder when they
// share one, else how many they are.
func indexTitle(entries []storage.HistoryEntry) string {
	folder := entries[0].FolderPath
	for _, e := range entries[1:] {
		if e.FolderPath != folder {
			folder = ""
			break
		}
	}
	if strings.Trim(folder, "/") != "" {
		return strings.Trim(folder, "/")
	}
	return trn("{{.Count}} uploads", len(entries))
}

// maxFileName is the most bytes a file name may have on the file systems
// the window runs on (Linux's NAME_MAX; macOS and Windows allow as many).
const maxFileName = 255

// indexFileName is the index page's file name, from its title: letters
// and digits kept, anything else a dash ("photos-2026-index.html"), cut
// at a character boundary to fit maxFileName, since a folder's name may
// itself be that long and the page is saved under this name.
func indexFileName(title string) string {
	const suffix = "-index.html"
	slug := strings.Join(strings.FieldsFunc(title, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), "-")
	for len(slug) > maxFileName-len(suffix) {
		_, size := utf8.DecodeLastRuneInString(slug)
		slug = slug[:len(slug)-size]
	}
	slug = strings.TrimRight(slug, "-")
	if slug == "" {
		return "index.html"
	}
	return slug + suffix
}
