package ui

import (
	"errors"
	"fmt"
	"image/color"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// linkStyleLabels are the link formats of the Settings tab (and Copy
// as…), keyed by storage's values, in the window's language.
func linkStyleLabels() map[string]string {
	return map[string]string{
		storage.LinkGateway:  tr("Gateway link (…/ipfs/CID)"),
		storage.LinkIPFS:     tr("ipfs:// link"),
		storage.LinkCID:      tr("Bare CID"),
		storage.LinkMarkdown: tr("Markdown [name](link)"),
		storage.LinkHTML:     tr("HTML <a href=\"link\">name</a>"),
	}
}

// themeLabels are the theme choices of the Settings tab, keyed by
// storage's values, in the window's language.
func themeLabels() map[string]string {
	return map[string]string{
		storage.ThemeSystem: tr("Same as the system"),
		storage.ThemeLight:  tr("Light"),
		storage.ThemeDark:   tr("Dark"),
	}
}

// languageLabels are the language choices of the Settings tab keyed by
// tag, "" being the system's language: each language in its own name.
func languageLabels() map[string]string {
	m := map[string]string{"": tr("System default")}
	for _, l := range languages {
		m[l.Tag] = l.Name
	}
	return m
}

// languageOptions are languageLabels in the order Settings lists them.
func languageOptions() []string {
	labels := languageLabels()
	opts := []string{labels[""]}
	for _, l := range languages {
		opts = append(opts, labels[l.Tag])
	}
	return opts
}

func keyFor(m map[string]string, label string) string {
	for k, v := range m {
		if v == label {
			return k
		}
	}
	return ""
}

// settingsView is the Settings tab; every change is saved at once (on the
// settings saver's goroutine) and applies immediately, a text field's when
// the person is done with it (Enter, or leaving the field) and only if it
// is valid.
type settingsView struct {
	a *App

	concurrency      *namedSlider
	concurrencyLabel *widget.Label
	uploadLimit      *commitEntry
	uploadLimitError *widget.Label
	linkStyle        *widget.RadioGroup
	gateway          *commitEntry
	gatewayError     *widget.Label
	copyAfter        *wrappedCheck
	linkFilename     *wrappedCheck
	liveCheck        *wrappedCheck
	notifications    *wrappedCheck
	themeChoice      *widget.RadioGroup
	language         *widget.Select
	languageNote     *widget.Label
	keyringIcon      *widget.Icon
	keyringStatus    *widget.Label
	keyringHelp      *widget.Label
	dataDir          *widget.Label

	loading bool
	content fyne.CanvasObject
}

func newSettingsView(a *App) *settingsView {
	v := &settingsView{a: a, loading: true}
	defer func() { v.loading = false }()
	st := a.currentSettings()
	uploads := v.makeUploadsForm(st)
	links := v.makeLinksForm(st)
	look := v.makeLookForm(st)
	v.keyringIcon = widget.NewIcon(theme.ConfirmIcon())
	v.keyringStatus = note(widget.MediumImportance, fyne.TextWrapWord)
	v.keyringHelp = note(widget.MediumImportance, fyne.TextWrapWord)
	v.dataDir = note(widget.MediumImportance, fyne.TextWrapBreak)
	v.refresh()
	security := container.NewBorder(nil, nil, container.NewVBox(v.keyringIcon), nil,
		container.NewVBox(v.keyringStatus, v.keyringHelp))

	section := func(title string) fyne.CanvasObject {
		return widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	body := container.NewVBox(
		section(tr("Uploads")), uploads, widget.NewSeparator(),
		section(tr("Links")), links, widget.NewSeparator(),
		section(tr("Appearance")), look, widget.NewSeparator(),
		section(tr("Credentials")), security, widget.NewSeparator(),
		section(tr("Data")), v.dataDir,
	)
	v.content = container.NewVScroll(container.New(&maxWidthLayout{width: 720}, body))
	return v
}

// makeUploadsForm makes the Uploads section, showing st: uploads at once,
// the speed limit, copying each link and notifications.
func (v *settingsView) makeUploadsForm(st storage.Settings) *widget.Form {
	v.concurrencyLabel = widget.NewLabel("")
	v.concurrency = newNamedSlider(tr("Uploads at once"), storage.MinConcurrency, storage.MaxConcurrency)
	v.concurrency.OnChanged = v.onConcurrency
	v.concurrency.SetValue(float64(st.Concurrency))
	v.onConcurrency(float64(st.Concurrency))

	v.uploadLimit = newCommitEntry(v.commitUploadLimit)
	v.uploadLimit.SetPlaceHolder(tr("No limit"))
	if st.UploadLimit > 0 {
		v.uploadLimit.SetText(api.FormatRate(st.UploadLimit))
	}
	v.uploadLimit.OnChanged = func(text string) { v.checkUploadLimit(text) }
	v.uploadLimitError = note(widget.DangerImportance, fyne.TextWrapWord)
	v.uploadLimitError.Hide()

	v.copyAfter = v.settingCheck(tr("Copy the link when an upload finishes"), st.CopyLinkAfterUpload,
		func(s *storage.Settings, on bool) { s.CopyLinkAfterUpload = on })
	v.notifications = v.settingCheck(tr("Notify me when a batch of uploads finishes or fails"), st.Notifications,
		func(s *storage.Settings, on bool) { s.Notifications = on })
	return widget.NewForm(
		widget.NewFormItem(tr("Uploads at once"), container.NewBorder(nil, nil, nil, v.concurrencyLabel, v.concurrency)),
		widget.NewFormItem(tr("Speed limit"), container.NewVBox(v.uploadLimit, v.uploadLimitError,
			hint(tr("Per second, all uploads together: 500K, 2M (1K = 1024 bytes); empty for none.")))),
		widget.NewFormItem("", v.copyAfter),
		widget.NewFormItem("", v.notifications),
	)
}

// makeLinksForm makes the Links section, showing st: the link style, the
// file name on links, another gateway and the live check.
func (v *settingsView) makeLinksForm(st storage.Settings) *widget.Form {
	links := linkStyleLabels()
	var styles []string
	for _, s := range api.LinkStyles {
		styles = append(styles, links[s])
	}
	v.linkStyle = widget.NewRadioGroup(styles, v.onLinkStyle)
	v.linkStyle.Required = true
	v.linkStyle.SetSelected(links[st.LinkStyle])

	v.gateway = newCommitEntry(v.commitGateway)
	v.gateway.SetPlaceHolder(tr("The environment's gateway"))
	v.gateway.SetText(st.GatewayOverride)
	v.gateway.OnChanged = func(text string) { v.checkGateway(text) }
	v.gatewayError = note(widget.DangerImportance, fyne.TextWrapWord)
	v.gatewayError.Hide()
	// A gateway an older version saved with a space or a tab inside it
	// says what to do at once, not once the person edits it.
	v.checkGateway(st.GatewayOverride)

	v.linkFilename = v.settingCheck(tr("Name downloads after the file (?filename= on gateway links)"), st.LinkFilename,
		func(s *storage.Settings, on bool) { s.LinkFilename = on })
	v.liveCheck = v.settingCheck(tr("Check that each new link works (a small download of its first bytes)"), st.LiveCheck,
		func(s *storage.Settings, on bool) { s.LiveCheck = on })
	return widget.NewForm(
		widget.NewFormItem(tr("Copy link as"), v.linkStyle),
		widget.NewFormItem("", v.linkFilename),
		widget.NewFormItem(tr("Gateway"), container.NewVBox(v.gateway, v.gatewayError,
			hint(tr("Another IPFS gateway for shared links, e.g. https://ipfs.io — leave empty for dStor's.")))),
		widget.NewFormItem("", v.liveCheck),
	)
}

// makeLookForm makes the Appearance section, showing st: theme and
// language.
func (v *settingsView) makeLookForm(st storage.Settings) *widget.Form {
	themes := themeLabels()
	v.themeChoice = widget.NewRadioGroup([]string{
		themes[storage.ThemeSystem], themes[storage.ThemeLight], themes[storage.ThemeDark],
	}, v.onTheme)
	v.themeChoice.Required = true
	v.themeChoice.SetSelected(themes[st.Theme])

	v.language = widget.NewSelect(languageOptions(), v.onLanguage)
	v.language.SetSelected(languageLabels()[st.Language])
	v.languageNote = note(widget.MediumImportance, fyne.TextWrapWord)
	if !languageChoiceWorks() {
		v.language.Disable()
		v.languageNote.SetText(tr("On this system the window speaks the system's language."))
	} else {
		v.languageNote.Hide()
	}
	return widget.NewForm(
		widget.NewFormItem(tr("Theme"), v.themeChoice),
		widget.NewFormItem(tr("Language"), container.NewVBox(v.language, v.languageNote)),
	)
}

// hint is a field's help below it, small and wrapped to the room the
// form gives it (a form's own hint text is one line, as wide as its
// sentence).
func hint(text string) *widget.Label {
	l := caption(text, widget.MediumImportance)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// settingCheck is a check box showing on that saves each change with set
// (not while the view shows the saved settings).
func (v *settingsView) settingCheck(label string, on bool, set func(s *storage.Settings, on bool)) *wrappedCheck {
	c := newWrappedCheck(label, func(on bool) {
		if v.loading {
			return
		}
		v.a.changeSettings(func(s storage.Settings) storage.Settings { set(&s, on); return s })
	})
	c.SetChecked(on)
	return c
}

// refresh shows what depends on the session and the keyring.
func (v *settingsView) refresh() {
	s := v.a.secrets
	if s.Persistent() {
		v.keyringIcon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		v.keyringStatus.SetText(tr("Your API key, session and (if you asked) password are kept in the system keyring, never in a file."))
		v.keyringHelp.SetText(tr("Signing out removes them from the keyring."))
	} else {
		v.keyringIcon.SetResource(theme.NewWarningThemedResource(theme.WarningIcon()))
		v.keyringStatus.SetText(tr("The system keyring is not available, so you have to sign in again each time you open the app. Nothing is written to a file instead."))
		reason := keyringText(s.State())
		if reason == "" {
			reason = tr("Install and unlock a Secret Service keyring (GNOME Keyring or KWallet), then restart the app.")
		}
		v.keyringHelp.SetText(reason)
	}
	if v.a.sess != nil {
		v.gateway.SetPlaceHolder(strings.TrimSuffix(v.a.sess.Env.GatewayURL, "/"))
	}
	v.dataDir.SetText(tr("History and settings are stored in {{.Path}}.", map[string]any{"Path": inert.Text(v.a.db.Path())}))
}

func (v *settingsView) onConcurrency(f float64) {
	n := int(f)
	v.concurrencyLabel.SetText(fmt.Sprintf("%2d", n))
	if v.loading {
		return
	}
	v.a.changeSettings(func(s storage.Settings) storage.Settings { s.Concurrency = n; return s })
	if v.a.sess != nil && v.a.sess.queue != nil {
		v.a.sess.queue.SetConcurrency(n)
	}
}

// checkUploadLimit reads the speed limit field's text (empty: none), and
// shows how to write a limit while the text is not one.
func (v *settingsView) checkUploadLimit(text string) (limit int64, ok bool) {
	text = strings.TrimSpace(text)
	if text != "" {
		n, err := api.ParseRate(text)
		if err != nil {
			v.uploadLimitError.SetText(tr("Write the limit like 500K or 2M (bytes per second), or leave it empty for no limit."))
			v.uploadLimitError.Show()
			return 0, false
		}
		limit = n
	}
	v.uploadLimitError.Hide()
	return limit, true
}

// commitUploadLimit applies the speed limit once the person is done with
// the field, to the uploads in flight too; a text that is not a limit
// leaves the one in force.
func (v *settingsView) commitUploadLimit(text string) {
	if limit, ok := v.checkUploadLimit(text); ok && limit != v.a.currentSettings().UploadLimit {
		v.a.setUploadLimit(limit)
	}
}

// setUploadLimit saves the speed limit (bytes per second, 0: none) and
// applies it to the uploads at once.
func (a *App) setUploadLimit(bytesPerSecond int64) {
	a.changeSettings(func(s storage.Settings) storage.Settings { s.UploadLimit = bytesPerSecond; return s })
	if a.sess != nil && a.sess.queue != nil {
		a.sess.queue.SetUploadLimit(bytesPerSecond)
	}
}

func (v *settingsView) onLinkStyle(label string) {
	if v.loading {
		return
	}
	style := keyFor(linkStyleLabels(), label)
	v.a.changeSettings(func(s storage.Settings) storage.Settings { s.LinkStyle = style; return s })
}

// checkGateway reads the gateway field's text as api.CheckOverride does
// (trimmed; empty: the environment's gateway), and while it is not one
// says what to do: write a full address, or take out the space or the
// invisible character a typo or a paste put inside it, or the user name
// or password every shared link would carry, or write a file's link
// pasted there as the gateway alone; and, while the
// saved gateway is one links do not use (an older version's that Settings
// now refuses: session.GatewayInUse), that they use the environment's.
func (v *settingsView) checkGateway(text string) (gateway string, ok bool) {
	gateway, err := api.CheckOverride(text)
	var says string
	switch {
	case err == nil:
		v.gatewayError.Hide()
		return gateway, true
	case errors.Is(err, api.ErrOverrideSpace):
		says = tr("The gateway address has a space in it: remove it, or write it as %20 if the address really holds one.")
	case errors.Is(err, api.ErrOverrideInvisible):
		says = tr("The gateway address holds a tab, a line break or another invisible character: type the address again without it.")
	case errors.Is(err, api.ErrOverrideFileLink):
		says = tr("This is the link of a file, not a gateway: write the gateway alone, like https://ipfs.io")
	case errors.Is(err, api.ErrOverrideUserinfo):
		says = tr("The gateway address holds a user name or password (before the @), which every shared link would carry: take it out, and the @.")
	default:
		says = tr("Write the gateway as a full address, like https://ipfs.io")
	}
	if st := v.a.currentSettings(); st.GatewayOverride != "" && session.GatewayInUse(st) == "" {
		says += " " + tr("Until then, links use the environment's gateway.")
	}
	v.gatewayError.SetText(says)
	v.gatewayError.Show()
	return "", false
}

// commitGateway saves the gateway once the person is done with the field;
// a text that is not an address leaves the gateway in use.
func (v *settingsView) commitGateway(text string) {
	if gw, ok := v.checkGateway(text); ok && gw != v.a.currentSettings().GatewayOverride {
		v.a.changeSettings(func(s storage.Settings) storage.Settings { s.GatewayOverride = gw; return s })
	}
}

func (v *settingsView) onTheme(label string) {
	name := keyFor(themeLabels(), label)
	if v.loading {
		return
	}
	v.a.changeSettings(func(s storage.Settings) storage.Settings { s.Theme = name; return s })
	v.a.applyTheme(name)
}

// onLanguage saves the language choice; the window is made in one language,
// so the new one shows from the next start, which the note says.
func (v *settingsView) onLanguage(label string) {
	if v.loading {
		return
	}
	tag := keyFor(languageLabels(), label)
	v.a.changeSettings(func(s storage.Settings) storage.Settings { s.Language = tag; return s })
	if tag == v.a.language {
		v.languageNote.Hide()
		return
	}
	v.languageNote.SetText(tr("The new language is used from the next time you open dStor Uploader."))
	v.languageNote.Show()
}

// applyTheme switches between the system's variant and a forced light or
// dark one.
func (a *App) applyTheme(name string) {
	switch name {
	case storage.ThemeLight:
		a.fyne.Settings().SetTheme(&variantTheme{variant: theme.VariantLight})
	case storage.ThemeDark:
		a.fyne.Settings().SetTheme(&variantTheme{variant: theme.VariantDark})
	default:
		a.fyne.Settings().SetTheme(&variantTheme{variant: 0, system: true})
	}
}

// variantTheme is Fyne's default theme, optionally pinned to one variant,
// so "Light" and "Dark" in Settings win over the desktop's preference.
type variantTheme struct {
	variant fyne.ThemeVariant
	system  bool
}

func (t *variantTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if !t.system {
		v = t.variant
	}
	if c, ok := contrastColor(n, v); ok {
		return c
	}
	return theme.DefaultTheme().Color(n, v)
}

// contrastColor replaces two of the default theme's colours that are too
// faint to see: the focus tint (a see-through primary blue, which does not
// show at all on a primary button, so a focused "Sign in" looked like an
// unfocused one) and the outline of unticked check boxes, radio buttons
// and entries (#e3e3e3 on white in the light variant).
func contrastColor(n fyne.ThemeColorName, v fyne.ThemeVariant) (color.Color, bool) {
	switch {
	case n == theme.ColorNameFocus && v == theme.VariantDark:
		return color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x5c}, true
	case n == theme.ColorNameFocus:
		return color.NRGBA{R: 0x00, G: 0x1a, B: 0x4d, A: 0x66}, true
	case n == theme.ColorNameInputBorder && v == theme.VariantDark:
		return color.NRGBA{R: 0x7a, G: 0x7a, B: 0x7a, A: 0xff}, true
	case n == theme.ColorNameInputBorder:
		return color.NRGBA{R: 0x8c, G: 0x8c, B: 0x8c, A: 0xff}, true
	}
	return nil, false
}

func (t *variantTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t *variantTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t *variantTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// appSettings are the person's settings as the App holds them, safe from
// any goroutine; every change is saved in the background.
type appSettings struct {
	setMu    sync.Mutex
	settings storage.Settings
	saver    *settingsSaver
	// language is the language choice the window was made in (Settings'
	// language applies from the next start).
	language string
}

// currentSettings is a copy of the settings, safe from any goroutine.
func (a *appSettings) currentSettings() storage.Settings {
	a.setMu.Lock()
	defer a.setMu.Unlock()
	return a.settings
}

// changeSettings applies f to the settings and saves them in the
// background, so a keystroke in a settings field never waits for the disk.
// What is saved is f applied to the settings stored then, not this
// window's copy: a command-line login or logout made while the window is
// open changes the same settings, and saving the copy would undo it.
func (a *appSettings) changeSettings(f func(s storage.Settings) storage.Settings) storage.Settings {
	a.setMu.Lock()
	defer a.setMu.Unlock()
	a.settings = f(a.settings).Normalize()
	// Handed to the saver under setMu, so two goroutines changing settings
	// at once cannot save in another order than they applied.
	a.saver.save(f)
	return a.settings
}

// settingsSaver writes settings changes on its own goroutine, in order,
// each applied to the stored settings (storage.DB.UpdateSettings), so
// saving never blocks the UI, never reorders, and keeps what another
// process changed.
type settingsSaver struct {
	db      *storage.DB
	mu      sync.Mutex
	pending []func(storage.Settings) storage.Settings
	wake    chan struct{}
	done    chan struct{}
	closed  bool
	lastErr error
}

func newSettingsSaver(db *storage.DB) *settingsSaver {
	s := &settingsSaver{db: db, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *settingsSaver) save(f func(storage.Settings) storage.Settings) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_, _ = s.db.UpdateSettings(f)
		return
	}
	s.pending = append(s.pending, f)
	select { // under mu, so close cannot run between the check and the send
	case s.wake <- struct{}{}:
	default:
	}
	s.mu.Unlock()
}

func (s *settingsSaver) run() {
	defer close(s.done)
	for range s.wake {
		s.flush()
	}
	s.flush()
}

// flush saves the changes pending, in one transaction.
func (s *settingsSaver) flush() {
	s.mu.Lock()
	p := s.pending
	s.pending = nil
	s.mu.Unlock()
	if len(p) == 0 {
		return
	}
	_, err := s.db.UpdateSettings(func(st storage.Settings) storage.Settings {
		for _, f := range p {
			st = f(st).Normalize()
		}
		return st
	})
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
}

// close saves what is pending and stops the goroutine.
func (s *settingsSaver) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	close(s.wake)
	<-s.done
}
