package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// decodeJWT splits a token into its decoded header and payload.
func decodeJWT(t *testing.T, tok string) (header, payload string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 3)
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	require.NoError(t, err)
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	return string(h), string(p)
}

func TestTokenFromAPIKeyBothHeaders(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	e := newEnv(t, Config{Now: func() time.Time { return now }})
	for _, hdr := range []string{"api-key", "x-api-key", "Api-Key", "X-API-KEY"} {
		t.Run(hdr, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.do(e.keyTokenRequest(hdr, e.key, ""))
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			var tok tokenAnswer
			require.NoError(t, json.Unmarshal(body, &tok))
			header, payload := decodeJWT(t, tok.AccessToken)
			assert.Equal(t, `{"alg":"HS256","typ":"JWT"}`, header)
			want := fmt.Sprintf(`{"d":false,"o":false,"s":false,"t":null,"iat":%d,"exp":%d,"aud":"dstor.cloud","iss":"dstor.cloud","sub":%q}`,
				now.Unix(), now.Add(365*24*time.Hour).Unix(), e.acc.ID)
			assert.Equal(t, want, payload)
		})
	}
}

func TestTokenFromLogin(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"ok", `{"email":"alice@example.com","password":"alice-password"}`, http.StatusOK, ""},
		{"email case does not matter", `{"email":"Alice@Example.com","password":"alice-password"}`, http.StatusOK, ""},
		{"wrong password", `{"email":"alice@example.com","password":"nope"}`, http.StatusUnauthorized, "invalid_credentials"},
		{"unknown email", `{"email":"bob@example.com","password":"alice-password"}`, http.StatusUnauthorized, "invalid_credentials"},
		{"not JSON", `email=alice`, http.StatusBadRequest, "invalid_body"},
		{"missing password", `{"email":"alice@example.com"}`, http.StatusBadRequest, "invalid_body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.do(e.loginRequest(tt.body))
			if tt.status != http.StatusOK {
				eb := requireJSONError(t, resp, body, tt.status)
				assert.Equal(t, tt.code, eb.Error)
				assert.NotContains(t, string(body), alicePassword)
				return
			}
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var tok tokenAnswer
			require.NoError(t, json.Unmarshal(body, &tok))
			_, payload := decodeJWT(t, tok.AccessToken)
			assert.Contains(t, payload, `"sub":"`+e.acc.ID+`"`)
			// The token works for an upload.
			resp, body = e.upload(tok.AccessToken, nil, "a.txt", strings.NewReader("login"))
			assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		})
	}
}

func TestTokenExpirationHeader(t *testing.T) {
	e := newEnv(t, Config{})
	future := time.Now().Add(time.Hour).Unix()
	tests := []struct {
		name, value string
		wantExp     int64
	}{
		{"integer", fmt.Sprint(future), future},
		{"float", fmt.Sprintf("%d.25", future), future},
		{"float like the docs", "1677336539.25", 1677336539},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.do(e.keyTokenRequest("api-key", e.key, tt.value))
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			var tok tokenAnswer
			require.NoError(t, json.Unmarshal(body, &tok))
			_, payload := decodeJWT(t, tok.AccessToken)
			assert.Contains(t, payload, fmt.Sprintf(`"exp":%d,`, tt.wantExp))
		})
	}
	for _, bad := range []string{"abc", "-5", "1e9", "0x10", "NaN", "Inf", "12.", ".5", "1 2"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.do(e.keyTokenRequest("api-key", e.key, bad))
			eb := requireJSONError(t, resp, body, http.StatusBadRequest)
			assert.Equal(t, "invalid_expiration", eb.Error)
		})
	}
}

