package api

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorSentences(t *testing.T) {
	tests := []struct {
		name       string
		err        *Error
		wantError  string // exact Error()
		wantHuman  string // exact Human()
		wantSentry error
	}{
		{
			name:      "API key rejected",
			err:       &Error{Kind: KindUnauthorized, Status: 401, Message: "invalid api key", Op: OpAPIKey, Host: "api.dstor.cloud"},
			wantError: "dStor rejected the API key — check it, or create a new one if it expired or was revoked (get token from API key, HTTP 401: invalid api key)",
			wantHuman: `dStor rejected the API key — check it, or create a new one if it expired or was revoked (dStor said: "invalid api key")`,
		},
		{
			name:      "login rejected",
			err:       &Error{Kind: KindUnauthorized, Status: 401, Op: OpLogin},
			wantError: "dStor rejected the email or password — check them and sign in again (sign in, HTTP 401)",
			wantHuman: "dStor rejected the email or password — check them and sign in again",
		},
		{
			name:      "token expired",
			err:       &Error{Kind: KindTokenExpired, Status: 401, Op: OpUpload},
			wantError: "your dStor sign-in has expired — sign in again to get a new token (upload, HTTP 401)",
			wantHuman: "your dStor sign-in has expired — sign in again to get a new token",
		},
		{
			name:      "too large",
			err:       &Error{Kind: KindTooLarge, Status: 413, Message: "limit is 100 MB", Op: OpUpload},
			wantError: "the file is too large for dStor — the server refused it (upload, HTTP 413: limit is 100 MB)",
			wantHuman: `the file is too large for dStor — the server refused it (dStor said: "limit is 100 MB")`,
		},
		{
			name:      "rate limited",
			err:       &Error{Kind: KindRateLimited, Status: 429, RetryAfter: 30 * time.Second, Op: OpUpload},
			wantError: "dStor is busy (too many requests) — retrying later may work, after 30s (upload, HTTP 429)",
			wantHuman: "dStor is busy (too many requests) — retrying later may work, after 30s",
		},
		{
			name:      "server error",
			err:       &Error{Kind: KindServer, Status: 502, Message: "HTML page: 502 Bad Gateway", Op: OpUpload},
			wantError: "dStor is busy or having trouble — retrying later may work (upload, HTTP 502: HTML page: 502 Bad Gateway)",
			wantHuman: `dStor is busy or having trouble — retrying later may work (dStor said: "HTML page: 502 Bad Gateway")`,
		},
		{
			name:      "unreachable",
			err:       &Error{Kind: KindUnreachable, Op: OpUpload, Host: "api.dstor.cloud", Err: errors.New("dial tcp: lookup api.dstor.cloud: no such host")},
			wantError: "cannot reach api.dstor.cloud — check your connection (upload, dial tcp: lookup api.dstor.cloud: no such host)",
			wantHuman: "cannot reach api.dstor.cloud — check your connection",
		},
		{
			name:      "connection broke",
			err:       &Error{Kind: KindUnreachable, Op: OpUpload, Host: "127.0.0.1:9", Err: fmt.Errorf("write: %w", syscall.ECONNRESET)},
			wantHuman: "the connection to 127.0.0.1:9 broke — check your connection; retrying may work",
		},
		{
			name:      "hash mismatch",
			err:       &Error{Kind: KindHashMismatch, Status: 200, Op: OpUpload, Err: &HashMismatchError{Local: "QmLocal", Remote: "QmRemote"}},
			wantError: "dStor stored the file under hash QmRemote, but the file's own hash is QmLocal — it may have been damaged on the way; upload it again",
			wantHuman: "dStor stored the file under hash QmRemote, but the file's own hash is QmLocal — it may have been damaged on the way; upload it again",
		},
		{
			name:      "canceled",
			err:       &Error{Kind: KindCanceled, Op: OpUpload, Err: context.Canceled},
			wantError: "upload canceled",
			wantHuman: "upload canceled",
		},
		{
			name:      "not found",
			err:       &Error{Kind: KindBadRequest, Status: 404, Op: OpUpload},
			wantHuman: "dStor has no such address — check the environment's URLs",
		},
		{
			name:      "bad request",
			err:       &Error{Kind: KindBadRequest, Status: 400, Message: "both folder headers", Op: OpUpload},
			wantHuman: `dStor refused the upload request — check the folder, parent id and comment (dStor said: "both folder headers")`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.wantError != "" {
				assert.Equal(t, tt.wantError, tt.err.Error())
			}
			assert.Equal(t, tt.wantHuman, Human(tt.err))
			wrapped := fmt.Errorf("job 7: %w", tt.err)
			assert.Equal(t, tt.wantHuman, Human(wrapped), "Human looks through wrapping")
		})
	}
}

