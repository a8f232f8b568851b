package ui

import (
	"fmt"
	"regexp"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// resourceName is what Fyne's button speaks when it only has an icon: the
// icon's file name, which tells a screen reader's user nothing.
var resourceName = regexp.MustCompile(`(?i)\.(svg|png)$`)

// speakableName is the name a screen reader gives o, if it has one.
func speakableName(o fyne.CanvasObject) string {
	switch w := o.(type) {
	case fyne.Accessible:
		if s := w.AccessibilityLabel(); !resourceName.MatchString(s) {
			return s
		}
		return ""
	case *widget.Check:
		return w.Text
	case *widget.Select:
		if w.Selected != "" {
			return w.Selected
		}
		return w.PlaceHolder
	case *widget.SelectEntry:
		return w.PlaceHolder
	case *widget.Entry:
		return w.PlaceHolder
	case *commitEntry:
		return w.PlaceHolder
	}
	return ""
}

// unnamedControls reports every visible control of o's tree (a tappable or
// focusable widget) that has no name a screen reader can speak. Lists and
// the radio group's items are named by what they hold.
func unnamedControls(o fyne.CanvasObject, report func(what string)) {
	walkObjects(o, func(o fyne.CanvasObject) { reportUnnamed(o, report) })
}

// reportUnnamed reports o if it is a control with no name a screen reader
// can speak.
func reportUnnamed(o fyne.CanvasObject, report func(what string)) {
	_, tappable := o.(fyne.Tappable)
	_, focusable := o.(fyne.Focusable)
	kind := fmt.Sprintf("%T", o)
	switch kind {
	case "*widget.List", "*widget.listItem", "*widget.RadioGroup", "*widget.radioItem", "*widget.menuItem",
		"*widget.PopUpMenu", "*widget.PopUp", "*widget.Menu", "*widget.PasswordEntry", "*container.tabButton",
		"*widget.focusSelectable":
		// containers of named things, or named by their label (a tab
		// button by its tab's text, checked in TestEveryControlHasAName;
		// selectable text by itself)
	case "*widget.scrollBarArea", "*widget.OverlayContainer", "*widget.passwordRevealer":
		// Fyne's own pointer-only parts: a scroll bar, the area around a
		// dialog, the eye in a password field (not reached with Tab)
	default:
		if (tappable || focusable) && speakableName(o) == "" {
			if b, ok := o.(*widget.Button); ok && b.Icon != nil {
				kind += " (icon " + b.Icon.Name() + ")"
			}
			report(kind)
		}
	}
}

// TestEveryControlHasAName tours every screen and fails on a control a
// screen reader could not name (an icon-only button named after its icon
// file, a slider without a name).
func TestEveryControlHasAName(t *testing.T) {
	tourScreens(t, func(screen string, c fyne.Canvas) {
		objs := append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
		for _, o := range objs {
			unnamedControls(o, func(what string) { t.Errorf("%s: a %s has no name a screen reader can speak", screen, what) })
		}
	})
}

// focusableControls lists the visible, enabled controls of o's tree that
// take the keyboard focus.
func focusableControls(o fyne.CanvasObject, add func(fyne.Focusable)) {
	walkObjects(o, func(o fyne.CanvasObject) {
		if f, ok := o.(fyne.Focusable); ok {
			if d, ok := o.(fyne.Disableable); !ok || !d.Disabled() {
				add(f)
			}
		}
	})
}

// TestTabReachesEveryControl tours every screen and presses Tab until the
// focus comes round again: every control that takes the focus must have
// had it, so the whole window works from the keyboard.
func TestTabReachesEveryControl(t *testing.T) {
	tourScreens(t, func(screen string, c fyne.Canvas) {
		top := c.Content()
		if o := c.Overlays().Top(); o != nil {
			top = o // a dialog or menu keeps the focus to itself
		}
		var want []fyne.Focusable
		focusableControls(top, func(f fyne.Focusable) { want = append(want, f) })
		if len(want) == 0 {
			t.Errorf("%s: nothing takes the focus", screen)
		}
		reached := map[fyne.Focusable]bool{}
		for i := 0; i < 4*len(want)+4; i++ {
			c.FocusNext()
			if f := c.Focused(); f != nil {
				reached[f] = true
			}
		}
		for _, f := range want {
			if !reached[f] {
				t.Errorf("%s: Tab never reaches a %T (%s)", screen, f, speakableName(f.(fyne.CanvasObject)))
			}
		}
		c.Unfocus()
	})
}
