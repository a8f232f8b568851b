package api

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
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
}

// ParseToken reads a token's JWT payload (base64url, not verified) for exp,
// iat and sub; exp and iat may be integers or floats. Anything that is not
// a readable JWT is still a usable token, with unknown expiry.
func ParseToken(raw string) Token {
	raw = strings.TrimSpace(raw)
	t := Token{Raw: raw}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return t
	}
	payload, ok := decodeSegment(parts[1])
	if !ok {
		return t
	}
	var claims struct {
		Exp json.RawMessage `json:"exp"`
		Iat json.RawMessage `json:"iat"`
		Sub json.RawMessage `json:"sub"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil {
		return t
	}
	t.ExpiresAt, _ = numericDate(claims.Exp)
	t.IssuedAt, _ = numericDate(claims.Iat)
	var sub string
	if err := json.Unmarshal(claims.Sub, &sub); err == nil {
		// The subject names the account in messages and settings: it is
		// server text, so it is made inert like any other.
		t.Subject = sanitizeTo(sub, maxEmailLen)
	}
	return t
}

// decodeSegment decodes a JWT segment: base64url without padding, leniently
// with padding or the standard alphabet.
func decodeSegment(s string) ([]byte, bool) {
	s = strings.TrimRight(s, "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, true
	}
	if b, err := base64.RawStdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	return nil, false
}

// maxNumericDate bounds exp/iat (about year 36800) so a hostile payload
// cannot overflow the conversion to time.Time.
const maxNumericDate = 1 << 40

// numericDate reads a JWT NumericDate: seconds since the epoch, as an
// integer, a float, or (leniently) a numeric string.
func numericDate(raw json.RawMessage) (time.Time, bool) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return time.Time{}, false
	}
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return time.Time{}, false
		}
		s = strings.TrimSpace(str)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
}

// Valid reports whether the token can still be sent: it is not empty, and
// its expiry is unknown or more than margin after now. Pass a margin (say a
// few minutes) to refresh ahead of expiry.
func (t Token) Valid(now time.Time, margin time.Duration) bool {
	if t.Raw == "" {
		return false
	}
	return t.ExpiresAt.IsZero() || now.Add(margin).Before(t.ExpiresAt)
}

// String summarizes the token without revealing it, e.g. "token for
// 4f1c… expiring 2026-05-01T10:00:00Z".
func (t Token) String() string {
	if t.Raw == "" {
		return "no token"
	}
	s := "token"
	if sub := truncate(cleanText(t.Subject), 64); sub != "" {
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
		redactedRaw(t.Raw), formatTime(t.IssuedAt), formatTime(t.ExpiresAt), truncate(cleanText(t.Subject), 64))
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
