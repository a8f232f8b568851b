package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestPasswordWithoutRememberMeLastsAsLongAsItsToken: a password sign-in
// without "Remember me" keeps no password, only its token: each start
// signs in by itself with that token (kept anew by each such sign-in, as
// the account is still remembered), start after start, while it lasts;
// the password never reaches the keyring. A start that took the account
// for signed out meanwhile would drop the token it signed in with, and
// the start after it would ask for the password.
func TestPasswordWithoutRememberMeLastsAsLongAsItsToken(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, _ := newKeyringTestEnv(t)
	email := testutil.SandboxEmail
	e.signInPassword(sb, email, testutil.SandboxPassword, false)
	for start := range 3 {
		e.restart(sb.URL)
		e.ui(func() {
			assert.Equal(t, storage.MethodPassword, e.a.sess.Method, "start %d", start)
			assert.Equal(t, email, e.a.sess.Account, "start %d: signed in by itself", start)
		})
		settings, err := e.db.LoadSettings()
		require.NoError(t, err)
		assert.True(t, settings.Remembers(sb.Env.Key(), email), "start %d: still remembered", start)
		_, err = e.secrets.Get(sb.Env.Key(), email, storage.SecretToken)
		assert.NoError(t, err, "start %d: the token it signed in with is kept", start)
		_, err = e.secrets.Get(sb.Env.Key(), email, storage.SecretPassword)
		assert.ErrorIs(t, err, storage.ErrSecretNotFound, "start %d: no password kept", start)
	}
}

// TestSignOutRemovesWhatAnOldSpellingKept: an account remembered with
// its secrets filed under another spelling of its environment (an older
// version's, RememberedAccount.FiledUnder), signed in to by hand, then
// out: the secrets under both spellings leave the keyring, as the
// account leaves the remembered ones and no later sign-out would find
// them.
func TestSignOutRemovesWhatAnOldSpellingKept(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, _ := newKeyringTestEnv(t)
	email, key, old := testutil.SandboxEmail, sb.Env.Key(), sb.URL+"/"
	require.NotEqual(t, key, old)
	_, err := e.db.UpdateSettings(func(s storage.Settings) storage.Settings {
		return s.WithRememberedAccount(storage.RememberedAccount{Env: key, Account: email, Method: storage.MethodPassword, FiledUnder: old})
	})
	require.NoError(t, err)
	require.NoError(t, e.secrets.Set(old, email, storage.SecretPassword, testutil.SandboxPassword))
	e.a.Close()
	e.a = e.open(Deps{})

	e.signInPassword(sb, email, testutil.SandboxPassword, false)
	e.ui(func() { test.Tap(e.a.signOut) })
	e.eventually(func() bool { return e.a.sess == nil }, "signed out")
	require.NoError(t, e.a.waitRetired(t.Context()))
	for _, env := range []string{key, old} {
		for _, kind := range storage.SecretKinds() {
			_, err := e.secrets.Get(env, email, kind)
			assert.ErrorIs(t, err, storage.ErrSecretNotFound, "%s of %s left in the keyring", kind, env)
		}
	}
}
