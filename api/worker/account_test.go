package worker

// A token renewed for another account than the one signed in: dStor (or
// whatever answers in its place) must not be able to switch the account
// the queue uploads to behind the person's back.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// unsignedJWT is a JWT with claims and a signature nobody checks here.
func unsignedJWT(t *testing.T, claims map[string]any) string {
	t.Helper()
	p, err := json.Marshal(claims)
	require.NoError(t, err)
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc(p) + "." + enc([]byte("signature"))
}

// subjectTokens is a temp-token server on 127.0.0.1 whose n-th token names
// the account subs[n] (the last one from then on; "" for no sub claim; a
// json.RawMessage as it is written). Its client is returned.
func subjectTokens(t *testing.T, subs ...any) *api.Client {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := min(int(n.Add(1))-1, len(subs)-1)
		now := time.Now().Unix()
		claims := map[string]any{"iat": now, "exp": now + 3600}
		if subs[i] != any("") {
			claims["sub"] = subs[i]
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"access_token": unsignedJWT(t, claims)})
	}))
	t.Cleanup(srv.Close)
	c := clientFor(t, srv.URL, nil)
	return c
}

// TestRenewedTokenOfAnotherAccountIsRefused: a source that renews tokens
// (from an API key or a remembered password) keeps the account of its
// first token. A renewed token naming another account is never handed
// out: the error says so and asks for a new sign-in. Only two subjects
// that are both there are compared (dStor need not send one).
func TestRenewedTokenOfAnotherAccountIsRefused(t *testing.T) {
	cases := []struct {
		name         string
		first, later string
		changed      bool
	}{
		{"another account", "acct-1", "acct-2", true},
		{"the same account", "acct-1", "acct-1", false},
		{"the first names none", "", "acct-2", false},
		{"the renewed one names none", "acct-1", "", false},
	}
	for _, tc := range cases {
		for source, newSource := range renewingSources(t) {
			t.Run(tc.name+"/"+source, func(t *testing.T) {
				ts := newSource(subjectTokens(t, tc.first, tc.later))
				tok, err := ts.Token(t.Context(), false)
				require.NoError(t, err)
				require.Equal(t, tc.first, tok.Subject)

				tok, err = ts.Token(t.Context(), true) // as after a 401
				if !tc.changed {
					require.NoError(t, err)
					assert.Equal(t, tc.later, tok.Subject)
					return
				}
				require.Error(t, err)
				assert.Empty(t, tok.Raw, "no token of the other account is handed out")
				assert.ErrorIs(t, err, ErrSignInRequired)
				var changed *api.AccountChangedError
				require.ErrorAs(t, err, &changed)
				assert.Equal(t, "acct-1", changed.SignedIn)
				assert.Equal(t, "acct-2", changed.Renewed)
				h := api.Human(err)
				assert.Contains(t, h, "acct-1")
				assert.Contains(t, h, "acct-2")
				assert.Contains(t, h, "sign in again")

				_, err = ts.Token(t.Context(), true)
				assert.ErrorAs(t, err, &changed, "asked again, still refused")
			})
		}
	}
}

// renewingSources are the token sources that renew tokens by themselves,
// by name.
func renewingSources(t *testing.T) map[string]func(c *api.Client) TokenSource {
	return map[string]func(c *api.Client) TokenSource{
		"api key": func(c *api.Client) TokenSource { return NewAPIKeyTokens(c, testutilKey, time.Hour) },
		"remembered password": func(c *api.Client) TokenSource {
			first, err := c.TokenFromLogin(t.Context(), testEmail, testPassword)
			require.NoError(t, err)
			return NewPasswordTokens(c, testEmail, testPassword, first)
		},
	}
}

// TestRenewedTokenNumberedAnotherWay: a server that numbers its accounts
// and writes one account's number another way in a renewed token (42.0,
// 4.2e1, "42" for 42) renews the same account: no "another account" stop.
func TestRenewedTokenNumberedAnotherWay(t *testing.T) {
	for _, later := range []any{json.RawMessage(`42.0`), json.RawMessage(`4.2e1`), "42"} {
		for source, newSource := range renewingSources(t) {
			t.Run(fmt.Sprintf("%s/%s", later, source), func(t *testing.T) {
				ts := newSource(subjectTokens(t, json.RawMessage(`42`), later))
				tok, err := ts.Token(t.Context(), false)
				require.NoError(t, err)
				require.Equal(t, "42", tok.Subject)
				tok, err = ts.Token(t.Context(), true) // as after a 401
				require.NoError(t, err)
				assert.Equal(t, "42", tok.Subject)
			})
		}
	}
}