func TestExpiredTokenRefusedAtUpload(t *testing.T) {
	e := newEnv(t, Config{})
	past := fmt.Sprint(time.Now().Add(-time.Minute).Unix())
	resp, body := e.do(e.keyTokenRequest("api-key", e.key, past))
	require.Equal(t, http.StatusOK, resp.StatusCode, "a past x-expiration is accepted: %s", body)
	var tok tokenAnswer
	require.NoError(t, json.Unmarshal(body, &tok))

	resp, body = e.upload(tok.AccessToken, nil, "late.txt", strings.NewReader("too late"))
	eb := requireJSONError(t, resp, body, http.StatusUnauthorized)
	assert.Equal(t, "token_expired", eb.Error)
	assert.Empty(t, e.s.Uploads(e.acc.ID))
}

func TestTokenExpiresWithClock(t *testing.T) {
	now := time.Now()
	var skew atomic.Int64 // read by handler goroutines
	e := newEnv(t, Config{Now: func() time.Time { return now.Add(time.Duration(skew.Load())) }})
	tok := e.token()
	e.uploadOK(nil, "a.txt", strings.NewReader("in time"))

	skew.Store(int64(DefaultTokenLifetime + time.Second))
	resp, body := e.upload(tok, nil, "b.txt", strings.NewReader("too late"))
	eb := requireJSONError(t, resp, body, http.StatusUnauthorized)
	assert.Equal(t, "token_expired", eb.Error)
}

func TestAPIKeyRejected(t *testing.T) {
	now := time.Now()
	e := newEnv(t, Config{Now: func() time.Time { return now }})

	revoked, err := e.s.CreateAPIKey(e.acc.ID, time.Time{})
	require.NoError(t, err)
	e.tokenFor(revoked) // works before revocation
	require.NoError(t, e.s.RevokeAPIKey(revoked))

	expired, err := e.s.CreateAPIKey(e.acc.ID, now.Add(-time.Second))
	require.NoError(t, err)
	expiresNow, err := e.s.CreateAPIKey(e.acc.ID, now)
	require.NoError(t, err)

	wrong := strings.Repeat("A", 64)
	tests := []struct {
		name, header, key, code string
	}{
		{"no key", "", "", "missing_api_key"},
		{"wrong key", "api-key", wrong, "invalid_api_key"},
		{"wrong key in x-api-key", "x-api-key", wrong, "invalid_api_key"},
		{"short key", "api-key", e.key[:63], "invalid_api_key"},
		{"revoked key", "api-key", revoked, "api_key_revoked"},
		{"expired key", "api-key", expired, "api_key_expired"},
		{"key expiring now", "api-key", expiresNow, "api_key_expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.do(e.keyTokenRequest(tt.header, tt.key, ""))
			eb := requireJSONError(t, resp, body, http.StatusUnauthorized)
			assert.Equal(t, tt.code, eb.Error)
			if tt.key != "" {
				assert.NotContains(t, string(body), tt.key)
			}
		})
	}

	t.Run("a key with a future expiry works", func(t *testing.T) {
		e := e.with(t)
		k, err := e.s.CreateAPIKey(e.acc.ID, now.Add(time.Hour))
		require.NoError(t, err)
		e.tokenFor(k)
	})
	t.Run("revoking an unknown key fails", func(t *testing.T) {
		e := e.with(t)
		assert.Error(t, e.s.RevokeAPIKey(wrong))
	})
}

