package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// hostileNames are names whose shown text could hide the file's real
// extension: a run of spaces before it, so a row cut at its end shows
// "win2-photo.jpg …" of a program (helper-248's repro), and names with
// a bidirectional or other formatting control, or a zero-width
// character, each long enough that a row cuts it. want is how the
// shown text ends: the real extension, escaped controls and all.
var hostileNames = []struct{ what, name, want string }{
	{"a run of spaces", "win2-photo.jpg" + strings.Repeat(" ", 200) + ".exe", ".exe"},
	{"right-to-left override", strings.Repeat("invoice ", 20) + "invoice\u202efdp.exe", `\u202efdp.exe"`},
	{"left-to-right mark", strings.Repeat("a", 150) + "photo.jpg\u200e.exe", `\u200e.exe"`},
	{"right-to-left mark", strings.Repeat("a", 150) + "photo\u200f.exe", `\u200f.exe"`},
	{"embedding", strings.Repeat("a", 150) + "\u202a\u202bgpj.exe\u202c", `gpj.exe\u202c"`},
	{"isolates", strings.Repeat("a", 150) + "\u2066\u2067\u2068gpj.exe\u2069", `\u2068gpj.exe\u2069"`},
	{"zero-width space", strings.Repeat("a", 150) + "photo.jpg\u200b" + strings.Repeat("\u200b", 40) + ".exe", `\u200b.exe"`},
	{"byte order mark", strings.Repeat("b", 150) + ".jpg\ufeff.exe", `\ufeff.exe"`},
}

// TestRowsShowTheRealExtension: a queue, History or folder row cut a long
// name at its end, "win2-photo.jpg …", so a program looked like a
// picture. Each row now cuts the name in the middle to its width (one
// rule, fitMiddle), the extension at its end in view, and a formatting
// control escaped, never drawn; what is uploaded and recorded is the name
// as it is.
func TestRowsShowTheRealExtension(t *testing.T) {
	e := newTestEnv(t)
	const width = 800
	for _, tt := range hostileNames {
		t.Run(tt.what, func(t *testing.T) {
			e.ui(func() {
				q := newQueueRow(e.a.upload)
				q.set(worker.Job{ID: "j", Name: tt.name, Size: 1, State: storage.JobQueued})
				h := newHistoryRow(e.a.history)
				h.set(storage.HistoryEntry{ID: 1, Name: tt.name, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
				f := newFolderRow(e.a.history)
				f.set(&folderGroup{key: storage.FolderKey{Folder: "/home/me/" + tt.name}, newest: fixedNow})
				for where, row := range map[string]struct {
					w    fyne.Widget
					name *nameLabel
				}{"queue": {q, q.name}, "history": {h, h.name}, "folder": {f, f.name}} {
					row.w.Resize(fyne.NewSize(width, row.w.MinSize().Height))
					shown := shownText(row.name)
					assert.True(t, strings.HasSuffix(shown, tt.want), "%s row shows %q", where, shown)
					assert.Contains(t, shown, "…", "%s row: cut", where)
					assert.True(t, printable(shown), "%s row shows %q", where, shown)
					drawn := fyne.MeasureText(shown, theme.TextSize(), row.name.TextStyle).Width + 2*theme.InnerPadding()
					assert.LessOrEqual(t, drawn, row.name.Size().Width+1, "%s row: %q fits", where, shown)
				}
			})
		})
	}
}

// TestDialogHeadingShowsTheRealExtension: the dialog that tells why a file
// failed or was skipped names it in bold over the reason, and cut that
// heading at its end where the dialog is narrower than the name:
// "win2-photo.jpg …" of a program. It is cut in the middle as a row's
// name is.
func TestDialogHeadingShowsTheRealExtension(t *testing.T) {
	e := newTestEnv(t)
	name := hostileNames[0].name
	e.ui(func() {
		e.a.showTextDialog("Skipped", theme.InfoIcon(), nameText(name), "The file is skipped.", dialogChoice{label: "OK"})
	})
	var heading string
	e.ui(func() {
		walkObjects(e.a.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if t, ok := o.(*canvas.Text); ok && strings.HasPrefix(t.Text, "win2") {
				heading = t.Text
			}
		})
	})
	assert.Contains(t, heading, "…", "the heading is cut")
	assert.True(t, strings.HasSuffix(heading, ".exe"), "the heading shows %q", heading)
}

// TestToastShowsTheRealExtension: a toast naming a file ("Link to NAME
// copied to the clipboard") is cut at its end where the tab bar leaves
// it too little room, so "win2-photo.jpg", 200 spaces and ".exe" showed
// as "Link to win2-photo.jpg      …". A toast cuts such a name in the
// middle (middleText, to maxSentenceNameRunes), so its extension shows.
func TestToastShowsTheRealExtension(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	e.a.changeSettings(func(s storage.Settings) storage.Settings { s.CopyLinkAfterUpload = true; return s })
	name := hostileNames[0].name
	e.ui(func() {
		e.a.win.Resize(fyne.NewSize(1024, 700))
		e.a.upload.onTransition(storage.JobUploading, worker.Job{ID: "j", Name: name, Size: 1, State: storage.JobDone,
			Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"})
	})
	var shown string
	e.eventually(func() bool {
		shown = shownText(e.a.toast)
		return strings.HasPrefix(shown, "Link to")
	}, "the toast shows")
	assert.Contains(t, shown, ".exe copied", "the toast shows %q", shown)
}

// TestServerNameShowsTheRealExtension: a History row's details end with
// the name dStor gave the file when it differs from the local one, and
// the details line is cut at its end where the row has no room, so a
// long name dStor answered showed as "dStor named it “win2-photo.jp…"
// at the window's first width. That name is now cut in the middle, as
// a toast's is (sentenceName), and its real extension stays in view.
func TestServerNameShowsTheRealExtension(t *testing.T) {
	e := newTestEnv(t)
	for _, tt := range hostileNames {
		t.Run(tt.what, func(t *testing.T) {
			e.ui(func() {
				h := newHistoryRow(e.a.history)
				h.set(storage.HistoryEntry{ID: 1, Name: "photo.jpg", ServerName: tt.name, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
				h.Resize(fyne.NewSize(980, h.MinSize().Height))
				shown := shownText(h.detail)
				// Within the sentence's “…”, an escaped name is not quoted again.
				want := strings.TrimSuffix(tt.want, `"`) + "”"
				assert.True(t, strings.HasSuffix(shown, want), "the details show %q", shown)
				assert.Contains(t, shown, "…", "cut")
			})
		})
	}
}