func TestSentinelsMatchByKind(t *testing.T) {
	sentinels := map[Kind]error{
		KindUnauthorized: ErrUnauthorized, KindTokenExpired: ErrTokenExpired, KindTooLarge: ErrTooLarge,
		KindRateLimited: ErrRateLimited, KindServer: ErrServer, KindTimeout: ErrTimeout,
		KindUnreachable: ErrUnreachable, KindMalformed: ErrMalformed, KindBadRequest: ErrBadRequest,
		KindHashMismatch: ErrHashMismatch, KindCanceled: ErrCanceled, KindClock: ErrClock,
		KindFreshToken: ErrFreshToken,
	}
	for kind, sentinel := range sentinels {
		t.Run(kind.String(), func(t *testing.T) {
			err := fmt.Errorf("wrapped: %w", &Error{Kind: kind, Status: 499, Op: OpUpload})
			for other, s := range sentinels {
				assert.Equal(t, other == kind, errors.Is(err, s), "errors.Is(%v, Err for %v)", kind, other)
			}
			assert.NotEmpty(t, sentinel.Error())
		})
	}
	assert.False(t, errors.Is(&Error{}, ErrServer), "the zero Kind matches nothing")
	assert.Equal(t, "unknown (0)", Kind(0).String())
}

func TestHashMismatchErrorForms(t *testing.T) {
	hm := &HashMismatchError{Local: "QmA", Remote: "QmB"}
	for _, err := range []error{
		hm,
		fmt.Errorf("upload: %w", hm),
		&Error{Kind: KindHashMismatch, Err: hm},
		fmt.Errorf("job: %w", &Error{Kind: KindHashMismatch, Err: hm}),
	} {
		assert.ErrorIs(t, err, ErrHashMismatch)
		var got *HashMismatchError
		require.ErrorAs(t, err, &got)
		assert.Equal(t, "QmA", got.Local)
		assert.Equal(t, "QmB", got.Remote)
		assert.False(t, Retryable(err))
		assert.Contains(t, Human(err), "QmA")
		assert.Contains(t, Human(err), "QmB")
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unreachable", &Error{Kind: KindUnreachable, Err: syscall.ECONNREFUSED}, true},
		{"timeout", &Error{Kind: KindTimeout, Status: 408}, true},
		{"rate limited", &Error{Kind: KindRateLimited, Status: 429}, true},
		{"server", &Error{Kind: KindServer, Status: 503}, true},
		{"wrapped server", fmt.Errorf("x: %w", &Error{Kind: KindServer, Status: 500}), true},
		{"unauthorized", &Error{Kind: KindUnauthorized, Status: 401}, false},
		{"token expired", &Error{Kind: KindTokenExpired, Status: 401}, false},
		{"too large", &Error{Kind: KindTooLarge, Status: 413}, false},
		{"bad request", &Error{Kind: KindBadRequest, Status: 400}, false},
		{"malformed", &Error{Kind: KindMalformed, Status: 200}, false},
		{"hash mismatch", &Error{Kind: KindHashMismatch}, false},
		{"canceled", &Error{Kind: KindCanceled, Err: context.Canceled}, false},
		{"bare context canceled", context.Canceled, false},
		{"file changed", fmt.Errorf("upload: %w", ErrFileChanged), false},
		{"validation", &ValidationError{Field: "comment", Message: "x"}, false},
		{"plain error", io.ErrUnexpectedEOF, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Retryable(tt.err))
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 120 ", 2 * time.Minute},
		{"1.5", 1500 * time.Millisecond},
		{"0", 0},
		{"-3", 0},
		{"NaN", 0},
		{"99999999999", 24 * time.Hour},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(72 * time.Hour).Format(http.TimeFormat), 24 * time.Hour},
		{"soon", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, parseRetryAfter(tt.in, now))
		})
	}
	assert.Equal(t, 5*time.Second, RetryAfter(fmt.Errorf("x: %w", &Error{Kind: KindRateLimited, RetryAfter: 5 * time.Second})))
	assert.Zero(t, RetryAfter(errors.New("plain")))
}