func TestUploadTokenChecks(t *testing.T) {
	e := newEnv(t, Config{})
	good := e.token()
	parts := strings.Split(good, ".")
	other, err := New(Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer other.Close()
	foreign, err := other.signToken(claims{Iat: 1, Exp: time.Now().Add(time.Hour).Unix(), Aud: tokenAudience, Iss: tokenAudience, Sub: e.acc.ID})
	require.NoError(t, err)
	wrongAud, err := e.s.signToken(claims{Iat: 1, Exp: time.Now().Add(time.Hour).Unix(), Aud: "elsewhere", Iss: tokenAudience, Sub: e.acc.ID})
	require.NoError(t, err)
	unknownSub, err := e.s.signToken(claims{Iat: 1, Exp: time.Now().Add(time.Hour).Unix(), Aud: tokenAudience, Iss: tokenAudience, Sub: "00000000-0000-0000-0000-000000000000"})
	require.NoError(t, err)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	tests := []struct {
		name, auth, code string
	}{
		{"no header", "", "missing_token"},
		{"not bearer", "Basic " + good, "missing_token"},
		{"garbage", "Bearer not-a-jwt", "invalid_token"},
		{"tampered payload", "Bearer " + parts[0] + "." + parts[1] + "x." + parts[2], "invalid_token"},
		{"alg none", "Bearer " + none, "invalid_token"},
		{"signed by another server", "Bearer " + foreign, "invalid_token"},
		{"wrong audience", "Bearer " + wrongAud, "invalid_token"},
		{"unknown subject", "Bearer " + unknownSub, "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			req, wait := e.addRequest("", nil, part{field: "file", filename: "a.txt", body: strings.NewReader("x")})
			defer wait()
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, body := e.do(req)
			eb := requireJSONError(t, resp, body, http.StatusUnauthorized)
			assert.Equal(t, tt.code, eb.Error)
		})
	}
	assert.Empty(t, e.s.Uploads(e.acc.ID))
}

func TestKeysStoredOnlyAsHashes(t *testing.T) {
	e := newEnv(t, Config{})
	fixed := strings.Repeat("k", 32) + strings.Repeat("9", 32)
	require.NoError(t, e.s.AddAPIKey(e.acc.ID, fixed, time.Time{}))

	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	require.Len(t, e.s.keys, 2)
	for sum, rec := range e.s.keys {
		assert.Equal(t, sum, rec.hash)
		dump := fmt.Sprintf("%#v %+v %v", rec, *rec, sum)
		for _, k := range []string{e.key, fixed} {
			assert.NotContains(t, dump, k)
		}
	}
	assert.Contains(t, e.s.keys, sha256.Sum256([]byte(e.key)))
	assert.Contains(t, e.s.keys, sha256.Sum256([]byte(fixed)))
	for _, acc := range e.s.accounts {
		assert.NotContains(t, string(acc.passwordHash), alicePassword)
		assert.True(t, strings.HasPrefix(string(acc.passwordHash), "$2"), "bcrypt hash")
	}
}

func TestCreateAPIKeyFormat(t *testing.T) {
	e := newEnv(t, Config{})
	valid := regexp.MustCompile(`^[A-Za-z0-9]{64}$`)
	seen := map[string]bool{e.key: true}
	assert.Regexp(t, valid, e.key)
	for range 20 {
		k, err := e.s.CreateAPIKey(e.acc.ID, time.Time{})
		require.NoError(t, err)
		assert.Regexp(t, valid, k)
		assert.False(t, seen[k], "keys are random")
		seen[k] = true
	}
	_, err := e.s.CreateAPIKey("no-such-account", time.Time{})
	assert.Error(t, err)
}

func TestAddAPIKeyValidation(t *testing.T) {
	e := newEnv(t, Config{})
	good := strings.Repeat("Ab1", 21) + "Z"
	require.Len(t, good, 64)
	tests := []struct {
		name, account, key, wantErr string
	}{
		{"too short", e.acc.ID, good[:63], "exactly 64 characters"},
		{"too long", e.acc.ID, good + "x", "exactly 64 characters"},
		{"bad character", e.acc.ID, good[:63] + "-", "only letters"},
		{"unknown account", "nobody", good, "no account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			err := e.s.AddAPIKey(tt.account, tt.key, time.Time{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.NotContains(t, err.Error(), tt.key)
		})
	}
	require.NoError(t, e.s.AddAPIKey(e.acc.ID, good, time.Time{}))
	err := e.s.AddAPIKey(e.acc.ID, good, time.Time{})
	require.Error(t, err, "a key is registered once")
	assert.NotContains(t, err.Error(), good)
	e.tokenFor(good)
}

