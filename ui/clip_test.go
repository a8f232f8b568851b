package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// clipped reports the texts in o's tree that are cut: a one-line label,
// button, check box or choice given less than its minimum size, or one
// reaching outside the window or (sideways) outside its scroll area.
// Labels that truncate with "…" or wrap on purpose are not cut.
func clipped(o fyne.CanvasObject, at fyne.Position, clip [4]float32, report func(what string)) {
	if o == nil || !o.Visible() {
		return
	}
	pos := at.Add(o.Position())
	size := o.Size()
	if pos.Y >= clip[3] || pos.Y+size.Height <= clip[2] {
		return // scrolled out of sight
	}
	check := func(name string) {
		min := o.MinSize()
		if size.Width+0.5 < min.Width {
			report(fmt.Sprintf("%s: narrower than its text (%.0fx%.0f < %.0fx%.0f)", name, size.Width, size.Height, min.Width, min.Height))
		}
		if pos.X < clip[0]-0.5 || pos.X+size.Width > clip[1]+0.5 {
			report(fmt.Sprintf("%s: outside the window (x %.0f to %.0f, the window's room %.0f to %.0f)", name, pos.X, pos.X+size.Width, clip[0], clip[1]))
		}
	}
	switch w := o.(type) {
	case *widget.Label:
		if w.Truncation == fyne.TextTruncateOff && w.Wrapping == fyne.TextWrapOff && w.Text != "" {
			check("label " + w.Text)
		}
		return
	case *widget.Button:
		check("button " + w.Text)
		return
	case *widget.Check:
		check("check " + w.Text)
		return
	case *widget.Select:
		check("select " + w.Selected)
		// A select's least width is its placeholder's, not its choice's:
		// a longer choice is cut short with "…".
		if shown := drawnText(w); shown != w.Selected {
			report(fmt.Sprintf("select %s: its choice is cut to %q (%.0f points wide)", w.Selected, shown, size.Width))
		}
		return
	case *widget.RadioGroup:
		check("radio group " + strings.Join(w.Options, "/"))
		return
	case *container.Scroll:
		if w.Direction != container.ScrollVerticalOnly {
			clip[0], clip[1] = pos.X, pos.X+size.Width
		}
		clip[2], clip[3] = fyne.Max(clip[2], pos.Y), fyne.Min(clip[3], pos.Y+size.Height)
		clipped(w.Content, pos.Subtract(w.Offset), clip, report)
		return
	case *queueRow, *historyRow:
		return // rows truncate their texts; TestRowStatesFitTheirColumn
	case *fyne.Container:
		for _, c := range w.Objects {
			clipped(c, pos, clip, report)
		}
		return
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(w).Objects() {
			clipped(c, pos, clip, report)
		}
	}
}

// placeholderCut reports an empty entry whose placeholder is wider than
// the room the entry gives its text (its scroll area), which shows it cut
// off mid-word ("/ (корень учёт").
func placeholderCut(e *widget.Entry, report func(what string)) {
	if !e.Visible() || e.Text != "" || e.PlaceHolder == "" {
		return
	}
	r := test.WidgetRenderer(e)
	r.Layout(e.Size()) // as the next frame does
	for _, o := range r.Objects() {
		if s, ok := o.(*container.Scroll); ok {
			if need := s.Content.MinSize().Width; s.Size().Width+0.5 < need {
				report(fmt.Sprintf("entry %q: its placeholder needs %.0f points, the entry (%.0f wide) gives it %.0f", e.PlaceHolder, need, e.Size().Width, s.Size().Width))
			}
		}
	}
}

// drawnText is the text w draws, as its renderers cut it.
func drawnText(w fyne.Widget) string {
	var b strings.Builder
	for _, o := range test.WidgetRenderer(w).Objects() {
		switch c := o.(type) {
		case *canvas.Text:
			b.WriteString(c.Text)
		case fyne.Widget:
			b.WriteString(drawnText(c))
		}
	}
	return b.String()
}