// testutilKey is a well-formed API key for servers that take any.
var testutilKey = string(bytes.Repeat([]byte("k3Y0"), 16))

// accountSwitchingProxy is a client of a front on 127.0.0.1 for the
// sandbox at target that answers every temp-token request after the first
// with other, a real token of another account of the same sandbox.
func accountSwitchingProxy(t *testing.T, target string, other api.Token) *api.Client {
	t.Helper()
	front := testutil.AccountSwitchingFront(t, target, other.Raw, nil)
	c := clientFor(t, front.URL, nil)
	return c
}

var otherAccounts sync.Map // sandbox URL → its second account's email

// TestAccountChangedOnRefreshStopsTheQueue: the first upload is refused
// (401) and the renewed token is another account's. The queue stops and
// waits for a sign-in, saying why; nothing reaches the other account or
// the history; every file stays in the queue and uploads, to the signed-in
// account, once the person signs in again.
func TestAccountChangedOnRefreshStopsTheQueue(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	email := "other-account@example.com"
	if _, loaded := otherAccounts.LoadOrStore(e.url, email); !loaded {
		_, err := e.srv.CreateAccount(email, "other-password")
		require.NoError(t, err)
	}
	other, err := e.client.TokenFromLogin(t.Context(), email, "other-password")
	require.NoError(t, err)
	require.NotEqual(t, e.acc.ID, other.Subject)
	otherBefore := len(e.srv.Uploads(other.Subject))

	c := accountSwitchingProxy(t, e.url, other)
	cfg := e.config()
	cfg.Client = c
	cfg.Tokens = NewAPIKeyTokens(c, e.key, time.Hour)
	cfg.Concurrency = 1
	var paths []string
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		paths = append(paths, e.write(name, testutil.Content(name, 300)))
	}
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusUnauthorized, Count: 1})
	q := e.queue(cfg)
	for _, p := range paths {
		q.Add(Request{Path: p})
	}
	err = wait(t, q, 30*time.Second)
	require.ErrorIs(t, err, ErrSignInRequired, "the queue stops for a sign-in")
	var changed *api.AccountChangedError
	require.ErrorAs(t, err, &changed, "and says why")
	assert.Equal(t, e.acc.ID, changed.SignedIn)
	assert.Equal(t, other.Subject, changed.Renewed)

	assert.Len(t, e.srv.Uploads(other.Subject), otherBefore, "nothing uploaded to the other account")
	assert.Empty(t, e.sandboxUploads())
	assert.Empty(t, history(t, e.db), "nothing recorded")
	sum := q.Summary()
	assert.True(t, sum.WaitingSignIn)
	assert.Equal(t, 3, sum.Waiting+sum.Queued, "every file still waits: %+v", sum)
	require.ErrorAs(t, sum.SignInErr, &changed, "the summary says why, for the window")
	for _, p := range paths {
		j := jobFor(t, q, p)
		assert.Equal(t, storage.JobWaitingSignIn, j.State)
		assert.Equal(t, ReasonAccountChanged, j.Reason, j.Err)
		assert.Contains(t, j.Err, "another account")
		assert.Contains(t, j.Err, "sign in again")
	}

	// Signed in again (to the right account): everything uploads there.
	q.SetTokens(NewAPIKeyTokens(e.client, e.key, time.Hour))
	require.NoError(t, wait(t, q, 30*time.Second))
	assert.Nil(t, q.Summary().SignInErr)
	assert.Equal(t, 3, q.Summary().Done)
	assert.Len(t, e.sandboxUploads(), 3)
	assert.Len(t, e.srv.Uploads(other.Subject), otherBefore)
	requireHistoryOnce(t, e.db, q.Jobs())
	for _, h := range history(t, e.db) {
		assert.Equal(t, testEmail, h.Account)
	}
	assert.False(t, errors.Is(q.Wait(t.Context()), ErrSignInRequired))
}
