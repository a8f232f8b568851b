package ui

import (
	"context"
	"errors"
	"image/color"
	"math"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestSignInWithAPIKeyByEnter(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		a.signin.env.SetSelected(choiceSandbox)
		assert.Equal(t, checkMark+" 64 of 64 characters", a.signin.keyCount.Text)
		// Keyboard only: Enter in the key field submits.
		a.signin.apiKey.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		assert.True(t, a.signin.busy, "a spinner while signing in")
	})
	e.eventually(func() bool { return a.sess != nil }, "signed in")
	e.ui(func() {
		assert.Equal(t, a.mainView, a.win.Content())
		assert.Equal(t, "on Local sandbox", a.envLabel.Text)
		assert.Equal(t, "API key account", a.accountLabel.Text)
		assert.Equal(t, storage.MethodAPIKey, a.sess.Method)
	})
	key, err := e.secrets.Get(api.SandboxKey, a.sess.Account, storage.SecretAPIKey)
	require.NoError(t, err)
	assert.Equal(t, sandbox.DemoAPIKey, key)
	_, err = e.secrets.Get(api.SandboxKey, a.sess.Account, storage.SecretToken)
	require.NoError(t, err)
	st := a.currentSettings()
	require.Len(t, st.RememberedAccounts, 1)
	assert.Equal(t, storage.RememberedAccount{Env: api.SandboxKey, Account: a.sess.Account, Method: storage.MethodAPIKey}, st.RememberedAccounts[0])
	assert.Equal(t, api.SandboxKey, st.LastEnv)
}

func TestSignInWithEmailAndPassword(t *testing.T) {
	for _, remember := range []bool{false, true} {
		t.Run(map[bool]string{false: "forget", true: "remember"}[remember], func(t *testing.T) {
			e := newTestEnv(t)
			a := e.a
			e.ui(func() {
				a.signin.env.SetSelected(choiceSandbox)
				a.signin.methods.Select(a.signin.loginTab)
				a.signin.email.SetText("")
				a.signin.password.SetText("")
				test.Type(a.signin.email, sandbox.DemoEmail)
				test.Type(a.signin.password, sandbox.DemoPassword)
				assert.False(t, a.signin.remember.Checked, "Remember me is off by default")
				if remember {
					test.Tap(a.signin.remember)
				}
				a.signin.password.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			})
			e.eventually(func() bool { return a.sess != nil }, "signed in")
			e.ui(func() {
				assert.Equal(t, sandbox.DemoEmail, a.accountLabel.Text)
				assert.Equal(t, sandbox.DemoPassword, a.signin.password.Text, "only the public demo password is filled in again")
			})
			pw, err := e.secrets.Get(api.SandboxKey, sandbox.DemoEmail, storage.SecretPassword)
			if remember {
				require.NoError(t, err)
				assert.Equal(t, sandbox.DemoPassword, pw)
			} else {
				assert.ErrorIs(t, err, storage.ErrSecretNotFound)
			}
		})
	}
}

func TestLiveKeyCheck(t *testing.T) {
	e := newTestEnv(t)
	s := e.a.signin
	e.ui(func() {
		s.env.SetSelected(choiceProduction)
		require.Empty(t, s.apiKey.Text)
		test.Type(s.apiKey, strings.Repeat("a", 37))
		assert.Equal(t, "37 of 64 characters", s.keyCount.Text)
		test.Tap(s.keySubmit)
		assert.False(t, s.busy, "a malformed key is refused before any request")
		assert.True(t, s.errorLabel().Visible())
		assert.Equal(t, "The API key must be exactly 64 characters long, but this one has 37. Copy the whole key again.", s.errorLabel().Text)
		assert.Contains(t, s.errorLabel().Text, "64")
		test.Type(s.apiKey, "!")
		assert.Equal(t, widget.DangerImportance, s.keyCount.Importance)
	})
}

