package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestGoldens renders the main screens, light and dark, to markup under
// testdata/. Nothing time- or port-dependent is on them.
func TestGoldens(t *testing.T) {
	for _, variant := range []string{storage.ThemeLight, storage.ThemeDark} {
		t.Run(variant, func(t *testing.T) {
			e := newTestEnv(t)
			a := e.a
			seedHistory(t, e.db, 6)
			e.ui(func() {
				a.now = func() time.Time { return fixedNow }
				a.applyTheme(variant)
				a.win.Resize(fyne.NewSize(980, 680))
				a.signin.env.SetSelected(choiceSandbox)
				test.AssertRendersToMarkup(t, "signin_"+variant+".xml", a.win.Canvas())

				a.signin.methods.Select(a.signin.loginTab)
				a.signin.setError("dStor refused the email or password: check them and try again.")
				test.AssertRendersToMarkup(t, "signin_error_"+variant+".xml", a.win.Canvas())

				// The main window without a session: no account id or port
				// in the header.
				a.win.SetContent(a.mainView)
				a.prefs.dataDir.SetText("History and settings are stored in the data folder.")
				a.tabs.Select(a.uploadTab)
				test.AssertRendersToMarkup(t, "upload_empty_"+variant+".xml", a.win.Canvas())
				a.tabs.Select(a.settingsTab)
				test.AssertRendersToMarkup(t, "settings_"+variant+".xml", a.win.Canvas())
				a.tabs.Select(a.historyTab) // reloads
			})
			e.eventually(func() bool { return len(a.history.entries) == 8 }, "history loaded")
			e.ui(func() {
				test.AssertRendersToMarkup(t, "history_"+variant+".xml", a.win.Canvas())
			})
		})
	}
}
