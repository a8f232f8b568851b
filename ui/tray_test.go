package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trayApp is Fyne's test app with a tray (desktop.App) that keeps what it
// is given: the test app has none. It notes whether a window of its was
// shown when the tray was set up.
type trayApp struct {
	fyne.App
	menu       *fyne.Menu
	icon       fyne.Resource
	shown      bool
	shownFirst bool
}

func (t *trayApp) SetSystemTrayMenu(m *fyne.Menu) {
	t.menu = m
	t.shownFirst = t.shown
}
func (t *trayApp) SetSystemTrayIcon(r fyne.Resource) { t.icon = r }
func (t *trayApp) SetSystemTrayWindow(fyne.Window)   {}

func (t *trayApp) NewWindow(title string) fyne.Window {
	return &showWindow{Window: t.App.NewWindow(title), app: t}
}

// showWindow is a test window that tells its trayApp when it is shown.
type showWindow struct {
	fyne.Window
	app *trayApp
}

func (w *showWindow) Show() {
	w.app.shown = true
	w.Window.Show()
}

// openTray builds an App on e's database over a test app with a tray.
func openTray(e *testEnv, noTray bool) (*App, *trayApp) {
	e.t.Helper()
	fa := &trayApp{App: test.NewTempApp(e.t)}
	a := NewApp(fa, Deps{DB: e.db, Secrets: e.secrets, Home: e.dir, NoAutoSignIn: true, NoTray: noTray})
	e.t.Cleanup(a.Close)
	return a, fa
}

// TestTray checks the tray menu, set up once the window is shown (not
// before: the tray's hidden window would come first and delay it), and
// that its Pause item follows the queue's, and that without a tray (Run's
// NoTray: no D-Bus session bus, where none can show) the window builds
// none and Pause works all the same.
func TestTray(t *testing.T) {
	t.Run("tray", func(t *testing.T) {
		e := newTestEnv(t)
		a, fa := openTray(e, false)
		assert.Nil(t, fa.menu, "no tray before the window shows")
		a.showAndRun() // the test app's event loop returns at once
		require.NotNil(t, fa.menu)
		assert.True(t, fa.shownFirst, "the window was shown before the tray was set up")
		assert.NotNil(t, fa.icon)
		var labels []string
		for _, it := range fa.menu.Items {
			labels = append(labels, it.Label)
		}
		assert.Equal(t, []string{"Show dStor Uploader", "Add files…", "", "Pause uploads", "", "Quit"}, labels)
		a.uiMu.Lock()
		a.upload.showPaused(true)
		a.uiMu.Unlock()
		assert.Equal(t, "Resume uploads", fa.menu.Items[3].Label)
	})
	t.Run("no tray", func(t *testing.T) {
		e := newTestEnv(t)
		a, fa := openTray(e, true)
		a.showAndRun()
		assert.Nil(t, fa.menu, "no tray menu")
		assert.Nil(t, fa.icon, "no tray icon")
		a.uiMu.Lock()
		a.upload.showPaused(true)
		paused := a.upload.pause.AccessibilityLabel()
		a.uiMu.Unlock()
		assert.Equal(t, "Resume", paused)
	})
}
