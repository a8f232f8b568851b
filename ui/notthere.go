package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2/theme"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

// The paths a launch names (Options.Files: "Open with", a double-click, a
// name typed in a terminal; or a later launch's hand-off) that are not
// there as it starts were never there as far as the window knows: a name
// typed wrong, or a stale path a file manager handed over. They are not
// queued, where they failed saying to put the file back, but named in a
// notice that says what to check, as the command line's upload says
// (api.SplitNotThere). A path there as the launch starts and gone before
// the queue reads it still fails in the queue.

// splitPaths is splitResolved, which stats each path; tests make it wait,
// as a stat of a path on a network mount that does not answer does.
var splitPaths = splitResolved

// splitResolved is api.SplitNotThere (typed: the paths as the launch
// was given them, nil when not known), each path there made absolute by
// api.AbsPath: a launch hands its paths with a ".." kept (api.AbsUnresolved),
// and resolving one after a symbolic link stats each part up to it, so it
// runs here, off the UI goroutine (splitOffUI), with the other stats;
// keepWaiting's AbsPath, on the UI goroutine, then only cleans.
func splitResolved(paths, typed []string) (there []string, notThere []*api.NotThereError) {
	there, notThere = api.SplitNotThere(paths, typed)
	for i, p := range there {
		if abs, err := api.AbsPath(p); err == nil {
			there[i] = abs
		}
	}
	return there, notThere
}

// maxNamedNotThere is how many paths not there the notice names; it
// counts the others, so that a long list does not make it taller than
// the window.
const maxNamedNotThere = 5

// maxNotThereName is how many characters of each path (and link target)
// the notice shows, its start and its end around "…": five whole paths of
// a folder tree nested deep made it taller than the window.
const maxNotThereName = 120

// sayNotThere shows the notice of the paths a launch named that are not
// there, when there are any: what to check of each, and that nothing was
// added for them. While the last notice is open, it is shown again naming
// those of the launches since as well, each path once, so launches one
// path each (xargs -n1) leave one dialog to close, not one per path.
func (a *App) sayNotThere(notThere []*api.NotThereError) {
	if len(notThere) == 0 {
		return
	}
	c := a.win.Canvas()
	if a.notThereNotice != nil && slices.Contains(c.Overlays().List(), a.notThereNotice) {
		notThere = joinNotThere(a.notThere, notThere)
		a.notThereNotice.Hide() // a dialog's pop-up leaves the overlays as it hides
		c.Overlays().Remove(a.notThereNotice)
	}
	a.showTextDialog(tr("Not found"), theme.WarningIcon(), "", notThereText(notThere), dialogChoice{label: tr("OK")})
	a.notThereNotice, a.notThere = c.Overlays().Top(), notThere
}

// joinNotThere is named followed by those of more whose path it does not
// name.
func joinNotThere(named, more []*api.NotThereError) []*api.NotThereError {
	all := slices.Clip(named)
	for _, nt := range more {
		if !slices.ContainsFunc(all, func(n *api.NotThereError) bool { return n.Path == nt.Path }) {
			all = append(all, nt)
		}
	}
	return all
}

// notThereText is the notice's text: a sentence for each path, up to
// maxNamedNotThere, and a count of the others.
func notThereText(notThere []*api.NotThereError) string {
	var lines []string
	for i, nt := range notThere {
		if i == maxNamedNotThere {
			lines = append(lines, trn("And {{.Count}} more not found.", len(notThere)-i))
			break
		}
		lines = append(lines, notThereSentence(nt))
	}
	lines = append(lines, trn("Nothing was added to the queue for these paths.", len(notThere)))
	return strings.Join(lines, "\n")
}

// notThereSentence says that nt's path is not there and what to check,
// as api.NotThereError's sentence does on the command line, each name cut
// to maxNotThereName characters once escaped (inert.Line). A ~ no shell
// replaced is said of a path its launch typed starting with one
// (instance.Request.Typed; api.SplitNotThere).
func notThereSentence(nt *api.NotThereError) string {
	data := map[string]any{
		"Path":   middleText(inert.Line(nt.Path), maxNotThereName),
		"Detail": middleText(inert.Line(nt.Detail), maxNotThereName),
		"Link":   middleText(inert.Line(nt.Link), maxNotThereName),
		"End":    middleText(inert.Line(nt.End), maxNotThereName),
	}
	switch {
	case nt.Kind == api.NotThereLink && nt.End != "":
		return tr("“{{.Path}}” is a symbolic link that leads to “{{.End}}”, a symbolic link to “{{.Detail}}”, which does not exist. Point the link at the file, or open the file itself.", data)
	case nt.Kind == api.NotThereLinkOnTheWay && nt.End != "":
		return tr("“{{.Path}}” does not exist: its path goes through “{{.Link}}”, a symbolic link that leads to “{{.End}}”, a symbolic link to “{{.Detail}}”, which does not exist. Point the link at the folder, or open the file by its own path.", data)
	}
	switch nt.Kind {
	case api.NotThereThroughFile:
		return tr("“{{.Path}}” does not exist: its path goes through “{{.Detail}}”, a file, not a folder. Check the path.", data)
	case api.NotThereLink:
		return tr("“{{.Path}}” is a symbolic link to “{{.Detail}}”, which does not exist. Point the link at the file, or open the file itself.", data)
	case api.NotThereTilde:
		return tr("“{{.Path}}” does not exist: ~ was not replaced with a home folder (a shell does not replace it inside quotes, and Windows never does). Name the full path: “{{.Detail}}”.", data)
	case api.NotThereLoop:
		return tr("“{{.Path}}” goes round a loop of symbolic links (a link that leads, through others or none, back to itself). Point the link at the file, or open the file by its own path.", data)
	case api.NotThereLinkOnTheWay:
		return tr("“{{.Path}}” does not exist: its path goes through “{{.Link}}”, a symbolic link to “{{.Detail}}”, which does not exist. Point the link at the folder, or open the file by its own path.", data)
	case api.NotThereTooLong:
		return tooLongSentence(nt, data)
	}
	return tr("“{{.Path}}” does not exist. Check the name.", data)
}

// tooLongSentence is notThereSentence of a path the system refuses for
// its length (api.NotThereTooLong), or for a name in it longer than a
// name may be (no file has it: a name typed wrong).
func tooLongSentence(nt *api.NotThereError, data map[string]any) string {
	if nt.NameTooLong() {
		data["Max"] = api.MaxNameLen
		return tr("“{{.Path}}” has a name longer than the system allows ({{.Max}} bytes), so no file has that path. Check the path for a mistake.", data)
	}
	return tr("“{{.Path}}” has a path longer than the system allows. Open it by a shorter path, or move it to a folder with a shorter one.", data)
}