func TestSignInFailuresAreSentences(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	u, err := a.startSandbox()
	require.NoError(t, err)
	env, err := api.CustomEnvironment(u)
	require.NoError(t, err)
	client, err := api.NewClient(env, nil)
	require.NoError(t, err)
	ctx := context.Background()

	wrongKey := strings.Repeat("W", 64)
	_, wrongKeyErr := client.TokenFromAPIKey(ctx, wrongKey, time.Now().Add(time.Hour))
	require.ErrorIs(t, wrongKeyErr, api.ErrUnauthorized)
	_, wrongPwErr := client.TokenFromLogin(ctx, sandbox.DemoEmail, "not-the-password")
	require.Error(t, wrongPwErr)

	// A closed port on loopback: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	closedEnv, err := api.CustomEnvironment(closed)
	require.NoError(t, err)
	closedClient, err := api.NewClient(closedEnv, nil)
	require.NoError(t, err)
	_, unreachableErr := closedClient.TokenFromAPIKey(ctx, sandbox.DemoAPIKey, time.Now().Add(time.Hour))
	require.ErrorIs(t, unreachableErr, api.ErrUnreachable)

	cases := []struct {
		name string
		do   func(s *signInView)
		want string
	}{
		{"wrong key", func(s *signInView) {
			s.env.SetSelected(choiceSandbox)
			s.apiKey.SetText(wrongKey)
			test.Tap(s.keySubmit)
		}, humanError(wrongKeyErr)},
		{"wrong password", func(s *signInView) {
			s.env.SetSelected(choiceSandbox)
			s.methods.Select(s.loginTab)
			s.email.SetText(sandbox.DemoEmail)
			s.password.SetText("not-the-password")
			test.Tap(s.loginSubmit)
		}, humanError(wrongPwErr)},
		{"unreachable host", func(s *signInView) {
			s.env.SetSelected(choiceCustom)
			s.customBase.SetText(closed)
			s.methods.Select(s.keyTab)
			s.apiKey.SetText(sandbox.DemoAPIKey)
			test.Tap(s.keySubmit)
		}, humanError(unreachableErr)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.ui(func() { c.do(a.signin) })
			e.eventually(func() bool { return !a.signin.busy && a.signin.errorLabel().Visible() }, "error shown")
			e.ui(func() {
				assert.Equal(t, c.want, a.signin.errorLabel().Text)
				assert.NotContains(t, a.signin.errorLabel().Text, wrongKey)
				assert.Nil(t, a.sess)
			})
		})
	}
	assert.Contains(t, humanError(unreachableErr), l.Addr().(*net.TCPAddr).IP.String())
}

func TestSignOutClearsMemoryKeyring(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	testSignOut(t, e)
}

func TestSignOutClearsRealKeyring(t *testing.T) {
	store := storage.NewSecretStore(testutil.KeyringTimeout)
	if !store.Persistent() {
		if os.Getenv("DSTOR_REQUIRE_KEYRING") != "" {
			t.Fatal("DSTOR_REQUIRE_KEYRING is set but no OS keyring works: " + store.Reason())
		}
		t.Skip("no OS keyring here: " + store.Reason())
	}
	e := newTestEnv(t)
	e.secrets = store
	e.a.Close()
	e.a = e.open(Deps{})
	e.signInSandbox()
	testSignOut(t, e)
}

func testSignOut(t *testing.T, e *testEnv) {
	a := e.a
	var account string
	e.ui(func() { account = a.sess.Account })
	_, err := e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
	require.NoError(t, err)
	e.ui(func() { test.Tap(a.signOut) })
	e.eventually(func() bool { return a.sess == nil && a.win.Content() == a.signin.content }, "back at sign-in")
	require.Eventually(t, func() bool {
		_, err := e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
		return errors.Is(err, storage.ErrSecretNotFound)
	}, 20*time.Second, 20*time.Millisecond)
	for _, k := range storage.SecretKinds() {
		_, err := e.secrets.Get(api.SandboxKey, account, k)
		assert.ErrorIs(t, err, storage.ErrSecretNotFound, k)
	}
	require.Eventually(t, func() bool { return len(a.currentSettings().RememberedAccounts) == 0 }, 20*time.Second, 10*time.Millisecond)
}

