package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseToken(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	header := b64(`{"alg":"HS256","typ":"JWT"}`)
	jwt := func(payload string) string { return header + "." + b64(payload) + ".c2ln" }

	tests := []struct {
		name    string
		raw     string
		wantExp time.Time
		wantIat time.Time
		wantSub string
		wantRaw string // defaults to raw
	}{
		{
			name:    "dStor's claim set",
			raw:     jwt(`{"d":false,"o":false,"s":false,"t":null,"iat":1632792675,"exp":1632796275,"aud":"dstor.cloud","iss":"dstor.cloud","sub":"4e3b-uuid"}`),
			wantExp: time.Unix(1632796275, 0), wantIat: time.Unix(1632792675, 0), wantSub: "4e3b-uuid",
		},
		{
			name:    "float exp",
			raw:     jwt(`{"exp":1677336539.25,"iat":1677332939.5}`),
			wantExp: time.Unix(1677336539, 250_000_000), wantIat: time.Unix(1677332939, 500_000_000),
		},
		{name: "exp as a numeric string", raw: jwt(`{"exp":"1700000000"}`), wantExp: time.Unix(1700000000, 0)},
		{name: "exponent notation", raw: jwt(`{"exp":1.7e9}`), wantExp: time.Unix(1700000000, 0)},
		{name: "no exp: unknown expiry", raw: jwt(`{"sub":"x"}`), wantSub: "x"},
		{name: "null exp", raw: jwt(`{"exp":null}`)},
		{name: "exp not a number", raw: jwt(`{"exp":"soon"}`)},
		{name: "exp absurdly large", raw: jwt(`{"exp":1e300}`)},
		{name: "sub a number: its digits, exact", raw: jwt(`{"sub":12345678901234567891,"exp":1700000000}`), wantExp: time.Unix(1700000000, 0),
			wantSub: "12345678901234567891"},
		{name: "sub neither string nor number", raw: jwt(`{"sub":{"id":42},"exp":1700000000}`), wantExp: time.Unix(1700000000, 0)},
		{name: "padded base64url", raw: header + "." + base64.URLEncoding.EncodeToString([]byte(`{"exp":1700000001}`)) + ".sig", wantExp: time.Unix(1700000001, 0)},
		{name: "alg none, signature empty", raw: b64(`{"alg":"none","typ":"JWT"}`) + "." + b64(`{"exp":1700000000,"sub":"x"}`) + ".",
			wantExp: time.Unix(1700000000, 0), wantSub: "x"},
		{name: "negative exp: long past", raw: jwt(`{"exp":-1,"iat":-2}`), wantExp: time.Unix(-1, 0), wantIat: time.Unix(-2, 0)},
		{name: "exp past the bound: unknown", raw: jwt(`{"exp":1099511627777}`)},
		{name: "opaque token", raw: "opaque-token-value"},
		{name: "garbage base64", raw: "aaa.!!!not base64!!!.ccc"},
		{name: "payload not JSON", raw: header + "." + b64("hello") + ".sig"},
		{name: "payload a JSON array", raw: header + "." + b64(`[1,2]`) + ".sig"},
		{name: "too many parts", raw: "a.b.c.d.e"},
		{name: "surrounding spaces trimmed", raw: "  " + jwt(`{"exp":1700000000}`) + "\n", wantExp: time.Unix(1700000000, 0),
			wantRaw: jwt(`{"exp":1700000000}`)},
		{name: "empty", raw: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := ParseToken(tt.raw)
			want := tt.wantRaw
			if want == "" {
				want = strings.TrimSpace(tt.raw)
			}
			assert.Equal(t, want, tok.Raw)
			assert.True(t, tok.ExpiresAt.Equal(tt.wantExp), "exp: got %v want %v", tok.ExpiresAt, tt.wantExp)
			assert.True(t, tok.IssuedAt.Equal(tt.wantIat), "iat: got %v want %v", tok.IssuedAt, tt.wantIat)
			assert.Equal(t, tt.wantSub, tok.Subject)
		})
	}
}

