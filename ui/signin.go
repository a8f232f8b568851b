package ui

import (
	"errors"
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/assets"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// signInView is the sign-in screen: environment, then an API key or an
// email and password. Its widgets are fields so tests can type and tap.
type signInView struct {
	a *App

	env           *widget.Select
	envHint       *widget.Label
	customBase    *widget.Entry
	customUpload  *widget.Entry
	customGateway *widget.Entry
	customForm    *widget.Form

	methods  *methodTabs
	keyTab   *container.TabItem
	loginTab *container.TabItem

	apiKey    *widget.Entry
	paste     *widget.Button
	keyCount  *widget.Label
	keySubmit *actionButton
	keyError  *widget.Label // this tab's error, right under its button

	email       *widget.Entry
	password    *widget.Entry
	remember    *widget.Check
	loginSubmit *actionButton
	loginError  *widget.Label

	activity  *widget.Activity
	status    *widget.Label
	statusRow *fyne.Container
	notice    *widget.Label
	pending   *widget.Label
	cancel    *widget.Button

	busy  bool
	gen   int
	reuse *activeSession // re-sign-in for this session's queue

	content fyne.CanvasObject
}

func newSignInView(a *App) *signInView {
	v := &signInView{a: a}
	v.makeEnvFields()
	v.keyTab = container.NewTabItem(tr("API key"), v.makeKeyForm())
	v.loginTab = container.NewTabItem(tr("Email & password"), v.makeLoginForm())
	v.methods = newMethodTabs(v.keyTab, v.loginTab)
	v.methods.OnSelected = func(*container.TabItem) { v.a.win.Canvas().Focus(v.firstField()) }
	v.makeStatus()
	v.content = v.layout()
	return v
}

// makeEnvFields makes the environment's choice and the custom
// environment's URLs (hidden until it is chosen).
func (v *signInView) makeEnvFields() {
	envLabels := make([]string, len(envChoices))
	for i, c := range envChoices {
		envLabels[i] = choiceLabel(c)
	}
	v.env = widget.NewSelect(envLabels, nil)
	v.env.PlaceHolder = tr("Choose where to upload")
	v.envHint = note(widget.MediumImportance, fyne.TextWrapWord)
	v.customBase = widget.NewEntry()
	v.customBase.SetPlaceHolder("https://dstor.example.com")
	v.customUpload = widget.NewEntry()
	v.customUpload.SetPlaceHolder(tr("API base + /api/v0/add"))
	v.customGateway = widget.NewEntry()
	v.customGateway.SetPlaceHolder(tr("API base + /ipfs/"))
	v.customForm = widget.NewForm(
		widget.NewFormItem(tr("API base"), v.customBase),
		widget.NewFormItem(tr("Upload URL"), v.customUpload),
		widget.NewFormItem(tr("Gateway URL"), v.customGateway),
	)
	v.customForm.Hide()
	v.env.OnChanged = func(label string) { v.onEnvChanged(choiceOfLabel(label)) }
}

// makeKeyForm makes the API key tab: the key, Paste, its length and the
// button, with the tab's error under it.
func (v *signInView) makeKeyForm() fyne.CanvasObject {
	v.apiKey = widget.NewPasswordEntry()
	v.apiKey.SetPlaceHolder(tr("Your 64-character API key"))
	v.apiKey.OnChanged = v.onKeyChanged
	v.apiKey.OnSubmitted = func(string) { v.onSubmitKey() }
	v.paste = widget.NewButtonWithIcon(tr("Paste"), theme.ContentPasteIcon(), v.onPaste)
	v.keyCount = widget.NewLabel("")
	v.keyCount.Importance = widget.MediumImportance
	v.keySubmit = newActionButton(tr("Sign in with API key"), theme.LoginIcon(), v.onSubmitKey)
	v.keySubmit.Importance = widget.HighImportance
	v.onKeyChanged("")
	v.keyError = newErrorLabel()
	return container.NewVBox(
		widget.NewLabel(tr("API key")),
		container.NewBorder(nil, nil, nil, v.paste, v.apiKey),
		v.keyCount,
		v.keySubmit,
		v.keyError,
	)
}

// makeLoginForm makes the email and password tab.
func (v *signInView) makeLoginForm() fyne.CanvasObject {
	v.email = widget.NewEntry()
	v.email.SetPlaceHolder("name@example.com")
	v.password = widget.NewPasswordEntry()
	v.password.SetPlaceHolder(tr("Password"))
	v.email.OnSubmitted = func(string) { v.a.win.Canvas().Focus(v.password) }
	v.password.OnSubmitted = func(string) { v.onSubmitLogin() }
	v.remember = widget.NewCheck(tr("Remember me on this computer"), nil)
	v.loginSubmit = newActionButton(tr("Sign in"), theme.LoginIcon(), v.onSubmitLogin)
	v.loginSubmit.Importance = widget.HighImportance
	v.loginError = newErrorLabel()
	return container.NewVBox(
		widget.NewLabel(tr("Email")), v.email,
		widget.NewLabel(tr("Password")), v.password,
		v.remember,
		v.loginSubmit,
		v.loginError,
	)
}

// makeStatus makes what shows while signing in (hidden until then): the
// spinner and status, the notice and pending lines, Back to uploads.
func (v *signInView) makeStatus() {
	v.activity = widget.NewActivity()
	v.status = widget.NewLabel("")
	v.statusRow = container.NewHBox(v.activity, v.status)
	v.statusRow.Hide()
	v.notice = note(widget.WarningImportance, fyne.TextWrapWord)
	v.notice.Hide()
	v.pending = note(widget.MediumImportance, fyne.TextWrapWord)
	v.pending.Hide()
	v.cancel = widget.NewButtonWithIcon(tr("Back to uploads"), theme.NavigateBackIcon(), v.onCancel)
	v.cancel.Hide()
}

// layout is the screen: one card under the logo and title, at most 480
// wide, scrolling when the window is too short for it.
func (v *signInView) layout() fyne.CanvasObject {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(56))
	title := widget.NewLabelWithStyle(tr("Sign in to dStor"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	sub := widget.NewLabelWithStyle(tr("Upload files to IPFS storage and get links you can share."), fyne.TextAlignCenter, fyne.TextStyle{})
	sub.Wrapping = fyne.TextWrapWord
	sub.Importance = widget.MediumImportance

	envLabel := widget.NewLabelWithStyle(tr("Environment"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	envForm := container.NewVBox(envLabel, v.env, v.envHint, v.customForm)
	logoRow := container.NewCenter(logo)
	sep := widget.NewSeparator()
	card := container.NewVBox(
		logoRow, title, sub,
		v.notice, v.pending,
		sep,
		envForm,
		v.methods,
		v.statusRow,
		container.NewCenter(v.cancel),
	)
	// A short window (640×480) drops the logo, the tagline, the
	// environment's label and then the title, so the button stays in view.
	short := &shortWindowLayout{card: card, pad: 2 * maxWidthVPad(),
		extras: [][]fyne.CanvasObject{{logoRow}, {sub}, {envLabel}, {title, sep}}}
	return container.New(short,
		container.NewVScroll(container.New(&fitFirst{short, &maxWidthLayout{width: 480}}, card)))
}

// prepare preselects the environment: --env, else the last one used.
func (v *signInView) prepare(envOpt string) {
	st := v.a.currentSettings()
	choice, base := choiceForEnvKey(envOpt)
	if choice == "" {
		choice, base = choiceForEnvKey(st.LastEnv)
	}
	if choice == "" {
		choice = choiceProduction
	}
	custom := v.a.customFor(base)
	v.customBase.SetText(custom.APIBase)
	v.customUpload.SetText(custom.UploadURL)
	v.customGateway.SetText(custom.GatewayURL)
	v.env.SetSelected(choiceLabel(choice))
	// An account that signed in with a password last: show that form.
	for _, ra := range st.RememberedAccounts {
		c, _ := choiceForEnvKey(ra.Env)
		if c != choice {
			continue
		}
		if ra.Method == storage.MethodPassword {
			v.email.SetText(ra.Account)
			v.methods.Select(v.loginTab)
		}
		break
	}
}

// autoSignIn signs in without a form when it can: as the account signed
// in to last (of --env's environment, else of any), or the demo account
// for --env sandbox. When that account cannot sign in by itself, it says
// so, and signs in as no other.
func (v *signInView) autoSignIn(envOpt string) {
	key := session.ParseKey(envOpt)
	v.setBusy(true, tr("Signing in…"))
	v.gen++
	gen := v.gen
	a := v.a
	a.goBg(func() {
		req, err := a.rememberedRequest(key)
		var (
			none    *session.ErrNotSignedIn
			missing *session.MissingSecretError
		)
		// Nothing to sign in with is no news: none is remembered, or a
		// store in memory holds nothing from earlier runs (the keyring
		// is off, or out of reach: keyringOutOfReachText says so).
		isNone, isMissing := errors.As(err, &none), errors.As(err, &missing)
		quiet := isNone || (isMissing && !a.secrets.Persistent())
		if key == api.SandboxKey && (isNone || isMissing) {
			req, err = signInRequest{choice: choiceSandbox, creds: demoKeyCredentials}, nil
		}
		if err != nil {
			why := ""
			if quiet {
				why = a.keyringOutOfReachText(key)
			}
			a.do(func() {
				if gen != v.gen {
					return
				}
				v.setBusy(false, "")
				switch {
				case quiet && why != "":
					v.setNotice(why)
				case !quiet:
					// The account signed in to last needs signing in
					// again: the form is turned to it.
					if isMissing {
						v.showAccount(missing.Account)
					}
					v.setError(tr("Could not sign you in automatically.") + " " + humanError(err))
				}
			})
			return
		}
		res := a.signIn(req)
		res.autoErr = req.auto
		a.do(func() { v.finish(gen, res) })
	})
}

// showAccount turns the form to the remembered account ra: its
// environment, its way of signing in and, for a password, its email.
func (v *signInView) showAccount(ra storage.RememberedAccount) {
	choice, base := choiceForEnvKey(ra.Env)
	if choice == choiceCustom {
		custom := v.a.customFor(base)
		v.customBase.SetText(custom.APIBase)
		v.customUpload.SetText(custom.UploadURL)
		v.customGateway.SetText(custom.GatewayURL)
	}
	v.env.SetSelected(choiceLabel(choice))
	if ra.Method == storage.MethodPassword {
		v.email.SetText(ra.Account)
		v.methods.Select(v.loginTab)
	} else {
		v.methods.Select(v.keyTab)
	}
}

func (v *signInView) onEnvChanged(choice string) {
	demoKey := v.apiKey.Text == "" || v.apiKey.Text == sandbox.DemoAPIKey
	switch choice {
	case choiceProduction:
		v.envHint.SetText(tr("dStor's service. Use an API key from your dStor account, or your email and password."))
	case choiceTestnet:
		v.envHint.SetText(tr("dStor's test service, for trying things out without touching production data."))
	case choiceSandbox:
		v.envHint.SetText(tr("A dStor-compatible server on this computer: no account and no network needed. "+
			"Its demo account is filled in: the demo API key, or the email {{.Email}} with the password {{.Password}}.",
			map[string]any{"Email": sandbox.DemoEmail, "Password": sandbox.DemoPassword}))
	case choiceCustom:
		v.envHint.SetText(tr("Your own dStor-compatible server. The upload and gateway URLs default to the API base's."))
	}
	if choice == choiceSandbox {
		if demoKey {
			v.apiKey.SetText(sandbox.DemoAPIKey)
		}
		v.fillDemoAccount()
	} else {
		if v.apiKey.Text == sandbox.DemoAPIKey {
			v.apiKey.SetText("")
		}
		if v.email.Text == sandbox.DemoEmail {
			v.email.SetText("")
			v.password.SetText("")
		}
	}
	if choice == choiceCustom {
		v.customForm.Show()
	} else {
		v.customForm.Hide()
	}
	v.clearMessages()
}

// fillDemoAccount fills in the Local sandbox's demo email and password
// (public: the sandbox is on this computer) unless another email is typed.
func (v *signInView) fillDemoAccount() {
	if v.email.Text == "" || v.email.Text == sandbox.DemoEmail {
		v.email.SetText(sandbox.DemoEmail)
		if v.password.Text == "" {
			v.password.SetText(sandbox.DemoPassword)
		}
	}
}

// onKeyChanged is the live 64-character check.
func (v *signInView) onKeyChanged(s string) {
	s = strings.TrimSpace(s)
	n := len([]rune(s))
	switch {
	case n == 0:
		v.keyCount.Importance = widget.MediumImportance
		v.keyCount.SetText(tr("64 characters, shown once when the key was created."))
	case api.ValidateAPIKey(s) == nil:
		v.keyCount.Importance = widget.SuccessImportance
		v.keyCount.SetText(checkMark + " " + tr("{{.N}} of {{.Of}} characters", map[string]any{"N": api.APIKeyLength, "Of": api.APIKeyLength}))
	case !api.ValidAPIKeyChars(s):
		v.keyCount.Importance = widget.DangerImportance
		v.keyCount.SetText(apiKeyText(s))
	default:
		v.keyCount.Importance = widget.MediumImportance
		if n > api.APIKeyLength {
			v.keyCount.Importance = widget.DangerImportance
		}
		v.keyCount.SetText(tr("{{.N}} of {{.Of}} characters", map[string]any{"N": n, "Of": api.APIKeyLength}))
	}
	v.keyCount.Refresh()
}

// onPaste replaces the key with the clipboard's text (trimmed: keys copied
// from a web page often carry a line break).
func (v *signInView) onPaste() {
	s := strings.TrimSpace(v.a.fyne.Clipboard().Content())
	if s == "" {
		v.setError(tr("The clipboard is empty. Copy your API key first."))
		return
	}
	v.apiKey.SetText(s)
	v.a.win.Canvas().Focus(v.keySubmit)
}

// choice is the environment chosen ("" for none yet).
func (v *signInView) choice() string {
	return choiceOfLabel(v.env.Selected)
}

func (v *signInView) customEnv() api.Environment {
	return api.Environment{
		APIBase:    strings.TrimSpace(v.customBase.Text),
		UploadURL:  strings.TrimSpace(v.customUpload.Text),
		GatewayURL: strings.TrimSpace(v.customGateway.Text),
	}
}

// onSubmitKey signs in with the API key (Enter in the key field).
func (v *signInView) onSubmitKey() {
	if v.busy {
		return
	}
	key := strings.TrimSpace(v.apiKey.Text)
	if err := api.ValidateAPIKey(key); err != nil {
		v.setError(apiKeyText(key))
		return
	}
	v.start(signInRequest{choice: v.choice(), custom: v.customEnv(),
		creds: session.Credentials{Method: storage.MethodAPIKey, APIKey: key}})
}

// onSubmitLogin signs in with email and password (Enter in the password
// field).
func (v *signInView) onSubmitLogin() {
	if v.busy {
		return
	}
	email := strings.TrimSpace(v.email.Text)
	if err := api.ValidateEmail(email); err != nil {
		v.setError(errorText(err))
		return
	}
	if v.password.Text == "" {
		v.setError(tr("Enter your password."))
		v.a.win.Canvas().Focus(v.password)
		return
	}
	password := withoutPastedLineEnd(v.password.Text, v.a.fyne.Clipboard().Content())
	v.start(signInRequest{choice: v.choice(), custom: v.customEnv(), remember: v.remember.Checked,
		creds: session.Credentials{Method: storage.MethodPassword, Email: email, Password: password, Remember: v.remember.Checked}})
}

// withoutPastedLineEnd is the password field's text without the line end
// of a line pasted whole: copied from a terminal, a file or a note, a
// password comes with it, which a one-line field turns into a space
// ("\r " for Windows' "\r\n"), and dStor would refuse the right password
// as wrong. Only a field that is exactly the clipboard so turned loses
// it, as `login` reads a line; spaces typed around a password are part of
// it, and line breaks inside a paste stay the spaces the field shows.
func withoutPastedLineEnd(field, clipboard string) string {
	line := strings.TrimRight(clipboard, "\r\n")
	if line == clipboard || field != strings.ReplaceAll(clipboard, "\n", " ") {
		return field
	}
	return field[:len(line)]
}

// savableURL is a Custom URL as the settings (savableCustom) may keep
// it: without a user name and password, a query or a fragment, where an
// API key or a token pasted with it goes (the sign-in refuses all three
// anyway: api.ProblemUserInfo, api.ProblemQuery); "" for text that is not
// a server's URL (api.IsServerURL: an API key pasted into the field,
// alone, after https:// or before ://, say), since it may be a secret
// itself.
func savableURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || !api.IsServerURL(u) {
		return ""
	}
	if u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" && !strings.Contains(s, "#") {
		return s
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

func (v *signInView) start(req signInRequest) {
	if req.choice == "" {
		v.setError(tr("Choose an environment first."))
		return
	}
	if req.choice == choiceCustom {
		custom := savableCustom(req.custom)
		v.a.changeSettings(func(s storage.Settings) storage.Settings {
			s.Custom = custom
			return s
		})
	}
	req.reuse = v.reuse
	v.clearMessages()
	v.gen++
	gen := v.gen
	if req.choice == choiceSandbox {
		v.setBusy(true, tr("Starting the Local sandbox and signing in…"))
	} else {
		v.setBusy(true, tr("Signing in…"))
	}
	a := v.a
	a.goBg(func() {
		res := a.signIn(req)
		a.do(func() { v.finish(gen, res) })
	})
}

// finish applies a sign-in result on the UI goroutine.
func (v *signInView) finish(gen int, res signInResult) {
	if gen != v.gen {
		if res.sess != nil && res.sess != v.a.sess && res.sess != v.reuse {
			v.a.retire(res.sess, nil)
		}
		return
	}
	v.setBusy(false, "")
	if res.err != nil {
		msg := humanError(res.err)
		if res.autoErr {
			msg = tr("Could not sign you in automatically.") + " " + msg
		}
		v.setError(msg)
		return
	}
	v.a.onSignedIn(res)
}

func (v *signInView) setBusy(busy bool, msg string) {
	v.busy = busy
	for _, w := range []fyne.Disableable{v.keySubmit, v.loginSubmit, v.env, v.apiKey, v.email, v.password, v.paste, v.remember} {
		if busy {
			w.Disable()
		} else {
			w.Enable()
		}
	}
	if busy {
		v.status.SetText(msg)
		v.statusRow.Show()
		v.activity.Start()
	} else {
		v.activity.Stop()
		v.statusRow.Hide()
	}
}

// newErrorLabel is a tab's error line: red, wrapped, hidden until needed.
func newErrorLabel() *widget.Label {
	l := widget.NewLabel("")
	l.Wrapping = fyne.TextWrapWord
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// errorLabel is the error line of the tab shown: an error stays with the
// way of signing in it is about.
func (v *signInView) errorLabel() *widget.Label {
	if v.methods.Selected() == v.loginTab {
		return v.loginError
	}
	return v.keyError
}

// firstField is where the cursor goes in the tab shown.
func (v *signInView) firstField() fyne.Focusable {
	if v.methods.Selected() == v.loginTab {
		if v.email.Text != "" {
			return v.password
		}
		return v.email
	}
	return v.apiKey
}

func (v *signInView) setError(msg string) {
	l := v.errorLabel()
	l.SetText(msg)
	l.Show()
}

func (v *signInView) setNotice(msg string) {
	v.notice.SetText(msg)
	v.notice.Show()
}

func (v *signInView) clearMessages() {
	for _, l := range []*widget.Label{v.keyError, v.loginError} {
		l.Hide()
		l.SetText("")
	}
	v.notice.Hide()
}

// showPending says that files added before sign-in wait for it.
func (v *signInView) showPending(n int) {
	v.pending.SetText(trn("{{.Count}} files or folders will be uploaded once you are signed in.", n))
	v.pending.Show()
}

// onCancel leaves a re-sign-in and goes back to the uploads.
func (v *signInView) onCancel() {
	if v.a.sess == nil {
		return
	}
	v.reuse = nil
	v.cancel.Hide()
	v.env.Enable()
	v.a.showMain()
}

// onSignedIn switches to the main view with the new session.
func (a *App) onSignedIn(res signInResult) {
	old := a.sess
	if old != nil && old != res.sess {
		a.upload.detach()
		a.lastLink = "" // the old account's
		a.retire(old, nil)
	}
	a.sess = res.sess
	a.upload.setNotice(res.notice)
	if old != res.sess {
		if res.sess.queue != nil {
			a.upload.attach(res.sess)
		} else {
			a.waitForQueue(res.sess) // its notice wins over the keyring's
		}
	}
	a.signin.reuse = nil
	a.signin.cancel.Hide()
	a.signin.env.Enable()
	a.signin.password.SetText("")
	if a.signin.choice() != choiceSandbox {
		a.signin.apiKey.SetText("")
	} else {
		a.signin.fillDemoAccount()
	}
	a.showAccount(res.sess.displayAccount())
	a.envLabel.SetText(tr("on {{.Env}}", map[string]any{"Env": res.sess.envLabel}))
	a.showMain()
	a.win.SetTitle("dStor Uploader — " + res.sess.envLabel)
	a.queuePending()
	a.history.reload()
	a.prefs.refresh()
	if a.pendingPick {
		a.askForFiles()
	}
}

// onReauth shows the sign-in screen for the current session, whose queue
// waits for a fresh sign-in; the queue is kept.
func (a *App) onReauth() {
	if a.sess == nil {
		return
	}
	v := a.signin
	v.reuse = a.sess
	choice, _ := choiceForEnvKey(a.sess.EnvKey)
	v.env.SetSelected(choiceLabel(choice))
	v.env.Disable()
	if a.sess.Method == storage.MethodPassword {
		v.email.SetText(a.sess.Account)
		v.methods.Select(v.loginTab)
	} else {
		v.methods.Select(v.keyTab)
	}
	v.prefillRemembered(a.sess.Remembered())
	v.setNotice(tr("Your session has ended. Sign in again to continue the uploads waiting in the queue."))
	v.cancel.Show()
	a.win.SetContent(v.content)
}

// prefillRemembered fills the form with what the keyring holds for ra (its
// API key, or its password with Remember me ticked), read on a goroutine:
// "Sign in again" then needs one click when the secret was right, and
// shows what to correct when it was not.
func (v *signInView) prefillRemembered(ra storage.RememberedAccount) {
	a := v.a
	a.goBg(func() {
		sv, err := session.ReadSaved(a.secrets, ra)
		if err != nil {
			return
		}
		a.do(func() {
			if v.reuse == nil || v.reuse.EnvKey != ra.Env || v.reuse.Account != ra.Account {
				return // the person moved on
			}
			if sv.APIKey != "" && v.apiKey.Text == "" {
				v.apiKey.SetText(sv.APIKey)
			}
			if sv.Password != "" {
				v.password.SetText(sv.Password)
				v.remember.SetChecked(true)
			}
		})
	})
}

// onSignOut signs out, after asking when uploads are still running.
func (a *App) onSignOut() {
	if a.sess == nil {
		return
	}
	if !a.upload.busy() {
		a.doSignOut()
		return
	}
	text := tr("The uploads still in the queue stop now. They continue when you sign in to this account again.")
	if a.upload.sum.Paused { // and stay paused (rememberPause)
		text = tr("The uploads in the queue are paused and stay paused: after you sign in to this account again, Resume sends them.")
	}
	a.confirm(tr("Sign out while uploading?"), text, tr("Sign out"), tr("Cancel"), a.doSignOut)
}

// doSignOut closes the session and forgets the account: its secrets leave
// the keyring and its name leaves the remembered accounts.
func (a *App) doSignOut() {
	s := a.sess
	if s == nil {
		return
	}
	a.rememberPause(s)
	a.sess = nil
	a.lastLink = ""
	a.upload.detach()
	v := a.signin
	v.reuse = nil
	v.cancel.Hide()
	v.env.Enable()
	v.password.SetText("")
	if v.choice() != choiceSandbox {
		v.apiKey.SetText("")
	} else {
		v.fillDemoAccount()
	}
	v.clearMessages()
	keep := a.signOutKeepsRemembered(s.EnvKey, s.Account)
	if keep {
		v.setNotice(tr("Signed out. The system keyring cannot be used now, so what it may keep for this account from an earlier sign-in was not removed, and the account stays remembered: sign out again once the keyring works."))
	} else {
		v.setNotice(tr("Signed out. Your credentials were removed from this computer."))
	}
	a.win.SetTitle("dStor Uploader")
	a.win.SetContent(v.content)
	a.retire(s, func() {
		if keep {
			// This run's secrets are in memory: they go; the account
			// and what the keyring keeps for it stay.
			_ = session.Forget(a.secrets, storage.RememberedAccount{Env: s.EnvKey, Account: s.Account})
			return
		}
		err := a.signOutAccount(s.EnvKey, s.Account)
		if err != nil {
			a.do(func() {
				v.notice.Hide() // it says they were removed
				v.setError(keyringKeptText(err))
			})
		}
	})
}

// maxWidthLayout centres one column no wider than width, like a dialog
// card, so forms stay readable in a maximised window.
type maxWidthLayout struct{ width float32 }

// maxWidthPad is the least room maxWidthLayout keeps left and right of
// its column; maxWidthVPad above and below it, less, for short windows.
func maxWidthPad() float32 { return theme.Padding() * 4 }

func maxWidthVPad() float32 { return theme.Padding() * 2 }

func (l *maxWidthLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := maxWidthPad()
	for _, o := range objs {
		w := size.Width - 2*pad
		if w > l.width {
			w = l.width
		}
		h := o.MinSize().Height
		y := (size.Height - h) / 2
		if vpad := maxWidthVPad(); y < vpad {
			y = vpad
		}
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, y))
	}
}

func (l *maxWidthLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := maxWidthPad()
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	if s.Width > l.width {
		s.Width = l.width
	}
	return fyne.NewSize(s.Width+2*pad, s.Height+2*maxWidthVPad())
}

// demoKeyCredentials sign in to the Local sandbox with its public demo key.
var demoKeyCredentials = session.Credentials{Method: storage.MethodAPIKey, APIKey: sandbox.DemoAPIKey}
