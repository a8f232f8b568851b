package cli

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLoginKeepsSettingsSavedWhileItSignsIn: a window open on the same
// data folder saves its settings while a command-line login signs in
// (here as the token is asked for). The login adds its account to the
// settings stored when it is done, not to the copy it read at its start,
// so the window's change stays.
func TestLoginKeepsSettingsSavedWhileItSignsIn(t *testing.T) {
	sb, home := loginSandbox(t)
	target, err := url.Parse(sb.URL)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var once sync.Once
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { // the window, another process
			db, err := storage.Open(home)
			if !assert.NoError(t, err) {
				return
			}
			defer db.Close()
			_, err = db.UpdateSettings(func(s storage.Settings) storage.Settings { s.Concurrency = 9; return s })
			assert.NoError(t, err)
		})
		proxy.ServeHTTP(w, r)
	}))
	defer front.Close()

	code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", front.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	db, err := storage.Open(home)
	require.NoError(t, err)
	defer db.Close()
	s, err := db.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, 9, s.Concurrency, "the window's change is kept")
	require.Len(t, s.RememberedAccounts, 1, "and the login is recorded")
	assert.Equal(t, s.LastEnv, s.RememberedAccounts[0].Env)
	assert.NotEmpty(t, s.LastEnv)
}
