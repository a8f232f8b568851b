package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// smallWindow is a window on half of a small laptop's screen (1366×768
// snapped to one side leaves 683 points; 1280×800, 640): Settings must show
// every setting whole there, in every language.
var smallWindow = fyne.NewSize(640, 480)

// TestSettingsWholeInASmallWindow opens Settings in each of the window's
// languages in a window of smallWindow's width, with its longest sentences
// shown (a gateway that is not one, a limit that is not one, the language
// note), and fails on a setting cut or out of reach: a text narrower than
// itself or past the window's edge, at the top and, scrolled, the bottom.
// Settings set the window's least width (726 to 740 points outside English)
// and, on a screen or beside a window that left less, was cut on the right.
func TestSettingsWholeInASmallWindow(t *testing.T) {
	inEachLanguage(t, func(t *testing.T, l windowLanguage) {
		e := newTestEnv(t)
		a := e.a
		e.ui(func() {
			a.win.SetContent(a.mainView)
			a.tabs.Select(a.settingsTab)
			p := a.prefs
			p.checkUploadLimit("2x")
			p.gateway.SetText("https://user:secret@ipfs.io")
			p.languageNote.SetText(tr("The new language is used from the next time you open dStor Uploader."))
			p.languageNote.Show()
			t.Logf("%s: Settings' least size %v", l.Tag, p.content.MinSize())
			for _, h := range []float32{smallWindow.Height, 2400} {
				a.win.Resize(fyne.NewSize(smallWindow.Width, h))
				a.win.Content().Refresh()
				assertNoClipping(t, l.Tag+" settings", a.win)
			}
			assert.LessOrEqual(t, p.content.MinSize().Width, smallWindow.Width, "%s: Settings' least width", l.Tag)
		})
	})
}

// TestWrappedCheckTicksFromItsText: a tap anywhere on a wrapped check
// box's sentence ticks and unticks it, as on Fyne's one-line check box.
func TestWrappedCheckTicksFromItsText(t *testing.T) {
	test.NewTempApp(t)
	c := newWrappedCheck("Check that each new link works (a small download of its first bytes)", nil)
	test.NewTempWindow(t, c)
	c.Resize(fyne.NewSize(160, 40))
	c.Resize(fyne.NewSize(160, c.MinSize().Height)) // as tall as its lines at this width
	oneLine := newWrappedCheck("x", nil).MinSize().Height
	require.Greater(t, c.Size().Height, 1.5*oneLine, "the sentence wraps at 160 points")
	end := fyne.NewPos(c.Size().Width-10, c.Size().Height-10) // the last line, right
	test.TapAt(c, end)
	assert.True(t, c.Checked, "a tap on the sentence's last line ticks the box")
	test.TapAt(c, end)
	assert.False(t, c.Checked, "a second tap unticks it")
}
