package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestALongToastLeavesTheTabsWhole: a long toast (Show in folder clicked
// while a look at the file is under way) covered the end of the Settings
// tab's label in every language at the window's first size (980×680:
// "Einstellunge", "Réglage", "Настройк"):
// the toast's room was measured from tabs narrower than Fyne draws them.
// The toast now starts past the last tab, in each language.
func TestALongToastLeavesTheTabsWhole(t *testing.T) {
	inEachLanguage(t, func(t *testing.T, l windowLanguage) {
		e := newTestEnv(t) // its tabs named in l's language
		a := e.a
		e.ui(func() {
			a.showMain()
			a.win.Resize(fyne.NewSize(980, 680))
			a.history.stillLooking("quarterly-report-2026.pdf")
			a.win.Content().Refresh()
			d := fyne.CurrentApp().Driver()
			var tabsEnd float32
			walkObjects(a.tabs, func(o fyne.CanvasObject) {
				if txt, ok := o.(*canvas.Text); ok && txt.Text == tr("Settings") {
					tabsEnd = d.AbsolutePositionForObject(txt).X + txt.MinSize().Width + theme.InnerPadding()
				}
			})
			require.NotZero(t, tabsEnd, "the Settings tab's label is drawn")
			at := d.AbsolutePositionForObject(a.toastBox).X
			assert.GreaterOrEqual(t, at, tabsEnd, "%s: the toast starts at x=%.0f, over the Settings tab, which ends at x=%.0f", l.Tag, at, tabsEnd)
		})
	})
}

// TestStillLookingShowsWhyInTheToast: the toast of Show in folder or
// Check again clicked while a look at the file is under way was cut at
// the window's first size (980×680) before it said why, in every
// language ("… the drive or network share it is on has not answ…"): the
// file's name came first and took the room. Every word of it but the
// name's is now shown; what the toast cuts is the end of the name, of the
// row the person just clicked.
func TestStillLookingShowsWhyInTheToast(t *testing.T) {
	const name = "quarterly-report-2026.pdf"
	inEachLanguage(t, func(t *testing.T, l windowLanguage) {
		e := newTestEnv(t)
		a := e.a
		e.ui(func() {
			a.showMain()
			a.win.Resize(fyne.NewSize(980, 680))
			a.history.stillLooking(name)
			a.win.Content().Refresh()
			var shown strings.Builder
			walkObjects(a.toast, func(o fyne.CanvasObject) {
				if txt, ok := o.(*canvas.Text); ok {
					shown.WriteString(txt.Text)
				}
			})
			require.NotEmpty(t, shown.String(), "the toast is drawn")
			without := strings.Replace(a.toast.Text, name, " ", 1)
			for _, w := range strings.Fields(without) {
				w = strings.Trim(w, ".:;,«»„“”\" ")
				if w != "" {
					assert.Contains(t, shown.String(), w, "%s: the toast %q shows %q", l.Tag, a.toast.Text, shown.String())
				}
			}
		})
	})
}

// TestALongToastStaysLongEnoughToRead: every toast went after 3 s, also
// "Still waiting for the drive or network share that holds “…”." (13
// words, some 90 characters with a file's name): gone before it was
// read. A short one ("Link copied to the clipboard") still goes after
// 3 s; a longer one stays as long as its text takes to read, at about 14
// characters a second.
func TestALongToastStaysLongEnoughToRead(t *testing.T) {
	stillWaiting := "Still waiting for the drive or network share that holds “quarterly-report-hang-2026.pdf”."
	for _, tt := range []struct {
		msg      string
		at, most time.Duration
	}{
		{"Link copied to the clipboard", 3 * time.Second, 3 * time.Second},
		{"“report.pdf” is live", 3 * time.Second, 3 * time.Second},
		{stillWaiting, 6 * time.Second, 7 * time.Second},
		{strings.Repeat("x", 1000), toastLongest, toastLongest},
	} {
		got := toastShownFor(tt.msg)
		assert.True(t, got >= tt.at && got <= tt.most, "%q (%d characters) stays %s, want %s to %s", tt.msg, len([]rune(tt.msg)), got, tt.at, tt.most)
	}
}

// TestAToastLooksLikeWhatItSays: every toast had a success's green tick,
// "not reachable yet" and "Still waiting for the drive…" too, which told
// the person at a glance that a check had passed. A toast now shows a
// tick only for what was done, an "i" for a note, and a warning sign, in
// the warning colour, for what was not done or is not so.
func TestAToastLooksLikeWhatItSays(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	for _, tt := range []struct {
		name       string
		show       func(string)
		icon       string
		importance widget.Importance
		stroke     fyne.ThemeColorName
	}{
		{"done", a.showToast, "success_check", widget.SuccessImportance, theme.ColorNameSuccess},
		{"note", a.showNote, "info", widget.MediumImportance, theme.ColorNameForeground},
		{"problem", a.showProblem, "warning_warning", widget.WarningImportance, theme.ColorNameWarning},
		{"done after a problem", a.showToast, "success_check", widget.SuccessImportance, theme.ColorNameSuccess},
	} {
		e.ui(func() {
			a.showMain()
			tt.show("a toast")
			assert.Contains(t, a.toastIcon.Resource.Name(), tt.icon, tt.name)
			assert.Equal(t, tt.importance, a.toast.Importance, tt.name)
			assert.Equal(t, tt.stroke, a.toastBox.stroke, tt.name)
		})
	}
}

// TestShownMarkSeesOnlyWhatCameAfter: a wait marked before an action
// (markShown) ended on a toast still there from before it, since a hidden
// toast keeps its text (CI red once, session 38). A mark sees no toast or
// dialog shown before it, and each one shown after it.
func TestShownMarkSeesOnlyWhatCameAfter(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		a.showToast("Link copied to the clipboard")
		a.hideToast()
		dialog.ShowInformation("Before", "a dialog up before the mark", a.win)
	})
	since := e.markShown()
	e.ui(func() {
		assert.Empty(t, since.toastAfter(a), "the toast shown before the mark, though its text is kept")
		assert.Nil(t, since.dialogAfter(a), "the dialog up before the mark")
		a.showNote("300 files were already in the queue, so they were not added again.")
		assert.Equal(t, "300 files were already in the queue, so they were not added again.", since.toastAfter(a))
		dialog.ShowInformation("After", "a dialog shown after the mark", a.win)
		assert.Contains(t, overlayText(a.win.Canvas()), "a dialog shown after the mark")
		assert.Equal(t, a.win.Canvas().Overlays().Top(), since.dialogAfter(a))
	})
}