func TestRememberedAccountSignsInAtStart(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	e.a.Close()
	// A new start with no --env: the remembered account signs in by itself.
	a2 := NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: e.secrets, Home: e.dir})
	t.Cleanup(a2.Close)
	e.a = a2
	e.eventually(func() bool { return a2.sess != nil }, "signed in from the keyring")
	e.ui(func() { assert.Equal(t, "on Local sandbox", a2.envLabel.Text) })
}

func TestEnvSandboxSignsInStraightAway(t *testing.T) {
	e := newTestEnv(t)
	e.a.Close()
	e.a = e.open(Deps{Env: "sandbox"})
	e.eventually(func() bool { return e.a.sess != nil }, "signed in to the sandbox")
}

// TestKeyringNoticeOnlyWhereItMatters: without a keyring, signing in to a
// real environment says the sign-in will not be remembered; the Local
// sandbox, whose demo key is public and which signs in by itself, does not.
func TestKeyringNoticeOnlyWhereItMatters(t *testing.T) {
	e := newTestEnv(t) // a memory secret store: no keyring
	e.signInSandbox()
	e.eventually(func() bool { return !e.a.upload.noticeBox.Visible() }, "no notice for the sandbox")
	e.ui(func() { assert.Empty(t, e.a.upload.notice.Text) })
}

