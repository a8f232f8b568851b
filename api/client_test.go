package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

func TestTokenFromAPIKey(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)

	tok, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	require.NoError(t, err)
	assert.Equal(t, f.token, tok.Raw)
	assert.Equal(t, "acct-1", tok.Subject)
	assert.False(t, tok.ExpiresAt.IsZero())
	assert.True(t, tok.Valid(time.Now(), time.Minute))

	r := f.lastTokenRequest()
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, testAPIKey, r.Header.Get("api-key"))
	assert.Empty(t, r.Header.Values("x-expiration"), "no x-expiration unless asked")
	assert.Empty(t, r.Header.Get("Authorization"))
	assert.True(t, strings.HasPrefix(r.Header.Get("User-Agent"), "dstor-uploader/"), r.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))

	_, err = c.TokenFromAPIKey(t.Context(), testAPIKey, time.Unix(1900000000, 999_000_000))
	require.NoError(t, err)
	assert.Equal(t, "1900000000", f.lastTokenRequest().Header.Get("x-expiration"))
}

func TestTokenFromLogin(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)

	tok, err := c.TokenFromLogin(t.Context(), testEmail, testPassword)
	require.NoError(t, err)
	assert.Equal(t, f.token, tok.Raw)

	r := f.lastTokenRequest()
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.Empty(t, r.Header.Get("api-key"))
	var body map[string]string
	require.NoError(t, json.Unmarshal(r.Body, &body))
	assert.Equal(t, map[string]string{"email": testEmail, "password": testPassword}, body)
}

func TestTokenRequestsValidateBeforeSending(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	ctx := t.Context()

	_, err := c.TokenFromAPIKey(ctx, "short", time.Time{})
	checkValidation(t, err, "api key", "exactly 64 characters", "short")
	_, err = c.TokenFromLogin(ctx, "not-an-email", testPassword)
	checkValidation(t, err, "email", "not an email address", testPassword)
	_, err = c.TokenFromLogin(ctx, testEmail, "")
	checkValidation(t, err, "password", "enter your password")
	// JSON carries no other bytes: sent, it would arrive altered (U+FFFD).
	_, err = c.TokenFromLogin(ctx, testEmail, "caf\xe9-"+testPassword)
	checkValidation(t, err, "password", "not UTF-8 text", testPassword)

	f.mu.Lock()
	defer f.mu.Unlock()
	assert.Empty(t, f.tokenReqs, "nothing may be sent when validation fails")
}

func TestTokenAnswers(t *testing.T) {
	jwt := makeJWT(t, map[string]any{"sub": "acct-9", "exp": 1900000000})
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		wantRaw     string
		wantKind    Kind
		wantText    string // substring of Error()
	}{
		{name: "documented form", status: 200, body: `{"access_token":"` + jwt + `"}`, wantRaw: jwt},
		{name: "opaque token", status: 201, body: `{"access_token":"opaque.token"}`, wantRaw: "opaque.token"},
		{name: "camelCase", status: 200, body: `{"accessToken":"` + jwt + `"}`, wantRaw: jwt},
		{name: "token field", status: 200, body: `{"token":"` + jwt + `"}`, wantRaw: jwt},
		{name: "data wrapper", status: 200, body: `{"data":{"access_token":"` + jwt + `"}}`, wantRaw: jwt},
		{name: "no token", status: 200, body: `{"status":"ok"}`, wantKind: KindMalformed, wantText: "no access_token"},
		{name: "token not a string", status: 200, body: `{"access_token":5}`, wantKind: KindMalformed, wantText: "no access_token"},
		{name: "token with a space", status: 200, body: `{"access_token":"a b"}`, wantKind: KindMalformed, wantText: "cannot be sent in a header"},
		{name: "not JSON", status: 200, body: `access_token=abc`, wantKind: KindMalformed, wantText: "not a JSON object"},
		{name: "HTML page", status: 200, contentType: "text/html", body: `<html><title>Hotel Wi-Fi</title></html>`,
			wantKind: KindMalformed, wantText: "HTML page: Hotel Wi-Fi"},
		{name: "too large", status: 200, body: `{"access_token":"` + strings.Repeat("a", 70<<10) + `"}`,
			wantKind: KindMalformed, wantText: "answer was larger than 65 kB"},
		{name: "key rejected", status: 401, body: `{"message":"invalid api key ` + testAPIKey + `"}`,
			wantKind: KindUnauthorized, wantText: "dStor rejected the API key — check it, or create a new one"},
		{name: "key expired", status: 401, body: `{"error":"api key expired"}`,
			wantKind: KindUnauthorized, wantText: "HTTP 401: api key expired"},
		{name: "forbidden", status: 403, body: `{"message":"revoked"}`, wantKind: KindUnauthorized, wantText: "rejected the API key"},
		{name: "server error", status: 500, body: `oops`, wantKind: KindServer, wantText: "dStor is busy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.onToken = func(w http.ResponseWriter, _ *http.Request) {
				ct := tt.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}
			tok, err := f.client(nil).TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
			if tt.wantRaw != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.wantRaw, tok.Raw)
				return
			}
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "%T", err)
			assert.Equal(t, tt.wantKind, e.Kind, e.Error())
			assert.Equal(t, tt.status, e.Status)
			assert.Equal(t, OpAPIKey, e.Op)
			assert.Contains(t, err.Error(), tt.wantText)
			assertNoSecret(t, err.Error()+Human(err)+fmt.Sprintf("%+v %#v", err, err), testAPIKey)
		})
	}
}

