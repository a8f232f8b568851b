package ui

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Marks around every pseudo-translated text.
const pseudoOpen, pseudoClose = "⟦", "⟧"

// usePseudoLocale makes every translation of en.json its English text in
// pseudo marks (numbers' separators excepted), so text on screen that did
// not go through lang is the text without marks. The marks close before
// each {{.Placeholder}} and open again after it, so what a placeholder
// brings (an error's English, say) is checked like any other text. The
// real catalogs come back when the test ends.
func usePseudoLocale(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, useLanguage("")) }) // after LANGUAGE is back
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	pseudo := map[string]any{}
	for k, forms := range readCatalog(t, "en.json") {
		if strings.HasPrefix(k, "locale.") {
			pseudo[k] = forms["other"]
			continue
		}
		marked := map[string]string{}
		for f, s := range forms {
			marked[f] = pseudoMark(s)
		}
		if len(forms) == 1 {
			pseudo[k] = marked["other"]
		} else {
			pseudo[k] = marked
		}
	}
	data, err := json.Marshal(pseudo)
	require.NoError(t, err)
	require.NoError(t, lang.AddTranslationsForLocale(data, fyne.Locale("en")))
	require.Equal(t, pseudoOpen+"Language"+pseudoClose, tr("Language"), "the pseudo catalog is in use")
}

// pseudoMark is s in pseudo marks, which leave its placeholders out.
func pseudoMark(s string) string {
	var b strings.Builder
	for s != "" {
		text, rest, _ := strings.Cut(s, "{{")
		if text != "" {
			b.WriteString(pseudoOpen + text + pseudoClose)
		}
		if rest == "" {
			break
		}
		ph, after, _ := strings.Cut(rest, "}}")
		b.WriteString("{{" + ph + "}}")
		s = after
	}
	return b.String()
}

// Texts that are data, not sentences: names the test gives files, CIDs,
// paths, addresses, the app's name and the languages' own names.
var pseudoDataText = regexp.MustCompile(`dStor Uploader|dStor|Qm[1-9A-HJ-NP-Za-km-z]{44}|[\w.-]+\.(txt|pdf|mp4|csv|pipe|jpg|pst)\b|` +
	`https?://[^\s]+|[\w.+-]+@[\w.-]+|/[\w/.-]*|ipfs|Deutsch|English|Français|Español|Português \(Brasil\)|Русский|Spring trip|old-share|` +
	`Qm[1-9A-HJ-NP-Za-km-z]+…[1-9A-HJ-NP-Za-km-z]+|\d+(\.\d+)?`)

// untranslatedErrors are the sentences that reach the window in English
// still: a queue row saved before reason codes existed (the window shows
// the worker's sentence as it is).
var untranslatedErrors = []string{"Cannot read it.", systemWords}

// pseudoUserData are what the tour types or the sandbox gives, which a
// sentence shows as it is: the searches and the demo account's password.
var pseudoUserData = []string{pseudoSearch, pseudoNoMatch, sandbox.DemoPassword}

// The searches the tour types in History.
const pseudoSearch, pseudoNoMatch = "beach", "zz"

// systemWords is an error of the system's that the window does not word
// itself: it shows it as it is, marked as the system's message.
const systemWords = "structure needs cleaning"

// leftOver is text with its pseudo-marked parts and its data removed: what
// is left must have no word in it.
func leftOver(s string) string {
	for pseudoMarked.MatchString(s) { // innermost first: marks nest
		s = pseudoMarked.ReplaceAllString(s, " ")
	}
	for _, e := range untranslatedErrors {
		s = strings.ReplaceAll(s, e, " ")
	}
	s = pseudoDataText.ReplaceAllString(s, " ") // file names first: "holiday-beach.jpg"
	for _, d := range pseudoUserData {
		s = strings.ReplaceAll(s, d, " ")
	}
	return s
}

var pseudoMarked = regexp.MustCompile(pseudoOpen + "[^" + pseudoOpen + pseudoClose + "]*" + pseudoClose)

var word = regexp.MustCompile(`\p{L}{2,}`)