func TestHumanFallbacks(t *testing.T) {
	assert.Equal(t, "", Human(nil))
	assert.Equal(t, "disk on fire", Human(errors.New("disk on fire")))
	assert.Equal(t, "canceled", Human(context.Canceled))
	assert.Contains(t, Human(context.DeadlineExceeded), "took too long")
	assert.Contains(t, Human(fmt.Errorf("upload: %w", ErrFileChanged)), "wait until nothing is writing to it")
	assert.Equal(t, "enter your password", Human(fmt.Errorf("login: %w", &ValidationError{Field: "password", Message: "enter your password"})))
}

func TestServerMessage(t *testing.T) {
	tests := []struct {
		name, contentType, body, want string
	}{
		{"empty", "", "  ", ""},
		{"JSON message", "application/json", `{"message":"invalid token"}`, "invalid token"},
		{"JSON error", "application/json", `{"error":"jwt expired","code":7}`, "jwt expired"},
		{"nested error", "application/json", `{"error":{"code":1,"message":"quota exceeded"}}`, "quota exceeded"},
		{"IPFS style", "application/json", `{"Message":"file argument required","Code":1,"Type":"error"}`, "file argument required"},
		{"message preferred", "application/json", `{"error":"E_AUTH","message":"bad key"}`, "bad key"},
		{"JSON without message", "application/json", `{"ok":false}`, `{"ok":false}`},
		{"HTML title", "text/html; charset=utf-8", "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>", "HTML page: 502 Bad Gateway"},
		{"HTML sniffed", "", "<!DOCTYPE html><html><body><h1>Oops &amp; sorry</h1></body></html>", "HTML page: Oops & sorry"},
		{"plain text", "text/plain", "upstream connect error\n\tor disconnect", "upstream connect error or disconnect"},
		{"control chars", "", "bad\x1b[31m thing\x00", "bad [31m thing"},
		{"bidi override", "", "abc\u202edef", "abcdef"},
		{"invalid UTF-8", "", "bad \xff byte", "bad \uFFFD byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, serverMessage(tt.contentType, []byte(tt.body)))
		})
	}
	long := serverMessage("", []byte(strings.Repeat("é", 500)))
	assert.LessOrEqual(t, len(long), maxMessageLen)
	assert.True(t, strings.HasSuffix(long, "…"))
}

func TestSanitizeRedactsSecrets(t *testing.T) {
	jwt := makeJWT(t, map[string]any{"sub": "someone-else"})
	password := `p@ss "w" <&> ü/+`
	tests := []struct{ name, in string }{
		{"raw", "key " + testAPIKey + " is wrong"},
		{"password raw", "password " + password + " wrong"},
		{"password JSON-escaped", `{"password":"p@ss \"w\" \u003c\u0026\u003e ü/+"}`},
		{"password JSON no HTML escape", `{"password":"p@ss \"w\" <&> ü/+"}`},
		{"password URL-escaped", "password=p%40ss+%22w%22+%3C%26%3E+%C3%BC%2F%2B"},
		{"unknown JWT", "your token " + jwt + " is bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := sanitize(tt.in, testAPIKey, password)
			assert.Contains(t, out, "***")
			assertNoSecret(t, out, testAPIKey, password, jwt, "p@ss")
		})
	}
	// A secret near the cut is redacted before truncation, not cut in half.
	out := sanitize(strings.Repeat("x", 190)+testAPIKey, testAPIKey)
	assert.NotContains(t, out, testAPIKey[:10])
}

