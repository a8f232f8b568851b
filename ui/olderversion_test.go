package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestOlderVersionRunningIsSaidInEveryLanguage: a window that cannot open
// because an older dStor Uploader still uses its data folder (its history
// would have to be migrated under it) says so and what to do in each of
// its languages, in a window of its own with a button that closes it.
func TestOlderVersionRunningIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	refused := &storage.OlderVersionRunningError{Dir: "/h/d", Lock: "/h/d/window.lock", Have: 19}
	var english string
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		said := humanError(refused)
		if l.Tag == "en" {
			english = said
			assert.Equal(t, "An older dStor Uploader is still using this data folder (a window or a command). Close it, then start this version again.", said)
		} else {
			assert.NotEqual(t, english, said, l.Tag)
			assert.NotContains(t, said, "English", l.Tag)
		}

		w := newRefusalWindow(test.NewTempApp(t), refused)
		var texts []string
		var closeButton *widget.Button
		for _, o := range test.LaidOutObjects(w.Content()) {
			switch o := o.(type) {
			case *widget.Label:
				texts = append(texts, o.Text)
			case *widget.Button:
				closeButton = o
			}
		}
		assert.Contains(t, texts, said, l.Tag)
		require.NotNil(t, closeButton, l.Tag)
		closed := false
		w.SetOnClosed(func() { closed = true })
		test.Tap(closeButton)
		assert.True(t, closed, "%s: the button closes the window", l.Tag)
	}
}
