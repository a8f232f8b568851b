package ui

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestSignInWithAPIKeyByEnter(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		a.signin.env.SetSelected(choiceSandbox)
		assert.Equal(t, "✓ 64 of 64 characters", a.signin.keyCount.Text)
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
				assert.Empty(t, a.signin.password.Text, "the password does not stay in the form")
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
		assert.True(t, s.errLabel.Visible())
		assert.Equal(t, sentence(api.Human(api.ValidateAPIKey(strings.Repeat("a", 37)))), s.errLabel.Text)
		assert.Contains(t, s.errLabel.Text, "64")
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
			e.eventually(func() bool { return !a.signin.busy && a.signin.errLabel.Visible() }, "error shown")
			e.ui(func() {
				assert.Equal(t, c.want, a.signin.errLabel.Text)
				assert.NotContains(t, a.signin.errLabel.Text, wrongKey)
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
	store := storage.NewSecretStore(3 * time.Second)
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
