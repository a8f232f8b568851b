package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		p.gateway.FocusLost()
		test.Type(p.uploadLimit, "2x")
		assert.True(t, p.uploadLimitError.Visible(), "a limit that is not a rate says how to write one")
		p.uploadLimit.SetText("1536k")
		assert.False(t, p.uploadLimitError.Visible())
		pressEnter(p.uploadLimit)
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

// pressEnter presses Enter in a text field.
func pressEnter(f fyne.Focusable) { f.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) }

// TestMistypedSpeedLimitIsNotApplied: a person types "1.5.5M" key by key
// into Settings' speed limit. The field then says the text is not a
// limit, so nothing it holds should be in force; but each valid prefix
// ("1", "1.", "1.5") was applied and saved as it was typed, and the last
// of them, 1 byte per second, stays: the uploads crawl and the limit is
// still there after a restart.
func TestMistypedSpeedLimitIsNotApplied(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		test.Type(a.prefs.uploadLimit, "1.5.5M")
		assert.True(t, a.prefs.uploadLimitError.Visible(), "the field says the text is not a limit")
		assert.Equal(t, int64(0), a.currentSettings().UploadLimit,
			"a limit the field refuses is not in force (was none before typing)")
		pressEnter(a.prefs.uploadLimit)
		a.prefs.uploadLimit.FocusLost()
		assert.True(t, a.prefs.uploadLimitError.Visible(), "still says how to write a limit")
		assert.Equal(t, int64(0), a.currentSettings().UploadLimit, "nor once the person is done with it")
	})
	a.Close()
	s, err := e.db.LoadSettings()
	assert.NoError(t, err)
	assert.Equal(t, int64(0), s.UploadLimit, "and not saved for the next start")
}

// TestSpeedLimitAppliesWhenDone: a limit typed in Settings takes effect
// on Enter, not keystroke by keystroke ("2" would be 2 bytes per second),
// and the queue's summary then shows it.
func TestSpeedLimitAppliesWhenDone(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	e.ui(func() {
		test.Type(a.prefs.uploadLimit, "2M")
		assert.Equal(t, int64(0), a.currentSettings().UploadLimit, "not while typing")
		pressEnter(a.prefs.uploadLimit)
		assert.Equal(t, int64(2<<20), a.currentSettings().UploadLimit, "in force after Enter")
	})
	e.eventually(func() bool { return a.upload.sum.UploadLimit == 2<<20 }, "the queue is limited to 2M")
}

// TestMistypedGatewayIsNotSaved: a person types "https://my gw" into
// Settings' gateway and leaves the field. The field says the text is not
// an address; but "https://my", a valid prefix, was saved as it was
// typed, and every link pointed at it.
func TestMistypedGatewayIsNotSaved(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		test.Type(a.prefs.gateway, "https://my gw")
		a.prefs.gateway.FocusLost()
		assert.True(t, a.prefs.gatewayError.Visible(), "the field says the text is not an address")
		assert.Empty(t, a.currentSettings().GatewayOverride, "an address the field refuses is not used")
		a.prefs.gateway.SetText("https://my.gw")
		assert.Empty(t, a.currentSettings().GatewayOverride, "not while typing")
		a.prefs.gateway.FocusLost()
		assert.False(t, a.prefs.gatewayError.Visible())
		assert.Equal(t, "https://my.gw", a.currentSettings().GatewayOverride, "used once the person leaves the field")
	})
}

// TestGatewayTyposAreRefusedWithWhatToDo: a gateway with a space or a
// tab inside was saved as it was typed, and every copied link broke at
// it. Now the field says what to do and keeps the gateway in use; spaces
// around a pasted address are trimmed, "%20" and a Unicode host are
// taken.
func TestGatewayTyposAreRefusedWithWhatToDo(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		p := a.prefs
		for _, typo := range []struct{ text, says string }{
			{"https://gw.example/my gateway", tr("The gateway address has a space in it: remove it, or write it as %20 if the address really holds one.")},
			{"https://gw.example/my\tgateway", tr("The gateway address holds a tab, a line break or another invisible character: type the address again without it.")},
			{"https://gw.example/\nipfs", tr("The gateway address holds a tab, a line break or another invisible character: type the address again without it.")},
			{"gw.example", tr("Write the gateway as a full address, like https://ipfs.io")},
			{"https://ipfs.io/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o?filename=a.jpg", tr("This is the link of a file, not a gateway: write the gateway alone, like https://ipfs.io")},
			{"https://me:secret@gw.example", tr("The gateway address holds a user name or password (before the @), which every shared link would carry: take it out, and the @.")},
		} {
			p.gateway.SetText(typo.text)
			p.gateway.FocusLost()
			assert.True(t, p.gatewayError.Visible(), "%q is refused", typo.text)
			assert.Equal(t, typo.says, p.gatewayError.Text, "%q", typo.text)
			assert.Empty(t, a.currentSettings().GatewayOverride, "%q is not used", typo.text)
		}
		for _, ok := range []struct{ text, saved string }{
			{"  https://gw.example/my%20gateway \n", "https://gw.example/my%20gateway"},
			{"https://b\u00fccher.example", "https://b\u00fccher.example"},
		} {
			p.gateway.SetText(ok.text)
			p.gateway.FocusLost()
			assert.False(t, p.gatewayError.Visible(), "%q is taken", ok.text)
			assert.Equal(t, ok.saved, a.currentSettings().GatewayOverride)
		}
		p.gateway.SetText("https://my gw")
		p.gateway.FocusLost()
		assert.Contains(t, p.gatewayError.Text, "write it as %20", "the sentence shows %20 as it is")
		assert.Equal(t, "https://xn--bcher-kva.example/ipfs/Qm1", a.links().GatewayLink(api.SandboxKey, "Qm1", ""))
	})
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

