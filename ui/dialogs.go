package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// escapeButton is a button of a dialog that Escape closes even when this
// button has the focus: Fyne hands a key to the focused control, never to
// the window (App.onTypedKey), and its stock buttons ignore Escape. Return
// and Enter press it, as Space does (actionButton).
type escapeButton struct {
	actionButton
	escape func()
}

func newEscapeButton(label string, icon fyne.Resource, tapped, escape func()) *escapeButton {
	b := &escapeButton{escape: escape}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey closes the dialog on Escape; other keys work as on any button.
func (b *escapeButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && b.escape != nil {
		b.escape()
		return
	}
	b.actionButton.TypedKey(ev)
}

// dialogChoice is one button of a dialog: its label, icon and importance,
// and what choosing it does once the dialog has closed (nil: nothing).
type dialogChoice struct {
	label  string
	icon   fyne.Resource
	imp    widget.Importance
	chosen func()
}

// newDialog makes a dialog over the window with content and a button per
// choice, in a row; the first choice is the "no" that Escape answers,
// whichever of the dialog's buttons has the focus. Controls of content that
// take the focus should be escapeButtons that close it too.
func (a *App) newDialog(title string, icon fyne.Resource, content fyne.CanvasObject, choices ...dialogChoice) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(fitTitle(title, a.dialogSize().Width-dialogFramePad), content, a.win)
	d.SetIcon(icon)
	choose := func(c dialogChoice) func() {
		return func() {
			d.Hide()
			if c.chosen != nil {
				c.chosen()
			}
		}
	}
	buttons := make([]fyne.CanvasObject, len(choices))
	for i, c := range choices {
		b := newEscapeButton(c.label, c.icon, choose(c), choose(choices[0]))
		b.Importance = c.imp
		buttons[i] = b
	}
	d.SetButtons(buttons)
	return d
}

// fitTitle is title shortened in the middle (fitMiddle) to fit room in
// the bold a dialog's title is drawn in: Fyne makes a dialog as wide as
// its title, which neither wraps nor cuts, so a QR code's title naming a
// file of 250 characters ran out past both edges of the window.
func fitTitle(title string, room float32) string {
	width := func(s string) float32 {
		return fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
	}
	return fitMiddle(title, room, width, leastTitleRunes)
}

// leastTitleRunes is the fewest characters fitTitle cuts a title to.
const leastTitleRunes = 2

// showScrolled shows d, whose content is scroll, as big as what scroll
// holds needs but no taller than dialogs get (dialogSize), where it
// scrolls: Fyne sizes a dialog to its minimum, in which a scroll is one
// line high, and without the scroll a QR code's dialog with a long link
// was taller than the window, its buttons below its edge.
func (a *App) showScrolled(d *dialog.CustomDialog, scroll *container.Scroll) {
	least := d.MinSize()
	full := least.Height - scroll.MinSize().Height + scroll.Content.MinSize().Height
	size := fyne.NewSize(least.Width, min(full, a.dialogSize().Height))
	d.Resize(size)
	d.Show()
	d.Resize(size)
}

// showTextDialog shows a message in a newDialog, under heading (none when
// ""): the name of what the message is about, in bold on one line, cut
// in the middle where it is longer than the dialog is wide (nameLabel), so
// its extension shows. The message is
// wrapped and centred, the dialog as wide as the text needs up to 600
// points or nine tenths of the window, as Fyne's own message dialogs are,
// and as tall as the text wrapped at that width: sized once shown, when
// the wrapped text has its width (sized before, a dialog with one narrow
// button came out tall and mostly empty).
func (a *App) showTextDialog(title string, icon fyne.Resource, heading, message string, choices ...dialogChoice) {
	var content fyne.CanvasObject = &widget.Label{Text: message, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	if heading != "" {
		head := newNameLabel(fyne.TextAlignCenter)
		head.SetText(heading)
		content = container.NewVBox(head, content)
	}
	d := a.newDialog(title, icon, content, choices...)
	unwrapped := widget.NewLabel(message).MinSize().Width + 2*theme.Padding() + dialogFramePad
	size := fyne.NewSize(min(unwrapped, maxMessageWidth, a.win.Canvas().Size().Width*0.9), 0)
	d.Resize(size) // Resize keeps at least the minimum height
	d.Show()
	d.Resize(size)
}

// How wide showTextDialog makes a message's dialog: at most
// maxMessageWidth, with dialogFramePad for the dialog's frame around the
// text (Fyne's own value).
const (
	maxMessageWidth float32 = 600
	dialogFramePad  float32 = 32
)

// showMessage shows title and message with an OK button.
func (a *App) showMessage(title, message string) {
	a.showTextDialog(title, theme.InfoIcon(), "", message, dialogChoice{label: tr("OK")})
}