// visibleTexts walks o's tree (widgets through their renderers) and gives
// every text a person can see, with where it was found.
func visibleTexts(o fyne.CanvasObject, found func(kind, text string)) {
	if o == nil || !o.Visible() {
		return
	}
	switch w := o.(type) {
	case *widget.Label:
		found("label", w.Text)
		return
	case *widget.Button:
		found("button", w.Text)
		return
	case *widget.Check:
		found("check", w.Text)
		return
	case *widget.RadioGroup:
		for _, opt := range w.Options {
			found("radio option", opt)
		}
		return
	case *widget.Select:
		found("select", w.Selected)
		if w.Selected == "" {
			found("select placeholder", w.PlaceHolder)
		}
		for _, opt := range w.Options {
			found("select option", opt)
		}
		return
	case *widget.SelectEntry:
		if w.Text == "" {
			found("placeholder", w.PlaceHolder)
		}
		return
	case *widget.Entry:
		if w.Text == "" {
			found("placeholder", w.PlaceHolder)
		}
		return
	case *commitEntry:
		if w.Text == "" {
			found("placeholder", w.PlaceHolder)
		}
		return
	case *widget.Hyperlink:
		found("link", w.Text)
		return
	case *canvas.Text: // menu items, among others
		found("text", w.Text)
		return
	case *widget.RichText:
		found("rich text", w.String())
		return
	case *widget.Form:
		for _, it := range w.Items {
			found("form label", it.Text)
			found("form hint", it.HintText)
			visibleTexts(it.Widget, found)
		}
		return
	case *container.AppTabs:
		for _, it := range w.Items {
			found("tab", it.Text)
		}
		if sel := w.Selected(); sel != nil {
			visibleTexts(sel.Content, found)
		}
		return
	case *container.DocTabs:
		for _, it := range w.Items {
			found("tab", it.Text)
		}
		if sel := w.Selected(); sel != nil {
			visibleTexts(sel.Content, found)
		}
		return
	case *widget.List:
		for _, row := range listRows(w) {
			visibleTexts(row, found)
		}
		return
	case *fyne.Container:
		for _, c := range w.Objects {
			visibleTexts(c, found)
		}
		return
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			visibleTexts(c, found)
		}
		return
	}
	if txt, ok := o.(interface{ Text() string }); ok {
		found("text", txt.Text())
	}
}

// listRows are the rows a list shows now.
func listRows(l *widget.List) []fyne.CanvasObject {
	var rows []fyne.CanvasObject
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *queueRow, *historyRow, *folderRow:
			rows = append(rows, w)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(w).Objects() {
				walk(c)
			}
		}
	}
	walk(l)
	return rows
}

// assertAllTranslated fails on text on c (content and pop-ups) that did not
// go through lang.
func assertAllTranslated(t *testing.T, screen string, c fyne.Canvas) {
	t.Helper()
	check := func(kind, text string) {
		if w := word.FindString(leftOver(text)); w != "" {
			t.Errorf("%s: %s %q shows %q without going through lang", screen, kind, text, w)
		}
	}
	n := 0
	count := func(kind, text string) { n++; check(kind, text) }
	visibleTexts(c.Content(), count)
	for _, o := range c.Overlays().List() {
		visibleTexts(o, count)
	}
	assert.Greater(t, n, 5, "%s: the walk found text", screen)
}

// TestPseudoLocaleEveryScreen builds every screen with a pseudo catalog
// and fails on any visible English that did not go through lang.
func TestPseudoLocaleEveryScreen(t *testing.T) {
	usePseudoLocale(t)
	tourScreens(t, func(screen string, c fyne.Canvas) { assertAllTranslated(t, screen, c) })
}

