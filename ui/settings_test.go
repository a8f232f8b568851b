package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestSettingsSurviveRestart(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		p := a.prefs
		p.concurrency.SetValue(7)
		p.linkStyle.SetSelected(linkStyleLabels()[storage.LinkCID])
		test.Type(p.gateway, "https://ipfs.io")
		test.Type(p.uploadLimit, "2x")
		assert.True(t, p.uploadLimitError.Visible(), "a limit that is not a rate says how to write one")
		p.uploadLimit.SetText("1536k")
		assert.False(t, p.uploadLimitError.Visible())
		test.Tap(p.copyAfter)
		test.Tap(p.notifications)
		p.themeChoice.SetSelected(themeLabels()[storage.ThemeDark])
		assert.Equal(t, theme.VariantDark, a.fyne.Settings().Theme().(*variantTheme).variant)
		a.upload.folder.SetText("/backup/")
		a.upload.comment.SetText("nightly")
	})
	a.Close()

	b := e.open(Deps{})
	e.a = b
	e.ui(func() {
		p := b.prefs
		assert.Equal(t, 7.0, p.concurrency.Value)
		assert.Equal(t, linkStyleLabels()[storage.LinkCID], p.linkStyle.Selected)
		assert.Equal(t, "https://ipfs.io", p.gateway.Text)
		assert.Equal(t, "1536K", p.uploadLimit.Text)
		assert.True(t, p.copyAfter.Checked)
		assert.False(t, p.notifications.Checked)
		assert.Equal(t, themeLabels()[storage.ThemeDark], p.themeChoice.Selected)
		assert.Equal(t, "/backup/", b.upload.folder.Text)
		assert.Equal(t, "nightly", b.upload.comment.Text)
		assert.Equal(t, "https://ipfs.io/ipfs/Qm1", b.links().GatewayLink(api.SandboxKey, "Qm1", ""))
	})
	s, err := e.db.LoadSettings()
	assert.NoError(t, err)
	assert.Equal(t, 7, s.Concurrency)
	assert.Equal(t, int64(1536<<10), s.UploadLimit)
}

func TestKeyringStatusShown(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		// The memory store is what an unavailable keyring falls back to.
		if e.secrets.Persistent() {
			assert.Contains(t, e.a.prefs.keyringStatus.Text, "system keyring")
		} else {
			assert.Contains(t, e.a.prefs.keyringStatus.Text, "not available")
			assert.NotEmpty(t, e.a.prefs.keyringHelp.Text)
		}
	})
}

// TestLanguageChoiceSaved: choosing a language in Settings stores its tag
// and says that it applies from the next start; going back hides the note.
func TestLanguageChoiceSaved(t *testing.T) {
	if !languageChoiceWorks() {
		t.Skip("the window follows the system's language here")
	}
	e := newTestEnv(t)
	e.ui(func() {
		p := e.a.prefs
		assert.Equal(t, tr("System default"), p.language.Selected)
		assert.Len(t, p.language.Options, len(languages)+1)
		p.language.SetSelected("Deutsch")
		assert.True(t, p.languageNote.Visible())
		assert.Contains(t, p.languageNote.Text, "next time")
		assert.Equal(t, "de", e.a.currentSettings().Language)
		p.language.SetSelected(tr("System default"))
		assert.False(t, p.languageNote.Visible())
	})
	e.a.Close()
	s, err := e.db.LoadSettings()
	assert.NoError(t, err)
	assert.Empty(t, s.Language)
}
