package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// openIcon is "open in the browser" (a box with an arrow leaving it); the
// default theme has no such icon. Themed, so it follows light and dark.
var openIcon = theme.NewThemedResource(fyne.NewStaticResource("open-external.svg", []byte(
	`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">`+
		`<path fill="#000000" d="M19 19H5V5h7V3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-7h-2v7z"/>`+
		`<path fill="#000000" d="M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3h-7z"/>`+
		`</svg>`)))

// themedBox draws a rounded, outlined panel behind its content whose
// colours follow the theme (a plain canvas.Rectangle keeps the colours it
// was created with when the person switches between light and dark).
type themedBox struct {
	widget.BaseWidget
	fill, stroke fyne.ThemeColorName
	content      fyne.CanvasObject
	// slim pads only across, by one Padding: a toast's box, slim enough to
	// sit in the tab bar (a panel's padding is twice that, all round).
	slim bool
}

func newThemedBox(fill, stroke fyne.ThemeColorName, content fyne.CanvasObject) *themedBox {
	b := &themedBox{fill: fill, stroke: stroke, content: content}
	b.ExtendBaseWidget(b)
	return b
}

// newToastBox is the outlined box of a toast ("Link copied"); its outline
// takes the colour of the toast's kind (toastLook).
func newToastBox(content fyne.CanvasObject) *themedBox {
	b := &themedBox{fill: theme.ColorNameBackground, stroke: theme.ColorNameSuccess, content: content, slim: true}
	b.ExtendBaseWidget(b)
	return b
}

func (b *themedBox) CreateRenderer() fyne.WidgetRenderer {
	r := &themedBoxRenderer{b: b, rect: canvas.NewRectangle(nil)}
	r.Refresh()
	return r
}

type themedBoxRenderer struct {
	b    *themedBox
	rect *canvas.Rectangle
}

// pad is the room between the outline and the content: across, and
// above and below.
func (r *themedBoxRenderer) pad() (across, down float32) {
	if r.b.slim {
		return theme.Padding(), 0
	}
	p := theme.Padding() * 2
	return p, p
}

func (r *themedBoxRenderer) Layout(size fyne.Size) {
	r.rect.Resize(size)
	x, y := r.pad()
	r.b.content.Resize(size.SubtractWidthHeight(2*x, 2*y))
	r.b.content.Move(fyne.NewPos(x, y))
}

func (r *themedBoxRenderer) MinSize() fyne.Size {
	x, y := r.pad()
	return r.b.content.MinSize().AddWidthHeight(2*x, 2*y)
}

func (r *themedBoxRenderer) Refresh() {
	th := r.b.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	r.rect.FillColor = th.Color(r.b.fill, v)
	if r.b.stroke != "" {
		r.rect.StrokeColor = th.Color(r.b.stroke, v)
		r.rect.StrokeWidth = 1.5
	}
	r.rect.CornerRadius = th.Size(theme.SizeNameInputRadius) * 2
	r.rect.Refresh()
	r.b.content.Refresh()
}

func (r *themedBoxRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.rect, r.b.content}
}

func (r *themedBoxRenderer) Destroy() {}

// rowName is a list row's file or folder name: bold, cut in the middle
// to the row's width (nameLabel).
func rowName() *nameLabel {
	return newNameLabel(fyne.TextAlignLeading)
}

// nameLabel shows a file or folder name (as nameText gives it) on one
// line, whole when it fits, else cut in the middle to its width
// (fitMiddle): Fyne cuts a label at its end, and a row showed
// "win2-photo.jpg" followed by 200 spaces and ".exe" as
// "win2-photo.jpg …", a picture's name for a program. Cut in the middle,
// the end of the name, its real extension, is always in view. Only what
// is shown is cut; a screen reader hears the name whole.
type nameLabel struct {
	widget.Label
	full string
}

// leastNameRunes is the fewest characters nameLabel cuts a name to, its
// first and last among them, however narrow the label: "a…e".
const leastNameRunes = 3

// newNameLabel is an empty nameLabel in bold, aligned as align.
func newNameLabel(align fyne.TextAlign) *nameLabel {
	l := &nameLabel{}
	l.Alignment = align
	l.TextStyle = fyne.TextStyle{Bold: true}
	// The text is cut to fit already; Fyne's end cut is left on only so
	// the label asks for no more width than any other row label.
	l.Truncation = fyne.TextTruncateEllipsis
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows name, cut in the middle to the label's width.
func (l *nameLabel) SetText(name string) {
	l.full = name
	l.fit(l.Size().Width)
}

// Resize cuts the name again to the new width.
func (l *nameLabel) Resize(size fyne.Size) {
	l.fit(size.Width)
	l.Label.Resize(size)
}

// AccessibilityLabel is the name whole, not as cut.
func (l *nameLabel) AccessibilityLabel() string { return l.full }

// fit shows the name cut to width; a label not laid out yet (no width)
// shows it whole.
func (l *nameLabel) fit(width float32) {
	shown := l.full
	if width > 0 {
		shown = fitMiddle(l.full, width, func(s string) float32 { return labelTextWidth(&l.Label, s) }, leastNameRunes)
	}
	if shown != l.Text {
		l.Label.SetText(shown)
	}
}

// caption is small secondary text (a row's details, a badge) of the given
// importance.
func caption(text string, importance widget.Importance) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = importance
	return l
}

