package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pressKey sends key as the desktop driver does: to the focused control,
// else to the window.
func pressKey(c fyne.Canvas, key fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: key}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if typed := c.(interface{ OnTypedKey() func(*fyne.KeyEvent) }).OnTypedKey(); typed != nil {
		typed(ev)
	}
}

// overlayOpener opens one kind of dialog or menu, named.
type overlayOpener struct {
	name string
	open func()
}

// dialogOpeners open each kind of dialog the window shows: a message, a
// question (whose yes fails t) and the QR code.
func dialogOpeners(t *testing.T, a *App) []overlayOpener {
	return []overlayOpener{
		{"error", func() { a.showError(tr("Cannot export"), errors.New("the disk is gone")) }},
		{"confirm", func() {
			a.confirm(tr("Quit while uploading?"), "…", tr("Quit"), tr("Cancel"), func() { t.Error("Escape answered yes") })
		}},
		{"the fallback save dialog's file name", func() {
			a.askSaveName(tr("Export the upload history"), t.TempDir(), "history.csv", "", func(string) { t.Error("Escape saved") })
		}},
		{"QR code", func() {
			a.showQR("notes.txt", "https://gateway.example/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o")
		}},
	}
}

// TestEscapeClosesDialogs: Escape closes each kind of dialog and menu the
// window opens, answering no, and does nothing without one.
func TestEscapeClosesDialogs(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		c := a.win.Canvas()
		pressKey(c, fyne.KeyEscape) // nothing to close
		opens := append(dialogOpeners(t, a),
			overlayOpener{"menu", func() {
				a.showMenuBelow(copyAsMenu(func(string) { t.Error("Escape chose an item") }), a.history.export)
			}},
			overlayOpener{"Fyne's file chooser", func() { a.fyneOpenFile() }},
			overlayOpener{"Fyne's folder chooser", func() { a.fyneOpenFolder() }})
		for _, o := range opens {
			o.open()
			require.NotNil(t, c.Overlays().Top(), "%s open", o.name)
			pressKey(c, fyne.KeyEscape)
			assert.Nil(t, c.Overlays().Top(), "%s closed by Escape", o.name)
		}
	})
}

// TestEscapeClosesDialogsWhateverHasTheFocus: once Tab has moved the focus
// to any control of a dialog (a button of its row or of its content),
// Escape still closes it, answering no, though the key now goes to that
// control rather than to the window.
func TestEscapeClosesDialogsWhateverHasTheFocus(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		c := a.win.Canvas()
		opens := dialogOpeners(t, a)
		controlsOf := func(open func()) []fyne.Focusable {
			open()
			var controls []fyne.Focusable
			focusableControls(c.Overlays().Top(), func(f fyne.Focusable) { controls = append(controls, f) })
			return controls
		}
		for _, o := range opens {
			n := len(controlsOf(o.open))
			dismissOverlays(c)
			require.NotZero(t, n, o.name)
			for tabs := 1; tabs <= n; tabs++ {
				controls := controlsOf(o.open)
				for range tabs {
					c.FocusNext()
				}
				focused := c.Focused()
				require.NotNil(t, focused, "%s: Tab ×%d focuses a control", o.name, tabs)
				assert.Contains(t, controls, focused, "%s: the focus stays in the dialog", o.name)
				pressKey(c, fyne.KeyEscape)
				assert.Nil(t, c.Overlays().Top(), "%s closed by Escape with %s focused", o.name, speakableName(focused.(fyne.CanvasObject)))
				dismissOverlays(c)
				c.Unfocus()
			}
		}
	})
}
