package api

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token is a dStor access token (a JWT) plus what its payload says about
// it, so callers can name the account and refresh ahead of expiry. The
// signature cannot be verified here (the secret is dStor's) and is not.
//
// Raw is the secret. A Token prints as a summary (never Raw) under every
// fmt verb, in slog records and in encoding/json output; to keep the token,
// store Raw explicitly — and only in the OS keyring.
type Token struct {
	Raw       string    // the bearer token as dStor issued it
	IssuedAt  time.Time // iat; zero when absent
	ExpiresAt time.Time // exp; zero means unknown expiry
	Subject   string    // sub: the account's id, sanitized; empty when absent

	// ServerOffset is dStor's clock minus this computer's, measured when
	// the token was issued (from the answer's Date header, or else the
	// token's iat); 0 when unknown or within a few seconds. Expiry is
	// judged on dStor's clock, so a computer whose clock is off neither
	// takes a valid token for expired nor an expired one for valid.
	ServerOffset time.Duration
	// ServerTimeKnown says dStor's time was known when the token was
	// issued (the answer's Date, or the token's iat), so ServerOffset 0
	// means the clocks agree rather than that nothing was measured.
	ServerTimeKnown bool
}

// tokenParser reads a token's header and payload with golang-jwt (base64url,
// with or without padding; numbers kept exact). It never checks the
// signature: the secret is dStor's.
var tokenParser = jwt.NewParser(jwt.WithPaddingAllowed(), jwt.WithJSONNumber())

// ParseToken reads a token's JWT payload (not verified) for exp, iat and
// sub (a string, or a number in one spelling: numberSubject); exp and iat may be integers,
// floats or numeric strings. Anything that is not a readable JWT is still
// a usable token, with unknown expiry.
func ParseToken(raw string) Token {
	raw = strings.TrimSpace(raw)
	t := Token{Raw: raw}
	claims := jwt.MapClaims{}
	// An error after the payload was read (an unknown alg, a signature that
	// is not base64) leaves claims filled, and those are all this needs.
	_, _, _ = tokenParser.ParseUnverified(raw, claims)
	t.ExpiresAt, _ = numericDate(claims["exp"])
	t.IssuedAt, _ = numericDate(claims["iat"])
	// The subject names the account in messages and settings: it is server
	// text, so it is made inert like any other, and one longer than an
	// account name may be is cut in the middle (sanitizeID), so that ids
	// alike at the start stay apart, as accounts and on screen. A server that numbers its
	// accounts is named by the number, in one spelling (numberSubject), so
	// that a renewed token for another account is noticed there too, and
	// one for the same account, written another way, is not taken for
	// another.
	switch sub := claims["sub"].(type) {
	case string:
		t.Subject = sanitizeID(sub, maxEmailLen)
	case json.Number:
		t.Subject = sanitizeID(numberSubject(sub.String()), maxEmailLen)
	}
	return t
}

// numberSubject spells a numeric sub (JSON number syntax) one way: its
// exact value as the shortest decimal, without exponent, so 42, 42.0,
// 4.2e1 and 420e-1 are all "42" (as the string "42" is), 4.250 is "4.25"
// and -0 is "0". Every account id of this project is compared in this
// spelling (the tokens' account checks, the queue's locks, the accounts
// noted in the database). A string sub is not read as a number: it is an
// id as written ("0042", "1e3"). A number whose spelling would be longer
// than an account name may be (1e400), or that is not JSON's, is kept as
// written.
func numberSubject(n string) string {
	written := n
	neg := strings.HasPrefix(n, "-")
	n = strings.TrimPrefix(n, "-")
	exp := 0
	if i := strings.IndexAny(n, "eE"); i >= 0 {
		e, err := strconv.Atoi(n[i+1:])
		if err != nil || e > maxEmailLen || e < -maxEmailLen {
			return written
		}
		n, exp = n[:i], e
	}
	if i := strings.IndexByte(n, '.'); i >= 0 {
		exp -= len(n) - i - 1
		n = n[:i] + n[i+1:]
	}
	if n == "" || strings.Trim(n, "0123456789") != "" {
		return written
	}
	// The value is the digits n times 10^exp.
	n = strings.TrimLeft(n, "0")
	if n == "" {
		return "0"
	}
	for strings.HasSuffix(n, "0") {
		n, exp = n[:len(n)-1], exp+1
	}
	var s string
	switch {
	case exp >= 0:
		if len(n)+exp > maxEmailLen {
			return written
		}
		s = n + strings.Repeat("0", exp)
	case -exp < len(n):
		s = n[:len(n)+exp] + "." + n[len(n)+exp:]
	default:
		if 2-exp > maxEmailLen {
			return written
		}
		s = "0." + strings.Repeat("0", -exp-len(n)) + n
	}
	if neg {
		s = "-" + s
	}
	return s
}

// maxNumericDate bounds exp/iat (about year 36800) so a hostile payload
// cannot overflow the conversion to time.Time.
const maxNumericDate = 1 << 40