// confirm asks title with text, its buttons saying yes and no, and runs
// then when the person chooses yes; Escape answers no.
func (a *App) confirm(title, text, yes, no string, then func()) {
	a.showTextDialog(title, theme.QuestionIcon(), "", text,
		dialogChoice{label: no, icon: theme.CancelIcon()},
		dialogChoice{label: yes, icon: theme.ConfirmIcon(), imp: widget.HighImportance, chosen: then},
	)
}

// note is a wrapped paragraph of help or status text.
func note(importance widget.Importance, wrap fyne.TextWrap) *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = wrap
	l.Importance = importance
	return l
}

// enable enables b when on, else disables it.
func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}

// show shows o when on, else hides it, and reports whether that changed o.
func show(o fyne.CanvasObject, on bool) bool {
	if o.Visible() == on {
		return false
	}
	if on {
		o.Show()
	} else {
		o.Hide()
	}
	return true
}

// commitEntry is a text field whose value takes effect when the person is
// done with it: on Enter and when the field loses focus, onCommit gets its
// text. OnChanged still sees each keystroke, to check the text as it is
// typed.
type commitEntry struct {
	widget.Entry
	onCommit func(text string)
}

func newCommitEntry(onCommit func(text string)) *commitEntry {
	e := &commitEntry{onCommit: onCommit}
	e.OnSubmitted = onCommit
	e.ExtendBaseWidget(e)
	return e
}

// FocusLost commits the text, as Enter does.
func (e *commitEntry) FocusLost() {
	e.Entry.FocusLost()
	e.onCommit(e.Text)
}

// wrappedCheck is a check box whose sentence wraps to the room it is
// given. Fyne's draws its text on one line, so a long one (Settings'
// "Check that each new link works…", longer in French) made a window too
// wide for half of a small screen. The whole widget is the box: a tap on
// the text ticks it too, and it takes the focus and Space as Fyne's does.
type wrappedCheck struct {
	widget.Check // its Text stays empty: text draws the sentence
	text         *widget.Label
}

func newWrappedCheck(label string, changed func(bool)) *wrappedCheck {
	c := &wrappedCheck{
		Check: widget.Check{OnChanged: changed},
		text:  &widget.Label{Text: label, Wrapping: fyne.TextWrapWord},
	}
	c.ExtendBaseWidget(c)
	return c
}

// AccessibilityLabel is the sentence, what a screen reader says of the box.
func (c *wrappedCheck) AccessibilityLabel() string { return c.text.Text }

// AccessibilityRole: Fyne 2.8 has no check box role; it is operated like
// a button (focus, then Space).
func (c *wrappedCheck) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleButton }

// Tapped ticks or unticks the box wherever the widget is tapped: Fyne's
// Check ignores a tap outside its least size, which is the box and one
// word here, so it is handed a tap at its left edge, halfway down.
func (c *wrappedCheck) Tapped(*fyne.PointEvent) {
	c.Check.Tapped(&fyne.PointEvent{Position: fyne.NewPos(1, c.Size().Height/2)})
}

func (c *wrappedCheck) CreateRenderer() fyne.WidgetRenderer {
	c.ExtendBaseWidget(c)
	return &wrappedCheckRenderer{box: c.Check.CreateRenderer(), check: c}
}

// wrappedCheckRenderer draws Fyne's box (its renderer, with no text) at
// the top left and the sentence beside it where Fyne draws its text.
type wrappedCheckRenderer struct {
	box   fyne.WidgetRenderer
	check *wrappedCheck
}

// textLeft is where the sentence's label starts: Fyne's check box draws
// its text after the focus ring and two borders, a label one inner padding
// into itself.
func (r *wrappedCheckRenderer) textLeft() float32 {
	th := r.check.Theme()
	border := th.Size(theme.SizeNameInputBorder)
	ring := th.Size(theme.SizeNameInlineIcon) + th.Size(theme.SizeNameInnerPadding)
	return ring + 2*border - th.Size(theme.SizeNameInnerPadding)
}

func (r *wrappedCheckRenderer) Layout(size fyne.Size) {
	r.box.Layout(r.box.MinSize())
	left := r.textLeft()
	r.check.text.Move(fyne.NewPos(left, 0))
	r.check.text.Resize(fyne.NewSize(size.Width-left, size.Height))
}

func (r *wrappedCheckRenderer) MinSize() fyne.Size {
	box, text := r.box.MinSize(), r.check.text.MinSize()
	return fyne.NewSize(fyne.Max(box.Width, r.textLeft()+text.Width), fyne.Max(box.Height, text.Height))
}

func (r *wrappedCheckRenderer) Refresh() {
	r.check.text.Importance = widget.MediumImportance
	if r.check.Disabled() {
		r.check.text.Importance = widget.LowImportance
	}
	r.box.Refresh()
	r.check.text.Refresh()
}

func (r *wrappedCheckRenderer) Objects() []fyne.CanvasObject {
	return append(r.box.Objects(), r.check.text)
}

func (r *wrappedCheckRenderer) Destroy() { r.box.Destroy() }