func TestCreateAccountValidation(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer s.Close()
	for _, tt := range []struct{ name, email, password string }{
		{"not an email", "alice", "pw"},
		{"display name", "Alice <alice@example.com>", "pw"},
		{"empty password", "alice@example.com", ""},
		{"password over 72 bytes", "alice@example.com", strings.Repeat("p", 73)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateAccount(tt.email, tt.password)
			require.Error(t, err)
			if tt.password != "" {
				assert.NotContains(t, err.Error(), tt.password)
			}
		})
	}
	acc, err := s.CreateAccount("alice@example.com", "pw")
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`, acc.ID)
	assert.Equal(t, "alice@example.com", acc.Email)
	_, err = s.CreateAccount("ALICE@example.com", "pw2")
	assert.Error(t, err, "emails are unique, whatever their case")
}

func TestNewDemo(t *testing.T) {
	require.Len(t, DemoAPIKey, 64)
	require.NoError(t, CheckAPIKey(DemoAPIKey))
	s, acc, err := NewDemo(Config{})
	require.NoError(t, err)
	dir := s.dataDir
	url, err := s.Start("127.0.0.1:0")
	require.NoError(t, err)
	e := &testEnv{t: t, s: s, url: url, acc: acc, key: DemoAPIKey, client: &http.Client{Transport: &http.Transport{}}}
	defer e.client.CloseIdleConnections()

	req, err := http.NewRequest(http.MethodGet, url+"/v1/dev/temp-token", nil)
	require.NoError(t, err)
	req.Header.Set("api-key", DemoAPIKey)
	resp, body := e.do(req)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	req, err = http.NewRequest(http.MethodPost, url+"/v1/dev/temp-token",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, DemoEmail, DemoPassword)))
	require.NoError(t, err)
	resp, body = e.do(req)
	assert.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	_, payload := decodeJWT(t, tokenFromBody(t, body))
	assert.Contains(t, payload, acc.ID)

	require.NoError(t, s.Close())
	assert.NoDirExists(t, dir, "a temporary DataDir is removed on Close")
}

func tokenFromBody(t *testing.T, body []byte) string {
	t.Helper()
	var tok tokenAnswer
	require.NoError(t, json.Unmarshal(body, &tok))
	return tok.AccessToken
}

// TestDateHeaderFollowsTheClock: the sandbox's answers carry its own
// clock in Date, as a real server's do, so a client can measure skew.
func TestDateHeaderFollowsTheClock(t *testing.T) {
	server := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	e := newEnv(t, Config{Now: func() time.Time { return server }})
	resp, body := e.do(e.keyTokenRequest("api-key", e.key, ""))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "Tue, 04 Mar 2031 05:06:07 GMT", resp.Header.Get("Date"))
}

// TestMaxTokenLifetimeCapsTokens: a sandbox issuing short tokens caps
// whatever x-expiration asks for.
func TestMaxTokenLifetimeCapsTokens(t *testing.T) {
	now := time.Unix(1_900_000_000, 0)
	e := newEnv(t, Config{Now: func() time.Time { return now }, MaxTokenLifetime: 50 * time.Second})
	for _, asked := range []string{"", fmt.Sprint(now.Add(time.Hour).Unix()), fmt.Sprint(now.Add(10 * time.Second).Unix())} {
		resp, body := e.do(e.keyTokenRequest("api-key", e.key, asked))
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		var tok tokenAnswer
		require.NoError(t, json.Unmarshal(body, &tok))
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok.AccessToken, ".")[1])
		require.NoError(t, err)
		var c claims
		require.NoError(t, json.Unmarshal(payload, &c))
		want := now.Add(50 * time.Second).Unix()
		if asked != "" && asked < fmt.Sprint(want) {
			want = now.Add(10 * time.Second).Unix()
		}
		assert.Equal(t, want, c.Exp, "asked %q", asked)
	}
}
