package ui

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLogoutWhileTheWindowSignsInByItself: a command-line logout (another
// process: here a second database on the data folder and the keyring)
// signs the remembered account out while a starting window signs in with
// it, between reading the keyring and filing the fresh token. The window
// goes on with the sign-in it holds, but neither files its token back in
// the keyring nor lists the account as remembered again: signed out, it
// stays signed out (the next start asks), and nothing of it is left in the
// keyring that no remembered account names.
func TestLogoutWhileTheWindowSignsInByItself(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	target, err := url.Parse(sb.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	e := newTestEnv(t)
	var armed atomic.Bool
	var once sync.Once
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if armed.Load() && r.URL.Path == "/v1/dev/temp-token" {
			once.Do(func() { // dstor-uploader logout, in another process
				other, err := storage.Open(e.dir)
				if !assert.NoError(t, err) {
					return
				}
				defer other.Close()
				settings, err := other.LoadSettings()
				assert.NoError(t, err)
				for _, acc := range settings.RememberedAccounts {
					assert.NoError(t, session.Forget(e.secrets, acc))
					_, err := other.UpdateSettings(func(s storage.Settings) storage.Settings {
						return s.WithoutRememberedAccount(acc.Env, acc.Account)
					})
					assert.NoError(t, err)
				}
			})
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	e.signInCustom(&testutil.Sandbox{URL: front.URL, Key: sb.Key})
	var acc storage.RememberedAccount
	e.ui(func() { acc = e.a.sess.Remembered() })

	e.a.Close()
	armed.Store(true)
	e.a = e.open(Deps{Env: front.URL})
	e.eventually(func() bool { return e.a.sess != nil }, "signed in by itself, as the logout came")
	e.a.Close() // its settings saved

	for _, kind := range storage.SecretKinds() {
		_, err := e.secrets.Get(acc.Env, acc.Account, kind)
		assert.ErrorIs(t, err, storage.ErrSecretNotFound, "no %s left in the keyring", kind)
	}
	settings, err := e.db.LoadSettings()
	require.NoError(t, err)
	assert.Empty(t, settings.RememberedAccounts, "signed out, it stays signed out")
}