// assertNoClipping fails on clipped text in the window as it is now.
func assertNoClipping(t *testing.T, screen string, w fyne.Window) {
	t.Helper()
	size := w.Canvas().Size()
	clipped(w.Content(), fyne.Position{}, [4]float32{0, size.Width, 0, size.Height}, func(what string) {
		t.Errorf("%s at %.0fx%.0f: %s", screen, size.Width, size.Height, what)
	})
}

// TestEveryLanguageFitsAtMinimumSize opens the main screens in each of
// the window's languages at the smallest size the window allows, and
// fails on any text that is cut.
func TestEveryLanguageFitsAtMinimumSize(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) }) // after LANGUAGE is back
	for _, l := range languages {
		t.Run(l.Tag, func(t *testing.T) { fitsAtMinimumSize(t, l) })
	}
}

// fitsAtMinimumSize is TestEveryLanguageFitsAtMinimumSize in language l,
// with a window of its own made in l.
func fitsAtMinimumSize(t *testing.T, l windowLanguage) {
	speak(t, l)
	require.Equal(t, readCatalog(t, l.File)["Language"]["other"], tr("Language"), "the window speaks %s", l.Name)
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	minimum := func(screen string, checks ...func(screen string)) {
		min := a.win.Content().MinSize()
		t.Logf("%s %s: minimum window size %.0fx%.0f", l.Tag, screen, min.Width, min.Height)
		// As low as the window goes (at least 480, where the sign-in card
		// sheds its logo), then tall enough to see what a scroll holds below.
		for _, h := range []float32{fyne.Max(min.Height, 480), 1600} {
			a.win.Resize(fyne.NewSize(min.Width, h))
			a.win.Content().Refresh() // lays out again what changed text since
			assertNoClipping(t, l.Tag+" "+screen, a.win)
			for _, check := range checks {
				check(l.Tag + " " + screen)
			}
		}
	}
	e.ui(func() {
		a.now = func() time.Time { return fixedNow }
		for _, c := range envChoices {
			a.signin.env.SetSelected(choiceLabel(c))
			minimum("sign-in " + c)
		}
		a.signin.methods.Select(a.signin.loginTab)
		minimum("sign-in, email form")
		a.win.SetContent(a.mainView)
		a.tabs.Select(a.uploadTab)
		a.upload.jobs = pseudoJobs()
		a.upload.reindex()
		// The longest summary: every part, a speed and the widest limit too.
		a.upload.sum = pseudoSummary()
		a.upload.sum.UploadLimit = widestLimit()
		a.upload.sending = map[string]float64{"uploading": 4_900_000}
		a.upload.render()
		minimum("upload", func(screen string) { assertSummaryWhole(t, screen, a.upload) })
		a.upload.sum.HistoryGone = &storage.ReplacedError{Path: "/home/someone/.local/share/dstor-uploader/dstor-uploader.db"}
		a.upload.render()
		require.True(t, a.upload.quitBtn.Visible(), "the banner of a history replaced offers Quit")
		minimum("upload, history replaced", func(string) { assertWholeHeight(t, a.upload.waitLabel) })
		a.upload.sum.HistoryGone = &storage.ReplacedError{Path: "/home/someone/.local/share/dstor-uploader/dstor-uploader.db", Journal: true}
		a.upload.render()
		minimum("upload, history's journal deleted", func(string) { assertWholeHeight(t, a.upload.waitLabel) })
		a.upload.sum.HistoryGone = nil
		a.upload.render()
		a.upload.destMode.SetSelected(destModeLabel(destParent))
		minimum("upload, to a parent folder id")
		a.upload.destMode.SetSelected(destModeLabel(destFolder))
		a.tabs.Select(a.settingsTab)
		minimum("settings")
		a.tabs.Select(a.historyTab)
	})
	e.eventually(func() bool { return len(a.history.entries) == 5 }, "history loaded")
	e.ui(func() { minimum("history") })
}

