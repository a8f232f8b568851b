package cli

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLogoutWhileARunSignsInLeavesNoSecret: a "logout" in another process
// while an upload run signs in with the remembered account (between
// reading the keyring and keeping the fresh token it gets) signs the
// account out for good: the run must not file its fresh token back in the
// keyring afterwards, where no remembered account names it and no later
// logout would find it. The run itself uploads its file (it had its
// credentials already), so nothing is lost.
func TestLogoutWhileARunSignsInLeavesNoSecret(t *testing.T) {
	for _, method := range []string{"api-key", "password"} {
		t.Run(method, func(t *testing.T) {
			sb, _ := loginSandbox(t)
			target, err := url.Parse(sb.URL)
			require.NoError(t, err)
			proxy := httputil.NewSingleHostReverseProxy(target)
			var armed atomic.Bool
			var once sync.Once
			var logoutOut bytes.Buffer
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if armed.Load() && r.URL.Path == "/v1/dev/temp-token" {
					once.Do(func() { // the run is signing in: another process signs out
						cmd := testutil.ChildCommand("logout", "--env", "http://"+r.Host)
						cmd.Stdout, cmd.Stderr = &logoutOut, &logoutOut
						assert.NoError(t, cmd.Run(), logoutOut.String())
					})
				}
				proxy.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			stdin, login := sb.Key+"\n", []string{"login", "--env", front.URL, "--api-key-stdin"}
			if method == "password" {
				stdin = testutil.SandboxPassword + "\n"
				login = []string{"login", "--env", front.URL, "--email", testutil.SandboxEmail, "--password-stdin", "--remember"}
			}
			code, _, errOut := runCLI(t, stdin, login...)
			require.Equal(t, 0, code, errOut)
			st, err := openStore(io.Discard, front.URL)
			require.NoError(t, err)
			require.Len(t, st.settings.RememberedAccounts, 1)
			acc := st.settings.RememberedAccounts[0]
			st.db.Close()
			t.Cleanup(func() { _ = st.secrets.DeleteAccount(acc.Env, acc.Account) })

			f := makeFiles(t, t.TempDir(), 1, func(int) int { return 3000 })[0]
			armed.Store(true)
			code, out, errOut := runCLI(t, "", "upload", "--env", front.URL, f)
			require.Contains(t, logoutOut.String(), "Signed out", "the logout ran while the run signed in")
			assert.Equal(t, 0, code, "the run uploads with the sign-in it has: %s", errOut)
			assert.Contains(t, out, testutil.CIDOf(t, f))
			assert.Len(t, historyJSON(t), 1, "and records it")

			for _, kind := range storage.SecretKinds() {
				_, err := st.secrets.Get(acc.Env, acc.Account, kind)
				assert.ErrorIs(t, err, storage.ErrSecretNotFound, "the %s stays signed out", kind)
			}
		})
	}
}