func TestTokenValid(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	exp := now.Add(10 * time.Minute)
	tests := []struct {
		name   string
		tok    Token
		margin time.Duration
		want   bool
	}{
		{"empty token", Token{}, 0, false},
		{"unknown expiry", Token{Raw: "opaque"}, time.Hour, true},
		{"well before expiry", Token{Raw: "x", ExpiresAt: exp}, 5 * time.Minute, true},
		{"inside the margin", Token{Raw: "x", ExpiresAt: exp}, 10 * time.Minute, false},
		{"exactly at expiry", Token{Raw: "x", ExpiresAt: now}, 0, false},
		{"expired", Token{Raw: "x", ExpiresAt: now.Add(-time.Second)}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.tok.Valid(now, tt.margin))
		})
	}
}

func TestTokenNeverPrintsRaw(t *testing.T) {
	tok := ParseToken(makeJWT(t, map[string]any{"sub": "acct-7", "exp": 1900000000, "iat": 1800000000}))
	require.NotEmpty(t, tok.Raw)
	opaque := ParseToken("opaque-secret-token-1234567890")

	for _, tk := range []Token{tok, opaque} {
		type holder struct {
			Job   string
			Token Token
			Ptr   *Token
		}
		h := holder{Job: "upload", Token: tk, Ptr: &tk}
		var outputs []string
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%T"} {
			outputs = append(outputs, fmt.Sprintf(verb, tk), fmt.Sprintf(verb, &tk), fmt.Sprintf(verb, h))
		}
		outputs = append(outputs, tk.String(), tk.GoString(), fmt.Sprint(tk), fmt.Sprintln(tk, &tk, h))

		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("got token", "token", tk, "holder", h)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("got token", "token", tk, "holder", h)
		outputs = append(outputs, text.String(), js.String())

		b, err := json.Marshal(h)
		require.NoError(t, err)
		outputs = append(outputs, string(b))

		for _, out := range outputs {
			assertNoSecret(t, out, tk.Raw)
		}
	}

	assert.Equal(t, "token for acct-7 expiring 2030-03-17T17:46:40Z", tok.String())
	assert.Equal(t, "token with unknown expiry", opaque.String())
	assert.Equal(t, "no token", Token{}.String())
	assert.Contains(t, fmt.Sprintf("%#v", tok), `Raw: "***"`)
	assert.Equal(t, `"token for acct-7 expiring 2030-03-17T17:46:40Z"`, fmt.Sprintf("%q", tok))
}

func TestTokenStringSanitizesSubject(t *testing.T) {
	tok := ParseToken(makeJWT(t, map[string]any{"sub": "evil\nINFO forged log line\u202e" + strings.Repeat("x", 200)}))
	s := tok.String()
	assert.NotContains(t, s, "\n")
	assert.NotContains(t, s, "\u202e")
	assert.LessOrEqual(t, len(s), 120)
}

// TestTokenJudgedOnServerClock, in the client: the offset measured from
// the token answer's Date header (or iat) moves Valid and the upload's own
// expiry check onto dStor's clock.
func TestTokenJudgedOnServerClock(t *testing.T) {
	local := time.Now()
	server := local.Add(-2 * time.Hour) // this computer is two hours ahead
	date := server.UTC().Format(http.TimeFormat)
	assert.InDelta(t, float64(-2*time.Hour), float64(measureOffset(date, time.Time{}, local)), float64(2*time.Second))
	assert.Zero(t, measureOffset(local.UTC().Format(http.TimeFormat), time.Time{}, local), "a second or two is noise")
	assert.InDelta(t, float64(-2*time.Hour), float64(measureOffset("", server, local)), float64(2*time.Second), "iat when there is no Date")
	assert.Zero(t, measureOffset("garbage", time.Time{}, local), "nothing to measure by")

	tok := Token{Raw: "a.b.c", IssuedAt: server, ExpiresAt: server.Add(time.Hour)}
	assert.False(t, tok.Valid(local, time.Minute), "on the local clock it looks expired")
	tok.ServerOffset = measureOffset(date, tok.IssuedAt, local)
	assert.True(t, tok.Valid(local, time.Minute), "on dStor's clock it has an hour left")
	assert.False(t, tokenPastExpiry(tok, local))
	assert.Equal(t, time.Hour, tok.Lifetime())
}