// widestLimit is the speed limit whose part of the summary line is the
// widest in the window's language: a number of bytes, of kilobytes or of
// megabytes per second, or one with a decimal mark.
func widestLimit() int64 {
	var widest int64
	var width float32
	for _, bps := range []int64{999, 999_999, 999_999_999, 5 << 20} {
		text := tr("limited to {{.Speed}}", map[string]any{"Speed": formatSpeed(float64(bps))})
		if w := fyne.MeasureText(text, theme.TextSize(), fyne.TextStyle{}).Width; w > width {
			widest, width = bps, w
		}
	}
	return widest
}

// assertSummaryWhole fails when the Upload tab's summary line does not
// show every part of the queue's summary, whole and beside the buttons.
func assertSummaryWhole(t *testing.T, screen string, v *uploadView) {
	t.Helper()
	l := v.summary
	assert.Equal(t, summaryText(v.sum, v.totalSpeed()), strings.ReplaceAll(l.Text, "\n", summarySeparator), "%s: the summary's parts", screen)
	assert.Equal(t, strings.ReplaceAll(l.Text, "\n", ""), drawnText(l), "%s: the summary is cut", screen)
	assertWholeHeight(t, l)
	d := fyne.CurrentApp().Driver()
	end := d.AbsolutePositionForObject(l).X + l.Size().Width
	assert.LessOrEqual(t, end, d.AbsolutePositionForObject(v.pause).X, "%s: the summary reaches under the buttons", screen)
}

// TestRowStatesFitTheirColumn: in every language, each state a queue row
// can show fits the row's state column.
func TestRowStatesFitTheirColumn(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		for _, s := range []string{tr("Waiting"), tr("Paused"), tr("Retrying ({{.N}})", map[string]any{"N": 12}), tr("Uploaded"),
			checkMark + " " + tr("Verified"), tr("Failed"), tr("Canceled"), tr("Skipped"), tr("Needs sign-in"), tr("Upload again")} {
			l := widget.NewLabel(s)
			if s == tr("Upload again") {
				b := widget.NewButtonWithIcon(s, theme.UploadIcon(), nil)
				require.LessOrEqual(t, b.MinSize().Width, float32(queueStateWidth), "%q", s)
				continue
			}
			require.LessOrEqual(t, l.MinSize().Width, float32(queueStateWidth), "%q", s)
		}
	}
}

// TestDoneRowKeepsStateAndActionsApart: in every language, a verified
// upload's row leaves at least a padding between its state (✓ Verified)
// and its Copy link button, however long Copy link is.
func TestDoneRowKeepsStateAndActionsApart(t *testing.T) {
	e := newTestEnv(t)
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		e.ui(func() {
			r := newQueueRow(e.a.upload)
			r.set(goldenJobs()[0]) // uploaded and verified
			w := test.NewWindow(r)
			defer w.Close()
			w.Resize(fyne.NewSize(900, r.MinSize().Height))
			d := fyne.CurrentApp().Driver()
			require.True(t, r.state.Visible() && r.copyLink.Visible(), l.Tag)
			stateEnd := d.AbsolutePositionForObject(r.state).X + r.state.Size().Width
			gap := d.AbsolutePositionForObject(r.copyLink).X - stateEnd
			require.GreaterOrEqual(t, gap, theme.Padding(), "%s: %q and %q are %.1f apart", l.Tag, r.state.Text, r.copyLink.Text, gap)
		})
	}
}