// tourScreens shows every screen and calls check on each: sign-in with
// each environment and way of signing in, the queue with rows in every
// state, settings, history, dialogs, menus and toasts.
func tourScreens(t *testing.T, check func(screen string, c fyne.Canvas)) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	for i := range 2 { // a folder share
		_, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("f", i), Env: api.SandboxKey, Account: "demo",
			Name: fmt.Sprintf("IMG_%04d.jpg", i), Size: 2_100_000, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
			Verified: true, FinishedAt: fixedNow.Add(-30 * time.Hour), AddedFolder: "/home/someone/2026-05", BatchID: "b"})
		require.NoError(t, err)
	}
	e.ui(func() {
		a.now = func() time.Time { return fixedNow }
		for _, c := range envChoices {
			a.signin.env.SetSelected(choiceLabel(c))
			require.Equal(t, c, a.signin.choice())
			check("sign-in "+c, a.win.Canvas())
		}
		_, err := a.resolveEnv(choiceCustom, api.Environment{APIBase: "http://dstor.example"})
		a.signin.setError(humanError(err))
		check("sign-in, a custom URL refused", a.win.Canvas())
		a.signin.methods.Select(a.signin.loginTab)
		a.signin.password.SetText("")
		a.signin.onSubmitLogin()
		a.signin.showPending(3)
		a.signin.setBusy(true, tr("Signing in…"))
		check("sign-in, email form", a.win.Canvas())
		a.signin.setBusy(false, "")
	})
	e.signInSandbox()
	e.ui(func() {
		a.tabs.Select(a.uploadTab)
		a.upload.showLocked(2)
		check("upload, empty", a.win.Canvas())
		a.win.Resize(fyne.NewSize(640, 480)) // the toolbar's icons alone
		check("upload, narrow window", a.win.Canvas())
		a.upload.jobs = pseudoJobs()
		a.upload.reindex()
		a.upload.sum = pseudoSummary()
		a.upload.render()
		a.win.Resize(fyne.NewSize(1280, 1600)) // every row on screen
		require.Len(t, shownJobs(a.upload), len(a.upload.jobs), "every row is on screen")
		check("upload, every row state", a.win.Canvas())
		for _, j := range a.upload.jobs {
			if j.State == storage.JobFailed {
				a.upload.onShowReason(j.ID)
				require.NotNil(t, a.win.Canvas().Overlays().Top(), "a failed row's whole reason")
				check("reason dialog", a.win.Canvas())
				dismissOverlays(a.win.Canvas())
				break
			}
		}
		full := &storage.DiskFullError{Dir: "/home/someone/.local/share/dstor-uploader", Free: 900_000, Need: 64_000_000}
		a.upload.sum = worker.Summary{Total: 9, Done: 1, Queued: 2, Stalled: full.Error(), StalledDisk: full}
		a.upload.render()
		check("upload, disk full", a.win.Canvas())
		a.upload.sum = worker.Summary{Total: 9, Done: 1, Queued: 2, Failed: 1, HistoryGone: &storage.ReplacedError{Path: "/home/someone/.local/share/dstor-uploader/dstor-uploader.db", Deleted: true}}
		a.upload.render()
		check("upload, history deleted", a.win.Canvas())
		a.upload.sum.HistoryGone = &storage.ReplacedError{Path: "/home/someone/.local/share/dstor-uploader/dstor-uploader.db"}
		a.upload.render()
		check("upload, history replaced", a.win.Canvas())
		a.upload.sum.HistoryGone = &storage.ReplacedError{Path: "/home/someone/.local/share/dstor-uploader/dstor-uploader.db", Journal: true}
		a.upload.render()
		check("upload, history's journal deleted", a.win.Canvas())
		a.copyText("x", "Link")
		a.onCloseRequested()
		check("quit dialog and toast", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.onSignOut()
		check("sign-out dialog", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.upload.sum.Paused = true
		a.onSignOut()
		check("sign-out dialog, paused", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.upload.sum.Paused = false
		a.upload.sum.Walking = true
		a.upload.onCancelAll()
		check("cancel all dialog", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.askOtherEnv([]string{"/tmp/a.txt"}, "testnet", nil)
		check("other environment dialog", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.win.Resize(fyne.NewSize(980, 680))
		a.tabs.Select(a.settingsTab)
		a.prefs.gateway.SetText("ipfs.io")
		a.prefs.language.SetSelected("Deutsch")
		check("settings", a.win.Canvas())
		a.prefs.language.SetSelected(languageLabels()[""])
		a.prefs.gateway.SetText("")
		a.tabs.Select(a.historyTab)
	})
	e.eventually(func() bool { return len(a.history.entries) == 7 }, "history loaded")
	e.ui(func() {
		h := a.history
		a.win.Resize(fyne.NewSize(980, 1000)) // every row on screen
		for _, it := range h.items {
			if it.folder != nil {
				h.toggleFolder(it.folder.key) // open: its files under it
				break
			}
		}
		h.entries[0].Live = storage.LiveCheck{At: fixedNow, Took: 420 * time.Millisecond}
		h.entries[1].Live = storage.LiveCheck{At: fixedNow, Error: "not served"}
		h.list.Refresh()
		check("history", a.win.Canvas())
		a.showMenuBelow(copyAsMenu(func(string) {}), h.export)
		check("copy as menu", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		h.clickRow(h.entries[0].ID, fyne.KeyModifierShortcutDefault)
		h.clickRow(h.entries[2].ID, fyne.KeyModifierShortcutDefault)
		require.True(t, h.selBar.box.Visible(), "two entries selected")
		check("history, selection bar", a.win.Canvas())
		h.search.SetText(pseudoSearch)
		h.onExportMenu()
		check("export menu", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		h.onDeleteSelected()
		check("delete selected dialog", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		h.clearSelection()
		a.history.onDelete(a.history.entries[0].ID)
		check("delete dialog", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.history.onQR(a.history.entries[0].ID)
		check("QR dialog", a.win.Canvas())
		dismissOverlays(a.win.Canvas())
		a.history.search.SetText(pseudoNoMatch)
	})
	e.eventually(func() bool { return len(a.history.entries) == 0 }, "no match")
	e.ui(func() { check("history, no match", a.win.Canvas()) })
}

// dismissOverlays closes the dialogs and menus on c.
func dismissOverlays(c fyne.Canvas) {
	for c.Overlays().Top() != nil {
		c.Overlays().Remove(c.Overlays().Top())
	}
}

// pseudoSummary is the summary of pseudoJobs: the list holds every one.
func pseudoSummary() worker.Summary {
	return worker.Summary{Total: len(pseudoJobs()), Done: 1, Already: 1, Queued: 3, Uploading: 1, Failed: 7, Canceled: 1,
		Skipped: 2, WaitingSignIn: true, Walking: true, BytesTotal: 30_000_000, BytesDone: 12_000_000, Paused: true}
}

// shownJobs are the ids of the rows v's list shows now.
func shownJobs(v *uploadView) []string {
	var ids []string
	for _, o := range listRows(v.list) {
		if r, ok := o.(*queueRow); ok && r.Visible() {
			ids = append(ids, r.jobID)
		}
	}
	return ids
}

// pseudoJobs are rows in every state the queue shows.
func pseudoJobs() []worker.Job {
	jobs := goldenJobs()
	parent := int64(1234)
	return append(jobs,
		worker.Job{ID: "6", Name: "slides.pdf", Size: 8_400_000, State: storage.JobQueued, ParentID: &parent},
		worker.Job{ID: "7", Name: "cover.jpg", Size: 420_000, State: storage.JobQueued, Attempts: 2, Err: "dStor is busy",
			Reason: worker.ReasonServerTrouble, RetryAt: fixedNow.Add(time.Minute)},
		worker.Job{ID: "8", Name: "old.txt", Size: 100, State: storage.JobCanceled},
		worker.Job{ID: "9", Name: "link.txt", State: storage.JobSkipped, Err: "symbolic link", Reason: worker.ReasonSymlink},
		worker.Job{ID: "11", Name: "gone.txt", State: storage.JobFailed, Attempts: 4, Err: "cannot reach it", Reason: worker.ReasonUnreachable, ReasonArg: "127.0.0.1:8080"},
		worker.Job{ID: "10", Name: "later.txt", Size: 10, State: storage.JobWaitingSignIn},
		worker.Job{ID: "12", Name: "card.jpg", State: storage.JobFailed, Reason: worker.ReasonFileUnreadable, ReasonArg: "input/output error"},
		worker.Job{ID: "13", Name: "old-share", State: storage.JobSkipped, Reason: worker.ReasonFolderUnreadable, ReasonArg: systemWords},
		worker.Job{ID: "14", Name: "mailbox.pst", State: storage.JobFailed, Reason: worker.ReasonFileRefused, ReasonArg: string(api.ProblemLocked)},
		worker.Job{ID: "15", Name: "nul.txt", State: storage.JobFailed, Reason: worker.ReasonFileRefused, ReasonArg: string(api.ProblemReservedName) + " nul.txt"},
		worker.Job{ID: "16", Name: "odd.txt", State: storage.JobFailed, Reason: worker.ReasonOther, ReasonArg: systemWords},
		worker.Job{ID: "17", Name: "odder.txt", State: storage.JobFailed, Reason: worker.ReasonOther},
	)
}