// TestTokenAnswerMeasuresTheServerClock: the Date of a temp-token answer
// sets the token's offset and the client's.
func TestTokenAnswerMeasuresTheServerClock(t *testing.T) {
	f := newFakeDStor(t)
	server := time.Now().Add(3 * time.Hour)
	f.onToken = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", server.UTC().Format(http.TimeFormat))
		writeJSON(w, http.StatusOK, map[string]any{"access_token": makeJWT(t, map[string]any{
			"iat": server.Unix(), "exp": server.Add(time.Hour).Unix()})})
	}
	c := f.client(nil)
	before := time.Now()
	tok, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	after := time.Now()
	require.NoError(t, err)
	// Date's time, half a second on (it is cut to the second), less the
	// answer's arrival, which lies between before and after: exact
	// bounds, however long the exchange took.
	said := server.Truncate(time.Second).Add(500 * time.Millisecond)
	assert.GreaterOrEqual(t, tok.ServerOffset, said.Sub(after))
	assert.LessOrEqual(t, tok.ServerOffset, said.Sub(before))
	assert.Equal(t, tok.ServerOffset, c.ServerOffset())
	assert.True(t, tok.Valid(time.Now(), time.Minute))
}

// TestClockErrorNamesTheClock: the sentence says what to fix.
func TestClockErrorNamesTheClock(t *testing.T) {
	local := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	err := error(&Error{Kind: KindClock, Err: &ClockError{Local: local, Server: local.Add(-2 * time.Hour), Expires: local.Add(-time.Hour)}})
	assert.ErrorIs(t, err, ErrClock)
	assert.False(t, Retryable(err))
	h := Human(err)
	assert.Contains(t, h, "this computer's clock says 2026-05-01 14:00:00 UTC and dStor's says 2026-05-01 12:00:00 UTC")
	assert.Contains(t, h, "set this computer's date, time and time zone correctly")
	assert.NotContains(t, h, "sign in again")
}

// TestServerTimeKnown: a token answer with a Date, or a token with iat,
// tells dStor's time; one with neither does not, so an offset of 0 then
// is not taken for clocks that agree.
func TestServerTimeKnown(t *testing.T) {
	cases := []struct {
		name      string
		date, iat bool
		known     bool
	}{
		{"Date and iat", true, true, true},
		{"Date only", true, false, true},
		{"iat only", false, true, true},
		{"neither", false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.onToken = func(w http.ResponseWriter, r *http.Request) {
				claims := map[string]any{"exp": time.Now().Add(time.Hour).Unix()}
				if tc.iat {
					claims["iat"] = time.Now().Unix()
				}
				if !tc.date {
					w.Header()["Date"] = nil // net/http adds none then
				}
				writeJSON(w, http.StatusOK, map[string]any{"access_token": makeJWT(t, claims)})
			}
			tok, err := f.client(nil).TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
			require.NoError(t, err)
			assert.Equal(t, tc.known, tok.ServerTimeKnown)
			assert.Zero(t, tok.ServerOffset)
		})
	}
}

