package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestALongToastLeavesTheTabsWhole: "Still looking at “…”: the drive or
// network share it is on has not answered yet.", the longest toast,
// covered the end of the Settings tab's label in every language at the
// window's first size (980×680: "Einstellunge", "Réglage", "Настройк"):
// the toast's room was measured from tabs narrower than Fyne draws them.
// The toast now starts past the last tab, in each language.
func TestALongToastLeavesTheTabsWhole(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		t.Run(l.Tag, func(t *testing.T) {
			t.Setenv("LANGUAGE", strings.TrimSuffix(l.File, ".json"))
			require.NoError(t, useLanguage(""))
			e := newTestEnv(t) // its tabs named in l's language
			a := e.a
			e.ui(func() {
				a.showMain()
				a.win.Resize(fyne.NewSize(980, 680))
				a.showToast(tr("Still looking at “{{.Name}}”: the drive or network share it is on has not answered yet.",
					map[string]any{"Name": "quarterly-report-2026.pdf"}))
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
}