// TestWindowKeepsACommandLineLoginMadeWhileItIsOpen: a command-line login
// made while the window is open stores its account and environment in the
// settings the window shares. The window's next change of a setting (here
// a file added to a destination folder, which is remembered) saved its
// own copy, read at start, over them: the login was gone, and the next
// command without --env went to the window's environment instead.
func TestWindowKeepsACommandLineLoginMadeWhileItIsOpen(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	other, err := storage.Open(e.dir) // the command line, another process
	require.NoError(t, err)
	defer other.Close()
	cliAccount := storage.RememberedAccount{Env: "testnet", Account: "cli@example.com", Method: storage.MethodPassword}
	_, err = other.UpdateSettings(func(s storage.Settings) storage.Settings {
		s.LastEnv = "testnet"
		return s.WithRememberedAccount(cliAccount)
	})
	require.NoError(t, err)

	e.ui(func() {
		a.upload.folder.SetText("/backup/")
		_, err := a.upload.requests([]string{"/tmp/x.txt"})
		require.NoError(t, err)
		a.prefs.concurrency.SetValue(5)
	})
	a.Close() // saves what is pending

	s, err := other.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, "testnet", s.LastEnv, "the command line's login is the last one")
	assert.Contains(t, s.RememberedAccounts, cliAccount)
	assert.Equal(t, []string{"/backup/"}, s.RecentFolders, "and the window's changes are saved too")
	assert.Equal(t, 5, s.Concurrency)
}

// TestSavedGatewayTypoShowsAtOnce: a gateway override saved with a space
// or a tab inside it (by an older version, which did not refuse them) was
// shown in Settings as if it were fine, until the person edited it, and
// one with a tab had been dropped as the settings were read. Now Settings
// opens with it and with what to do, and says links do not use it (one
// with a space in its path, an invisible character or a file's link was
// flagged, yet links were built on it); leaving the field as it is keeps
// it saved, emptying it removes it.
func TestSavedGatewayTypoShowsAtOnce(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	space := tr("The gateway address has a space in it: remove it, or write it as %20 if the address really holds one.")
	invisible := tr("The gateway address holds a tab, a line break or another invisible character: type the address again without it.")
	userinfo := tr("The gateway address holds a user name or password (before the @), which every shared link would carry: take it out, and the @.")
	fileLink := tr("This is the link of a file, not a gateway: write the gateway alone, like https://ipfs.io")
	unused := " " + tr("Until then, links use the environment's gateway.")
	e := newTestEnv(t)
	for _, tc := range []struct{ name, saved, says, link string }{
		{"a space in the path", "https://gw.example/my gateway", space + unused, "https://api.dstor.cloud/ipfs/" + cid},
		{"a zero-width space in the path", "https://gw.example/\u200bipfs", invisible + unused, "https://api.dstor.cloud/ipfs/" + cid},
		{"a file's link", "https://ipfs.io/ipfs/" + cid + "?filename=a.jpg", fileLink + unused, "https://api.dstor.cloud/ipfs/" + cid},
		{"a tab", "https://gw.example/my\tgateway", invisible + unused, "https://api.dstor.cloud/ipfs/" + cid},
		{"a space in the host", "https://my gw.example", space + unused, "https://api.dstor.cloud/ipfs/" + cid},
		{"a user and password", "https://me:secret@gw.example", userinfo + unused, "https://api.dstor.cloud/ipfs/" + cid},
		{"an address", "https://ipfs.io", "", "https://ipfs.io/ipfs/" + cid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.a.Close()
			st := storage.DefaultSettings()
			st.GatewayOverride = tc.saved
			require.NoError(t, e.db.SaveSettings(st))
			e.a = e.open(Deps{})
			e.ui(func() {
				p := e.a.prefs
				assert.Equal(t, tc.saved, p.gateway.Text, "the saved gateway, as saved")
				assert.Equal(t, tc.says != "", p.gatewayError.Visible(), "flagged at once")
				if tc.says != "" {
					assert.Equal(t, tc.says, p.gatewayError.Text)
				}
				assert.Equal(t, tc.link, e.a.links().GatewayLink("production", cid, ""))
				p.gateway.FocusLost()
				assert.Equal(t, tc.saved, e.a.currentSettings().GatewayOverride, "left as it is, it stays saved")
			})
		})
	}
	e.ui(func() {
		p := e.a.prefs
		p.gateway.SetText("")
		p.gateway.FocusLost()
		assert.False(t, p.gatewayError.Visible())
		assert.Empty(t, e.a.currentSettings().GatewayOverride, "emptied, it is gone")
	})
}
