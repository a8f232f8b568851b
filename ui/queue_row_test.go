package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
)

// A queue row set again to what it shows keeps its widgets as they are
// (no new text layout, no icon coloured again), and still follows every
// change: a new text, a new colour alone, a new icon, buttons that come
// or go.
func TestQueueRowSetsOnlyWhatChanged(t *testing.T) {
	test.NewTempApp(t)

	l := widget.NewLabel("3 KB · Waiting")
	setLabel(l, "3 KB · Waiting", widget.MediumImportance)
	assert.Equal(t, "3 KB · Waiting", l.Text)
	setLabel(l, "3 KB · Waiting", widget.DangerImportance)
	assert.Equal(t, widget.DangerImportance, l.Importance, "a new colour alone is shown")
	setLabel(l, "3 KB · Failed", widget.DangerImportance)
	assert.Equal(t, "3 KB · Failed", l.Text)

	icon := widget.NewIcon(nil)
	first := theme.NewSuccessThemedResource(theme.ConfirmIcon())
	setIcon(icon, first)
	assert.Same(t, first, icon.Resource)
	setIcon(icon, theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	assert.Same(t, first, icon.Resource, "the same icon again (a new value of the same name) is left as it is")
	failed := theme.NewErrorThemedResource(theme.ErrorIcon())
	setIcon(icon, failed)
	assert.Same(t, failed, icon.Resource)
	setIcon(icon, nil)
	assert.Nil(t, icon.Resource)

	b := widget.NewButton("Copy link", nil)
	assert.False(t, show(b, true), "already shown")
	assert.True(t, show(b, false))
	assert.False(t, b.Visible())
	assert.False(t, show(b, false), "already hidden")
	assert.True(t, show(b, true))
	assert.True(t, b.Visible())
}