// TestSanitizeRedactsPartsAndEncodings: not only exact copies of a secret
// are redacted: a token's tail, a slice of the key, and the key
// in base64 or hex (alone or inside a longer encoded header) are redacted
// too.
func TestSanitizeRedactsPartsAndEncodings(t *testing.T) {
	jwt := makeJWT(t, map[string]any{"sub": "me", "exp": 1_900_000_000})
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct{ name, in, leak string }{
		{"token's last 40 characters", "bad token ..." + jwt[len(jwt)-40:] + " refused", jwt[len(jwt)-40:]},
		{"token without its header", "got " + jwt[strings.Index(jwt, ".")+1:], jwt[len(jwt)-20:]},
		{"key's middle", "key …" + testAPIKey[17:51] + "… unknown", testAPIKey[20:40]},
		{"key in base64", "header " + b64(testAPIKey) + " invalid", b64(testAPIKey)[8:40]},
		{"key in base64url", "h=" + base64.URLEncoding.EncodeToString([]byte(testAPIKey)), base64.URLEncoding.EncodeToString([]byte(testAPIKey))[8:40]},
		{"key inside an encoded header", "auth " + b64("api-key: "+testAPIKey), b64("api-key: " + testAPIKey)[20:50]},
		{"key in hex", "x " + hex.EncodeToString([]byte(testAPIKey)), hex.EncodeToString([]byte(testAPIKey))[10:40]},
		{"key in upper-case hex", "x " + strings.ToUpper(hex.EncodeToString([]byte(testAPIKey))), strings.ToUpper(hex.EncodeToString([]byte(testAPIKey)))[10:40]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := redactSecrets(tt.in, []string{testAPIKey, jwt})
			assert.Contains(t, out, redacted)
			assert.NotContains(t, out, tt.leak)
			for i := 0; i+secretFragment <= len(testAPIKey); i++ {
				assert.NotContains(t, out, testAPIKey[i:i+secretFragment])
			}
		})
	}
	assert.Equal(t, "dStor is busy, try again", redactSecrets("dStor is busy, try again", []string{testAPIKey, jwt}), "ordinary text stays")
	assert.Equal(t, "wrong: ***", redactSecrets("wrong: hunter2", []string{"hunter2"}), "a short secret is still redacted whole")
}

// The redactions of secrets are built once and kept for at most
// maxRedactions secrets; one that left the cache is redacted all the same.
func TestRedactionsCacheIsBounded(t *testing.T) {
	first := fmt.Sprintf("first-secret-%064d", 1)
	assert.Equal(t, "x ***", redactSecrets("x "+first, []string{first}))
	for i := range 2 * maxRedactions {
		secret := fmt.Sprintf("secret-number-%d-%032d", i, i)
		assert.Equal(t, "got *** back", redactSecrets("got "+secret[5:40]+" back", []string{secret}))
	}
	redactions.Lock()
	n := len(redactions.bySecret)
	_, kept := redactions.bySecret[first]
	redactions.Unlock()
	assert.LessOrEqual(t, n, maxRedactions)
	assert.False(t, kept, "the oldest secret left the cache")
	assert.Equal(t, "again ***", redactSecrets("again "+first[3:30], []string{first}))
}

// TestUploadErrorRedactsTheKeyToo: an upload's error that echoes the API
// key (the upload itself carried only the token) is redacted of it.
func TestUploadErrorRedactsTheKeyToo(t *testing.T) {
	f := newFakeDStor(t)
	f.addAnswer = func(w http.ResponseWriter, rec received) {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "key " + base64.StdEncoding.EncodeToString([]byte(testAPIKey)) + " and " + testAPIKey[5:30] + " unknown"})
	}
	c := f.client(nil)
	tok, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	require.NoError(t, err)
	_, err = c.Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "f.txt", []byte("x"))})
	require.Error(t, err)
	assert.NotContains(t, Human(err), testAPIKey[5:30])
	assert.NotContains(t, Human(err), base64.StdEncoding.EncodeToString([]byte(testAPIKey))[4:40])
	assert.Contains(t, Human(err), "***")
}