// numericDate reads a JWT NumericDate: seconds since the epoch, as a JSON
// number or (leniently) a numeric string.
func numericDate(v any) (time.Time, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
}

// Valid reports whether the token can still be sent: it is not empty, and
// its expiry is unknown or more than margin after now, judged on dStor's
// clock (now is this computer's; see ServerOffset). Pass a margin (say a
// few minutes) to refresh ahead of expiry.
func (t Token) Valid(now time.Time, margin time.Duration) bool {
	if t.Raw == "" {
		return false
	}
	return t.ExpiresAt.IsZero() || t.ServerNow(now).Add(margin).Before(t.ExpiresAt)
}

// Sendable reports whether the token can be sent at all: "Bearer " and
// Raw make a valid header (printable ASCII, no spaces), no longer than a
// token answer may be (maxTokenAnswer: a longer header no server takes).
// Tokens from dStor's answers always can (getToken refuses others); one
// read back from elsewhere (the keyring) may not, and Upload refuses it.
func (t Token) Sendable() bool { return len(t.Raw) <= maxTokenAnswer && isHeaderToken(t.Raw) }

// ServerNow is dStor's time when this computer's clock says now.
func (t Token) ServerNow(now time.Time) time.Time { return now.Add(t.ServerOffset) }

// Lifetime is how long the token lived when it was issued (exp - iat), or
// 0 when either is unknown.
func (t Token) Lifetime() time.Duration {
	if t.ExpiresAt.IsZero() || t.IssuedAt.IsZero() {
		return 0
	}
	return t.ExpiresAt.Sub(t.IssuedAt)
}

// clockTolerance is the clock difference ignored: the Date header has a
// one-second resolution and network delays add more; only a real
// disagreement between clocks is corrected.
const clockTolerance = 5 * time.Second

// measureOffset is the server's clock minus the local one, from an
// answer's Date header (received at local time at), or else from iat of a
// token issued just now; 0 when unknown or within clockTolerance.
func measureOffset(dateHeader string, iat, at time.Time) time.Duration {
	var d time.Duration
	if date, err := http.ParseTime(dateHeader); err == nil {
		// Date is cut to the second: the server's time was half a second
		// later than it says, on average.
		d = date.Add(500 * time.Millisecond).Sub(at)
	} else if !iat.IsZero() {
		d = iat.Add(500 * time.Millisecond).Sub(at)
	}
	if d > -clockTolerance && d < clockTolerance {
		return 0
	}
	return d
}

// serverTimeKnown reports whether measureOffset had dStor's time to
// measure by: a Date header it can read, or iat.
func serverTimeKnown(dateHeader string, iat time.Time) bool {
	_, err := http.ParseTime(dateHeader)
	return err == nil || !iat.IsZero()
}

// String summarizes the token without revealing it, e.g. "token for
// 4f1c… expiring 2026-05-01T10:00:00Z".
func (t Token) String() string {
	if t.Raw == "" {
		return "no token"
	}
	s := "token"
	if sub := truncateMiddle(cleanText(t.Subject), 64); sub != "" {
		s += " for " + sub
	}
	if t.ExpiresAt.IsZero() {
		return s + " with unknown expiry"
	}
	return s + " expiring " + t.ExpiresAt.UTC().Format(time.RFC3339)
}

// GoString is the %#v form, with Raw redacted.
func (t Token) GoString() string {
	return fmt.Sprintf("api.Token{Raw: %q, IssuedAt: %q, ExpiresAt: %q, Subject: %q}",
		redactedRaw(t.Raw), formatTime(t.IssuedAt), formatTime(t.ExpiresAt), truncateMiddle(cleanText(t.Subject), 64))
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %q, %x…) print the
// summary, so a token logged by mistake never leaks.
func (t Token) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, t.GoString())
	case verb == 'q':
		_, _ = io.WriteString(f, strconv.Quote(t.String()))
	default:
		_, _ = io.WriteString(f, t.String())
	}
}

// LogValue makes slog records show the summary instead of the fields.
func (t Token) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MarshalJSON encodes the summary fields without Raw, so a token inside a
// struct that is logged or saved as JSON does not leak.
func (t Token) MarshalJSON() ([]byte, error) {
	type summary struct {
		Raw       string     `json:"raw"`
		Subject   string     `json:"subject,omitempty"`
		IssuedAt  *time.Time `json:"issued_at,omitempty"`
		ExpiresAt *time.Time `json:"expires_at,omitempty"`
	}
	s := summary{Raw: redactedRaw(t.Raw), Subject: t.Subject}
	if !t.IssuedAt.IsZero() {
		s.IssuedAt = &t.IssuedAt
	}
	if !t.ExpiresAt.IsZero() {
		s.ExpiresAt = &t.ExpiresAt
	}
	return json.Marshal(s)
}

func redactedRaw(raw string) string {
	if raw == "" {
		return ""
	}
	return redacted
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