// TestRemoveLinesUpInEveryRow: a skipped row's Remove stood at the row's
// right end, where a failed row has Cancel's empty place, so in a queue of
// both the Remove buttons did not line up. Every row with Remove has it in
// the same place, and the reason's button just left of it.
func TestRemoveLinesUpInEveryRow(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		d := fyne.CurrentApp().Driver()
		at := map[storage.JobState][2]float32{}
		for _, j := range []worker.Job{
			{ID: "1", Name: "a.txt", State: storage.JobFailed, Err: "cannot read it"},
			{ID: "2", Name: "b.txt", State: storage.JobCanceled},
			{ID: "3", Name: "pipe", State: storage.JobSkipped, Err: "not a regular file"},
		} {
			r := newQueueRow(e.a.upload)
			r.set(j)
			w := test.NewWindow(r)
			w.Resize(fyne.NewSize(900, r.MinSize().Height))
			require.True(t, r.remove.Visible(), "%s row has Remove", j.State)
			at[j.State] = [2]float32{d.AbsolutePositionForObject(r.remove).X, d.AbsolutePositionForObject(r.why).X}
			w.Close()
		}
		want := at[storage.JobFailed]
		assert.Equal(t, want[0], at[storage.JobCanceled][0], "Remove of a canceled row")
		assert.Equal(t, want[0], at[storage.JobSkipped][0], "Remove of a skipped row")
		assert.Equal(t, want[1], at[storage.JobSkipped][1], "the reason's button of a skipped row")
	})
}

// TestErrorSentencesOnScreen: in German and Russian, a custom environment
// URL refused at sign-in, uploads paused by a full disk and files the
// system cannot read are shown in the window's language, whole. With
// DSTOR_GOLDEN_PNG set it saves each screen there.
func TestErrorSentencesOnScreen(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, tag := range []string{"de", "ru"} {
		t.Run(tag, func(t *testing.T) { showErrorSentences(t, tag) })
	}
}

// showErrorSentences is TestErrorSentencesOnScreen in the language tag,
// with a window of its own that is gone before the next language loads.
func showErrorSentences(t *testing.T, tag string) {
	t.Setenv("LANGUAGE", tag)
	require.NoError(t, useLanguage(""))
	e := newTestEnv(t) // its widgets made in tag's language
	a := e.a
	e.ui(func() {
		a.now = func() time.Time { return fixedNow }
		a.win.Resize(fyne.NewSize(900, 700))
		a.signin.env.SetSelected(choiceLabel(choiceCustom))
		require.Equal(t, choiceCustom, a.signin.choice())
		_, err := a.resolveEnv(choiceCustom, api.Environment{APIBase: "http://dstor.example"})
		a.signin.setError(humanError(err))
		require.Equal(t, validationText(firstValidationError(t, err)), a.signin.keyError.Text)
		require.Contains(t, a.signin.keyError.Text, "http://dstor.example")
		a.win.Content().Refresh()
		assertNoClipping(t, tag+" sign-in, a custom URL refused", a.win)
		assertWholeHeight(t, a.signin.keyError)
		savePNG(t, "errors-signin-"+tag, a.win.Canvas())
	})
	e.signInSandbox()
	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.uploadTab)
		a.upload.jobs = errorJobs()
		a.upload.reindex()
		full := &storage.DiskFullError{Dir: "/home/someone/.local/share/dstor-uploader", Free: 900_000, Need: 64_000_000}
		a.upload.sum = worker.Summary{Total: 5, Failed: 4, Skipped: 1, Stalled: full.Error(), StalledDisk: full}
		a.upload.render()
		a.win.Content().Refresh()
		require.True(t, a.upload.waiting.Visible(), "the full disk is shown")
		require.Equal(t, stalledText(a.upload.sum), a.upload.waitLabel.Text)
		assertNoClipping(t, tag+" uploads paused by a full disk", a.win)
		assertWholeHeight(t, a.upload.waitLabel)
		savePNG(t, "errors-queue-"+tag, a.win.Canvas())
	})
}

// assertWholeHeight fails when a wrapped label is given fewer lines than
// its text needs.
func assertWholeHeight(t *testing.T, l *widget.Label) {
	t.Helper()
	assert.GreaterOrEqual(t, l.Size().Height+0.5, l.MinSize().Height, "%q is cut: %.0f of %.0f points high", l.Text, l.Size().Height, l.MinSize().Height)
}

