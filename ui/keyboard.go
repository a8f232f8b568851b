package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// actionButton is a button that Return and Enter press as well as Space
// (Fyne's button takes Space only), so a form can be finished with the
// keyboard alone, as people expect of a focused "Sign in" button.
type actionButton struct {
	widget.Button
}

func newActionButton(label string, icon fyne.Resource, tapped func()) *actionButton {
	b := &actionButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Return and Enter, like Space.
func (b *actionButton) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyReturn, fyne.KeyEnter:
		if !b.Disabled() {
			b.Tapped(&fyne.PointEvent{})
		}
	default:
		b.Button.TypedKey(ev)
	}
}

// methodTabs switches between the ways to sign in. Unlike container.AppTabs,
// whose tab bar the keyboard cannot reach, each tab is a button in the
// focus chain (Tab moves to it; Space, Return or Enter selects it), and the
// selected one is marked by a primary-coloured bar under its name. Only the
// selected tab's content takes room, so what follows it sits right below.
type methodTabs struct {
	widget.BaseWidget
	items    []*container.TabItem
	buttons  []*actionButton
	marks    []*canvas.Rectangle
	selected int
	// OnSelected is called after the person (or Select) changes the tab.
	OnSelected func(*container.TabItem)

	bar     *fyne.Container
	content *fyne.Container
}

func newMethodTabs(items ...*container.TabItem) *methodTabs {
	t := &methodTabs{items: items}
	heads := make([]fyne.CanvasObject, 0, len(items)+1)
	stack := make([]fyne.CanvasObject, len(items))
	for i, it := range items {
		b := newActionButton(it.Text, nil, func() { t.Select(t.items[i]) })
		mark := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		mark.SetMinSize(fyne.NewSize(0, 3))
		t.buttons = append(t.buttons, b)
		t.marks = append(t.marks, mark)
		heads = append(heads, container.NewBorder(nil, mark, nil, nil, b))
		stack[i] = it.Content
	}
	heads = append(heads, layout.NewSpacer())
	t.bar = container.NewHBox(heads...)
	t.content = container.NewStack(stack...)
	t.ExtendBaseWidget(t)
	t.mark() // no Refresh yet: the widgets get their renderers in the window
	return t
}

// Select shows item (one of the tabs).
func (t *methodTabs) Select(item *container.TabItem) {
	for i, it := range t.items {
		if it == item && i != t.selected {
			t.selected = i
			t.show()
			if t.OnSelected != nil {
				t.OnSelected(item)
			}
			return
		}
	}
}

// Selected is the tab shown.
func (t *methodTabs) Selected() *container.TabItem { return t.items[t.selected] }

// show marks the selected tab and shows its content.
func (t *methodTabs) show() {
	t.mark()
	for _, b := range t.buttons {
		b.Refresh()
	}
	t.content.Refresh()
}

// mark sets which tab looks selected and whose content is shown.
func (t *methodTabs) mark() {
	for i, it := range t.items {
		on := i == t.selected
		if on {
			t.buttons[i].Importance = widget.MediumImportance
			t.marks[i].FillColor = theme.Color(theme.ColorNamePrimary)
			it.Content.Show()
		} else {
			t.buttons[i].Importance = widget.LowImportance
			t.marks[i].FillColor = color.Transparent // keeps its height: the tabs line up
			it.Content.Hide()
		}
	}
}

// Refresh follows a theme change (the mark's colour).
func (t *methodTabs) Refresh() {
	t.mark()
	for _, m := range t.marks {
		m.Refresh()
	}
	t.BaseWidget.Refresh()
}

func (t *methodTabs) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(
		container.NewVBox(t.bar, widget.NewSeparator()), nil, nil, nil, t.content))
}

// iconButton is a button that shows only an icon. Its name, which a
// screen reader speaks (fyne.Accessible), says what it does: Fyne's button
// would name it after its icon's file.
type iconButton struct {
	widget.Button
	name string
	// hovered, when set, is told when the pointer comes over the button
	// (true, also as it moves there) and when it leaves (false).
	hovered func(in bool)
}

func newIconButton(name string, icon fyne.Resource, tapped func()) *iconButton {
	b := &iconButton{name: name}
	b.Icon, b.OnTapped = icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// newLabelledButton is an iconButton that also shows its name, for a
// toolbar that drops its labels when narrow.
func newLabelledButton(name string, icon fyne.Resource, tapped func()) *iconButton {
	b := newIconButton(name, icon, tapped)
	b.Text = name
	return b
}

// AccessibilityLabel is what the button does ("Delete this entry").
func (b *iconButton) AccessibilityLabel() string { return b.name }

// MouseIn highlights the button and tells hovered.
func (b *iconButton) MouseIn(ev *desktop.MouseEvent) {
	b.Button.MouseIn(ev)
	if b.hovered != nil {
		b.hovered(true)
	}
}

// MouseMoved tells hovered that the pointer is still over the button.
func (b *iconButton) MouseMoved(ev *desktop.MouseEvent) {
	b.Button.MouseMoved(ev)
	if b.hovered != nil {
		b.hovered(true)
	}
}

// MouseOut ends the highlight and tells hovered.
func (b *iconButton) MouseOut() {
	b.Button.MouseOut()
	if b.hovered != nil {
		b.hovered(false)
	}
}

// namedSlider is a slider with a name a screen reader can speak.
type namedSlider struct {
	widget.Slider
	name string
}

func newNamedSlider(name string, min, max float64) *namedSlider {
	s := &namedSlider{name: name}
	s.Min, s.Max, s.Step = min, max, 1
	s.Orientation = widget.Horizontal
	s.Value = min
	s.ExtendBaseWidget(s)
	return s
}

// AccessibilityLabel is the setting the slider changes.
func (s *namedSlider) AccessibilityLabel() string { return s.name }

// AccessibilityRole: Fyne 2.8 has no slider role; a slider is operated
// like a button (focus, then arrow keys).
func (s *namedSlider) AccessibilityRole() fyne.AccessibleRole { return fyne.AccessibleRoleButton }

// onTypedKey closes the dialog or menu on top when Escape is pressed, as
// in other programs (Fyne's dialogs do not take it). A key reaches the
// window only while no control has the focus, as when a dialog has just
// opened; a focused menu closes on Escape by itself.
func (a *App) onTypedKey(ev *fyne.KeyEvent) {
	if ev.Name != fyne.KeyEscape {
		return
	}
	c := a.win.Canvas()
	if top := c.Overlays().Top(); top != nil {
		top.Hide() // a dialog's pop-up leaves the overlays as it hides
		c.Overlays().Remove(top)
	}
}