func TestTokenFromLoginRejectedHidesPassword(t *testing.T) {
	f := newFakeDStor(t)
	f.onToken = func(w http.ResponseWriter, r *http.Request) {
		// A careless server echoing the body it parsed, JSON-escaped.
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "bad credentials: " + string(f.lastTokenRequest().Body)})
	}
	_, err := f.client(nil).TokenFromLogin(t.Context(), testEmail, testPassword)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Contains(t, err.Error(), "dStor rejected the email or password — check them and sign in again")
	assert.Contains(t, err.Error(), "***")
	assertNoSecret(t, err.Error()+Human(err)+fmt.Sprintf("%+v %#v", err, err), testPassword, `pa55-w0rd \"quoted\"`, "<secret>")
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	var stolen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, _ *http.Request) { stolen.Add(1) }))
	defer other.Close()

	f := newFakeDStor(t)
	redirect := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere", http.StatusTemporaryRedirect)
	}
	f.onToken = redirect
	f.onAdd = redirect
	// Even a caller's client that would follow redirects must not.
	c := f.client(&http.Client{})

	_, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Contains(t, err.Error(), "redirected the request elsewhere")
	assert.Contains(t, err.Error(), "redirect to "+other.URL)

	_, err = c.TokenFromLogin(t.Context(), testEmail, testPassword)
	assert.ErrorIs(t, err, ErrMalformed)

	_, err = c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a.txt", []byte("a"))})
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Zero(t, stolen.Load(), "credentials were forwarded to another host")
}

func TestNewClientLeavesCallerClientAlone(t *testing.T) {
	hc := &http.Client{Timeout: time.Minute}
	c, err := NewClient(Production, hc)
	require.NoError(t, err)
	assert.Nil(t, hc.CheckRedirect, "the caller's client is copied, not changed")
	assert.Equal(t, time.Minute, c.hc.Timeout)
	assert.Equal(t, Production, c.Environment())

	c, err = NewClient(Testnet, nil)
	require.NoError(t, err)
	tr, ok := c.hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 16)
	assert.True(t, tr.DisableCompression)
	assert.NotZero(t, tr.ResponseHeaderTimeout)
	assert.Zero(t, c.hc.Timeout, "no overall timeout: uploads may take hours")
}

// closedPort is a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestTokenNetworkFailures(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		addr := closedPort(t)
		c := newTestClient(t, "http://"+addr, nil)
		_, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrUnreachable)
		assert.True(t, Retryable(err))
		assert.Contains(t, err.Error(), "cannot reach "+addr+" — check your connection")
		assert.Equal(t, "cannot reach "+addr+" — check your connection", Human(err))
	})
	t.Run("context canceled", func(t *testing.T) {
		f := newFakeDStor(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := f.client(nil).TokenFromLogin(ctx, testEmail, testPassword)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrCanceled)
		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, Retryable(err))
	})
	t.Run("deadline", func(t *testing.T) {
		f := newFakeDStor(t)
		f.onToken = func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		_, err := f.client(nil).TokenFromAPIKey(ctx, testAPIKey, time.Time{})
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.True(t, Retryable(err))
	})
	t.Run("response header timeout", func(t *testing.T) {
		f := newFakeDStor(t)
		f.onToken = func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
		hc := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 100 * time.Millisecond}}
		_, err := f.client(hc).TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTimeout)
		assert.Contains(t, err.Error(), "did not answer in time")
	})
}

// A server that trickles an error page (a byte every 20 ms, never ending)
// holds a token request or an upload no longer than the error body's read
// bound: the failure then reports the status with what arrived.
func TestTrickledErrorBodyIsBounded(t *testing.T) {
	const text = "dStor is down. "
	calls := []struct {
		name   string
		status int
		serve  func(f *fakeDStor, h http.HandlerFunc)
		call   func(c *Client) error
	}{
		{"token", http.StatusServiceUnavailable,
			func(f *fakeDStor, h http.HandlerFunc) { f.onToken = h },
			func(c *Client) error { _, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{}); return err }},
		{"upload", http.StatusInternalServerError,
			func(f *fakeDStor, h http.HandlerFunc) { f.onAdd = h },
			func(c *Client) error {
				_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
				return err
			}},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDStor(t)
			tc.serve(f, trickleAnswer(tc.status, "text/plain", text, 20*time.Millisecond))
			c := f.client(nil)
			c.errorBodyWait = 300 * time.Millisecond
			start := time.Now()
			err := tc.call(c)
			took := time.Since(start)
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.Status)
			assert.Equal(t, KindServer, e.Kind)
			assert.NotEmpty(t, e.Message, "the bytes that arrived are kept")
			arrived := strings.TrimSuffix(e.Message, "…") // a long message is shortened
			assert.True(t, strings.HasPrefix(strings.Repeat(text, 100), arrived), "message %q is the start of the trickled body", e.Message)
			assert.Less(t, took, c.errorBodyWait+5*time.Second, "held the call for %v", took)
		})
	}
}

func TestTokenRequestIsBounded(t *testing.T) {
	f := newFakeDStor(t)
	f.onToken = func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	c := f.client(&http.Client{}) // no timeouts of its own
	c.tokenTimeout = 100 * time.Millisecond
	_, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	assert.ErrorIs(t, err, ErrTimeout)
	_, err = c.TokenFromLogin(t.Context(), testEmail, testPassword)
	assert.ErrorIs(t, err, ErrTimeout)
}