// errorJobs are rows whose reasons come from the system or a file check.
func errorJobs() []worker.Job {
	return []worker.Job{
		{ID: "1", Name: "card.jpg", Size: 4_200_000, State: storage.JobFailed, Reason: worker.ReasonFileUnreadable, ReasonArg: "input/output error"},
		{ID: "2", Name: "old-share", State: storage.JobSkipped, Reason: worker.ReasonFolderUnreadable, ReasonArg: systemWords},
		{ID: "3", Name: "mailbox.pst", Size: 2_000_000_000, State: storage.JobFailed, Reason: worker.ReasonFileRefused, ReasonArg: string(api.ProblemLocked)},
		{ID: "4", Name: "nul.txt", State: storage.JobFailed, Reason: worker.ReasonFileRefused, ReasonArg: string(api.ProblemReservedName) + " nul.txt"},
		{ID: "5", Name: "odd.txt", State: storage.JobFailed, Reason: worker.ReasonOther, ReasonArg: systemWords},
	}
}

// firstValidationError is the *api.ValidationError in err.
func firstValidationError(t *testing.T, err error) *api.ValidationError {
	t.Helper()
	var ve *api.ValidationError
	require.ErrorAs(t, err, &ve)
	return ve
}

// TestUploadTabWholeAtEveryWidth: in every language, the queue's summary
// line, and the placeholders of the destination and comment fields, are
// whole at every window width from the window's minimum up, not only at
// the minimum: the toolbar's buttons keep their labels only where that
// leaves the summary room for its widest part. (They kept them from a
// fixed 760 points, so a German queue at 800 read "0 von 0 hoch…".)
func TestUploadTabWholeAtEveryWidth(t *testing.T) {
	inEachLanguage(t, func(t *testing.T, l windowLanguage) {
		e := newTestEnv(t)
		a := e.a
		e.ui(func() {
			a.win.SetContent(a.mainView)
			a.tabs.Select(a.uploadTab)
			for _, c := range []struct {
				sum  worker.Summary
				mode string
			}{
				{worker.Summary{Total: 11, Done: 8, Skipped: 3}, destFolder}, // a finished folder with odd entries
				{worker.Summary{Total: 40, Done: 12, Queued: 28, Failed: 1, BytesTotal: 300_000_000, BytesDone: 90_000_000}, destParent},
			} {
				a.upload.destMode.SetSelected(destModeLabel(c.mode))
				a.upload.sum = c.sum
				a.upload.sending = map[string]float64{"uploading": 4_900_000}
				a.upload.render()
				min := a.win.Content().MinSize()
				for w := min.Width; w <= 1400; w += 10 {
					a.win.Resize(fyne.NewSize(w, 700))
					layoutAgain(a.win.Content())
					screen := fmt.Sprintf("%s at %.0f wide", l.Tag, w)
					assertSummaryWhole(t, screen, a.upload)
					for _, e := range []*widget.Entry{&a.upload.folder.Entry, a.upload.parent, a.upload.comment} {
						placeholderCut(e, func(what string) { t.Errorf("%s: %s", screen, what) })
					}
				}
			}
		})
	})
}

// layoutAgain lays out o's tree again at the sizes it has, from the top
// down, as the next frame does once a text changed a minimum size (the
// summary's lines, the buttons' labels): without refreshing every widget,
// which re-themes and redraws each one (its icons decoded again), and made
// a test that walks many widths spend minutes on that alone.
func layoutAgain(o fyne.CanvasObject) {
	switch c := o.(type) {
	case *fyne.Container:
		if c.Layout != nil {
			c.Layout.Layout(c.Objects, c.Size())
		}
		for _, child := range c.Objects {
			layoutAgain(child)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(c)
		r.Layout(c.Size())
		for _, child := range r.Objects() {
			layoutAgain(child)
		}
	}
}