// The sign-in screen works with the keyboard alone: Tab reaches every
// control, the two ways of signing in included; Return on a focused
// button presses it.
func TestSignInWithTheKeyboardAlone(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	s := a.signin
	focusChain := func() []fyne.Focusable {
		c := a.win.Canvas()
		c.Focus(nil)
		var chain []fyne.Focusable
		for range 40 {
			c.FocusNext()
			f := c.Focused()
			if f == nil || len(chain) > 0 && f == chain[0] {
				break
			}
			chain = append(chain, f)
		}
		return chain
	}
	e.ui(func() {
		s.env.SetSelected(choiceSandbox)
		chain := focusChain()
		for name, w := range map[string]fyne.Focusable{
			"environment": s.env, "API key tab": s.methods.buttons[0], "email tab": s.methods.buttons[1],
			"API key": s.apiKey, "Paste": s.paste, "Sign in with API key": s.keySubmit,
		} {
			assert.Contains(t, chain, w, "Tab reaches %s", name)
		}
		// The email tab, chosen from the keyboard.
		a.win.Canvas().Focus(s.methods.buttons[1])
		s.methods.buttons[1].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		assert.Equal(t, s.loginTab, s.methods.Selected())
		chain = focusChain()
		for name, w := range map[string]fyne.Focusable{
			"email": s.email, "password": s.password, "Remember me": s.remember, "Sign in": s.loginSubmit,
		} {
			assert.Contains(t, chain, w, "Tab reaches %s", name)
		}
		assert.NotContains(t, chain, s.apiKey, "the hidden tab's fields are skipped")
		assert.Equal(t, sandbox.DemoEmail, s.email.Text)
		assert.Equal(t, sandbox.DemoPassword, s.password.Text, "the demo password is filled in")
		assert.Contains(t, s.envHint.Text, sandbox.DemoPassword, "and shown")
		a.win.Canvas().Focus(s.loginSubmit)
		s.loginSubmit.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	e.eventually(func() bool { return a.sess != nil }, "Return on the focused Sign in signs in")
}

// An error belongs to the way of signing in it is about.
func TestErrorsStayWithTheirTab(t *testing.T) {
	e := newTestEnv(t)
	s := e.a.signin
	e.ui(func() {
		s.env.SetSelected(choiceProduction)
		s.methods.Select(s.keyTab)
		s.apiKey.SetText("short")
		test.Tap(s.keySubmit)
		assert.True(t, s.keyError.Visible())
		s.methods.Select(s.loginTab)
		assert.False(t, s.loginError.Visible(), "the key's error is not shown under the email form")
		assert.False(t, s.errorLabel().Visible())
		test.Tap(s.loginSubmit)
		assert.Contains(t, s.loginError.Text, "email")
		s.methods.Select(s.keyTab)
		assert.True(t, s.keyError.Visible(), "each tab keeps its own")
		assert.NotEqual(t, s.keyError.Text, s.loginError.Text)
	})
}

// A focused button must look focused: the focus tint over the button's
// colour (Fyne blends it in) must change it visibly, on primary buttons
// too, in both variants; unticked boxes must be outlined visibly.
func TestFocusAndOutlinesAreVisible(t *testing.T) {
	th := &variantTheme{}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		th.variant = v
		focus := th.Color(theme.ColorNameFocus, v)
		for _, bg := range []fyne.ThemeColorName{theme.ColorNamePrimary, theme.ColorNameButton} {
			base := th.Color(bg, v)
			assert.Greater(t, contrast(over(focus, base), base), 1.25, "variant %d, %s", v, bg)
		}
		assert.Greater(t, contrast(th.Color(theme.ColorNameInputBorder, v), th.Color(theme.ColorNameBackground, v)), 2.5, "variant %d", v)
	}
}

// over composites c over an opaque base.
func over(c, base color.Color) color.Color {
	r, g, b, a := c.RGBA()
	br, bgc, bb, _ := base.RGBA()
	mix := func(x, y uint32) uint8 { return uint8((x + y*(0xffff-a)/0xffff) >> 8) }
	return color.NRGBA{R: mix(r, br), G: mix(g, bgc), B: mix(b, bb), A: 0xff}
}

// contrast is the WCAG contrast ratio of two opaque colours.
func contrast(a, b color.Color) float64 {
	lum := func(c color.Color) float64 {
		r, g, bl, _ := c.RGBA()
		ch := func(v uint32) float64 {
			x := float64(v) / 0xffff
			if x <= 0.03928 {
				return x / 12.92
			}
			return math.Pow((x+0.055)/1.055, 2.4)
		}
		return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(bl)
	}
	la, lb := lum(a), lum(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestSignInFitsSmallWindow: at 640×480 the form, its button and a
// message under it are in view without scrolling, on both tabs (the logo
// and the tagline give way); a large window keeps them.
func TestSignInFitsSmallWindow(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	v := a.signin
	inView := func(o fyne.CanvasObject) bool {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
		return o.Visible() && pos.Y >= 0 && pos.Y+o.Size().Height <= a.win.Canvas().Size().Height
	}
	scroll := v.content.(*fyne.Container).Objects[0].(*container.Scroll)
	e.ui(func() {
		v.env.SetSelected(choiceSandbox)
		v.methods.Select(v.loginTab)
		v.setError("dStor refused the email or password: check them and try again.")
		a.win.Resize(fyne.NewSize(640, 480))
		assert.LessOrEqual(t, scroll.Content.MinSize().Height, scroll.Size().Height, "no scrolling")
		assert.True(t, inView(v.loginSubmit), "the Sign in button")
		assert.True(t, inView(v.loginError), "the message under it")
		v.methods.Select(v.keyTab)
		assert.True(t, inView(v.keySubmit), "the API key's button")

		short := v.content.(*fyne.Container).Layout.(*shortWindowLayout)
		assert.False(t, short.extras[0][0].Visible(), "no logo at 640×480")

		a.win.Resize(fyne.NewSize(1280, 800))
		for _, g := range short.extras {
			for _, o := range g {
				assert.True(t, o.Visible(), "a large window shows the logo, tagline and title")
			}
		}
		assert.True(t, inView(v.keySubmit))
	})
}
