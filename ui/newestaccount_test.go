package ui

import (
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestStartNeverSignsInAsAnEarlierAccount: two dStor accounts signed in
// to one environment in the window, first A (its API key), then B (its
// password). When the keyring no longer holds B's sign-in, the next start
// does not quietly sign in as A, the account signed in to before, whose
// uploads would go there (as the command line does not, 8fb7ded): it
// stays on the sign-in screen, says that B needs signing in again, and has
// B's email filled in.
func TestStartNeverSignsInAsAnEarlierAccount(t *testing.T) {
	const emailB, passwordB = "second@example.com", "second-password-123"
	for _, tc := range []struct {
		name string
		env  func(sb *testutil.Sandbox) string
	}{
		{"with --env", func(sb *testutil.Sandbox) string { return sb.URL }},
		{"without --env", func(*testutil.Sandbox) string { return "" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := testutil.StartSandbox(t, sandbox.Config{})
			_, err := sb.Srv.CreateAccount(emailB, passwordB)
			require.NoError(t, err)
			e, _ := newKeyringTestEnv(t)
			e.signInCustom(sb)
			a := e.a
			var keyAccount *activeSession
			e.ui(func() {
				keyAccount = a.sess
				v := a.signin
				v.methods.Select(v.loginTab)
				v.email.SetText(emailB)
				v.password.SetText(passwordB)
				require.False(t, v.remember.Checked)
				test.Tap(v.loginSubmit)
			})
			e.eventually(func() bool { return a.sess != nil && a.sess != keyAccount }, "signed in as B")
			var envKey string
			e.ui(func() {
				envKey = a.sess.EnvKey
				require.Equal(t, emailB, a.sess.Account)
			})
			remembered := a.currentSettings().RememberedAccounts
			require.Len(t, remembered, 2)
			require.Equal(t, emailB, remembered[0].Account, "B is the newest")
			// B's sign-in leaves the keyring (removed with the keyring's
			// app, say); A's key stays.
			a.Close()
			require.NoError(t, e.secrets.DeleteAccount(envKey, emailB))
			_, err = e.secrets.Get(envKey, keyAccount.Account, storage.SecretAPIKey)
			require.NoError(t, err)

			requests := sb.LogLines()
			a = NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: e.secrets, Home: e.dir, Env: tc.env(sb)})
			t.Cleanup(a.Close)
			e.a = a
			e.eventually(func() bool { return !a.signin.busy }, "the start's sign-in over")
			e.ui(func() {
				if a.sess != nil {
					t.Fatalf("signed in by itself as %s, not B", a.sess.Account)
				}
				v := a.signin
				assert.Equal(t, v.loginTab, v.methods.Selected())
				assert.Equal(t, emailB, v.email.Text)
				assert.True(t, v.loginError.Visible(), "it says why")
				assert.Contains(t, v.loginError.Text, emailB)
				assert.Contains(t, v.loginError.Text, "Sign in again")
			})
			assert.Equal(t, requests, sb.LogLines(), "no request signed anyone in")
		})
	}
}