// TestFreshTokenUnusableNamesTheClockOnlyOnEvidence: a token unusable
// right after it was issued is blamed on this computer's clock only when
// dStor's clock differs from it, or (dStor's time unknown) the token
// arrived past its expiry here; otherwise the sentence says dStor refused
// its own fresh token, or issued it expired, and keeps what dStor said.
func TestFreshTokenUnusableNamesTheClockOnlyOnEvidence(t *testing.T) {
	local := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	refusal := &Error{Kind: KindTokenExpired, Status: 401, Message: "jwt expired", Op: OpUpload, Host: "api.example"}
	cases := []struct {
		name    string
		tok     Token
		refusal error
		want    error
		says    []string
		saysNot []string
	}{
		{"refused, the clocks differ", Token{ServerOffset: 2 * time.Hour, ServerTimeKnown: true, ExpiresAt: local.Add(3 * time.Hour)}, refusal, ErrClock,
			[]string{"this computer's clock says 2026-05-01 14:00:00 UTC and dStor's says 2026-05-01 16:00:00 UTC", "set this computer's date"}, []string{"not the cause"}},
		{"refused, the clocks agree", Token{ServerTimeKnown: true, ExpiresAt: local.Add(time.Hour)}, refusal, ErrFreshToken,
			[]string{"dStor refused as expired a token it issued moments ago (valid until 2026-05-01 15:00:00 UTC), although dStor's clock and this computer's agree (2026-05-01 14:00:00 UTC)", "the clock is not the cause", `(dStor said: "jwt expired")`},
			[]string{"set this computer's date", "sign in again to"}},
		{"refused, dStor's time unknown", Token{ExpiresAt: local.Add(time.Hour)}, refusal, ErrFreshToken,
			[]string{"dStor refused as expired a token it issued moments ago", "dStor did not say its time, so check that this computer's date and time are right (it says 2026-05-01 14:00:00 UTC)"},
			[]string{"not the cause", "set this computer's date"}},
		{"issued expired, the clocks agree", Token{ServerTimeKnown: true, ExpiresAt: local.Add(-time.Hour)}, nil, ErrFreshToken,
			[]string{"dStor issued a token already past its expiry (valid until 2026-05-01 13:00:00 UTC)", "the clock is not the cause"},
			[]string{"set this computer's date", "dStor said"}},
		{"issued expired, dStor's time unknown", Token{ExpiresAt: local.Add(-time.Hour)}, nil, ErrClock,
			[]string{"this computer's clock says 2026-05-01 14:00:00 UTC, so the token dStor issued (valid until 2026-05-01 13:00:00 UTC) cannot be used"}, []string{"not the cause"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := FreshTokenUnusable(tc.tok, local, tc.refusal)
			require.ErrorIs(t, err, tc.want)
			assert.False(t, Retryable(err))
			assert.NotErrorIs(t, err, ErrTokenExpired, "not the kind that asks for a new token")
			h := Human(err)
			for _, s := range tc.says {
				assert.Contains(t, h, s)
			}
			for _, s := range tc.saysNot {
				assert.NotContains(t, h, s)
			}
			if tc.want == ErrFreshToken && tc.refusal != nil {
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, 401, e.Status, "the refusal's status is kept")
			}
		})
	}
}

// TestTokenSubjectOneSpelling: a numeric sub names its account by its value
// in one spelling, so a server that writes one account's number several
// ways (42, 42.0, 4.2e1; "42" as a string) is one account, never two (a
// false "another account" stop, a missed "already uploaded"); a string is
// the name as written (an id such as "0042" or "1e3" is not a number);
// numbers too long to spell out are kept as written.
func TestTokenSubjectOneSpelling(t *testing.T) {
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct {
		sub, want string
	}{
		{`42`, "42"},
		{`"42"`, "42"},
		{`42.0`, "42"},
		{`42.000`, "42"},
		{`4.2e1`, "42"},
		{`4.2E+1`, "42"},
		{`420e-1`, "42"},
		{`0.42e2`, "42"},
		{`12345678901234567891`, "12345678901234567891"},
		{`12345678901234567891.0`, "12345678901234567891"},
		{`1.2345678901234567891e19`, "12345678901234567891"},
		{`0`, "0"},
		{`-0.0`, "0"},
		{`0e5`, "0"},
		{`-7`, "-7"},
		{`-7.00`, "-7"},
		{`4.250`, "4.25"},
		{`425e-2`, "4.25"},
		{`0.0050`, "0.005"},
		{`5e-3`, "0.005"},
		{`1e3`, "1000"},
		{`"1e3"`, "1e3"},
		{`"0042"`, "0042"},
		{`"42.0"`, "42.0"},
		{`1e400`, "1e400"},
		{`1e-400`, "1e-400"},
		{`1e99999999999999999999`, "1e99999999999999999999"},
	} {
		raw := b64(`{"alg":"HS256"}`) + "." + b64(`{"sub":`+tc.sub+`}`) + ".c2ln"
		assert.Equal(t, tc.want, ParseToken(raw).Subject, "sub %s", tc.sub)
	}
}