// TestRememberMeUntickedWhileTheKeyringIsOutOfReachHolds: an account
// signed in with its password, "Remember me" ticked, keeps the password in
// the keyring; at a start whose keyring cannot be used, the person signs
// in again with "Remember me" unticked, which can forget the password only
// in memory. At the next start where the keyring works, that password does
// not sign in by itself (its token having expired meanwhile): it leaves
// the keyring, and the form asks for it.
func TestRememberMeUntickedWhileTheKeyringIsOutOfReachHolds(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	fake := testutil.NewKeyring()
	working := fake.Store()
	require.True(t, working.Persistent(), working.Reason())
	e := newTestEnv(t)
	start := func(secrets *storage.SecretStore, env string) *App {
		e.a.Close()
		a := NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: secrets, Home: e.dir, Env: env})
		t.Cleanup(a.Close)
		e.a = a
		return a
	}
	signIn := func(a *App, remember bool) {
		e.eventually(func() bool { return !a.signin.busy }, "the start's sign-in over")
		e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, remember)
	}
	envKey := sb.Env.Key()

	a := start(working, "")
	signIn(a, true)
	pw, err := working.Get(envKey, testutil.SandboxEmail, storage.SecretPassword)
	require.NoError(t, err)
	require.Equal(t, testutil.SandboxPassword, pw, "remembered")

	locked := errors.New("the collection is locked")
	down := testutil.NewKeyring()
	down.Fail(func(testutil.KeyringOp, string, string) error { return locked })
	broken := down.Store()
	require.False(t, broken.Persistent())
	a = start(broken, "")
	signIn(a, false)

	// The token kept at the first sign-in has expired by the next start.
	payload := fmt.Sprintf(`{"sub":%q,"exp":%d}`, sb.Acc.ID, time.Now().Add(-time.Hour).Unix())
	expired := "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	require.NoError(t, working.Set(envKey, testutil.SandboxEmail, storage.SecretToken, expired))
	a = start(working, sb.URL)
	e.eventually(func() bool { return !a.signin.busy }, "the start's sign-in over")
	e.ui(func() {
		if a.sess != nil {
			t.Fatal("the password kept before Remember me was unticked signed in by itself")
		}
		v := a.signin
		assert.Equal(t, testutil.SandboxEmail, v.email.Text)
		assert.False(t, v.remember.Checked)
		assert.True(t, v.loginError.Visible(), "it says why")
	})
	_, err = working.Get(envKey, testutil.SandboxEmail, storage.SecretPassword)
	assert.ErrorIs(t, err, storage.ErrSecretNotFound, "the password has left the keyring")
}

// TestRememberMeUntickedWhenTheKeyringKeepsThePassword: a password kept
// with "Remember me", then a sign-in with it unticked whose keyring refuses
// to delete it (a locked item). The window does not say the sign-in is
// kept only until it quits (its token is kept): it says the password stays
// in the keyring, unused, and how to remove it; and the password signs in
// to nothing at the next start (its token expired meanwhile).
func TestRememberMeUntickedWhenTheKeyringKeepsThePassword(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, fake := newKeyringTestEnv(t)
	signIn := func(remember bool) {
		e.a.Close()
		e.a = e.open(Deps{})
		e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, remember)
	}
	envKey := sb.Env.Key()
	signIn(true)
	fake.FailOn(testutil.KeyringDelete, errors.New("the item is locked"))
	signIn(false)
	a := e.a
	e.ui(func() {
		assert.True(t, a.upload.noticeBox.Visible())
		shown := a.upload.notice.Text
		assert.NotContains(t, shown, "until you quit", "its token is kept")
		assert.Contains(t, shown, "did not delete the password")
		assert.Contains(t, shown, "not used")
		assert.Contains(t, shown, "dstor-uploader", "the entries to delete")
	})
	_, err := e.secrets.Get(envKey, testutil.SandboxEmail, storage.SecretPassword)
	require.NoError(t, err, "the keyring still holds it")

	payload := fmt.Sprintf(`{"sub":%q,"exp":%d}`, sb.Acc.ID, time.Now().Add(-time.Hour).Unix())
	require.NoError(t, e.secrets.Set(envKey, testutil.SandboxEmail, storage.SecretToken,
		"e30."+base64.RawURLEncoding.EncodeToString([]byte(payload))+".c2ln"))
	e.a.Close()
	a = NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: e.secrets, Home: e.dir, Env: sb.URL})
	t.Cleanup(a.Close)
	e.a = a
	e.eventually(func() bool { return !a.signin.busy }, "the start's sign-in over")
	e.ui(func() {
		if a.sess != nil {
			t.Fatal("the password left in the keyring signed in by itself")
		}
		assert.True(t, a.signin.loginError.Visible(), "it says why")
	})
}
