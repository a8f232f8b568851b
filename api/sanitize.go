package api

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

// maxMessageLen bounds a server message kept in an Error, so a whole HTML
// page never ends up in a dialog or a log line.
const maxMessageLen = 200

// redacted replaces every secret found in text shown to people or logs.
const redacted = "***"

// jwtPattern matches anything shaped like a JWT, so a token the server
// echoes (even one this client did not send) never reaches a message.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

// serverMessage extracts the human part of an error body: the JSON
// "message"/"error" field when there is one, the title of an HTML page, or
// else a short excerpt; sanitized in every case.
func serverMessage(contentType string, body []byte, secrets ...string) string {
	if len(strings.TrimSpace(string(body))) == 0 {
		return ""
	}
	if msg, ok := jsonMessage(body, 0); ok {
		return sanitize(msg, secrets...)
	}
	if looksLikeHTML(contentType, body) {
		return sanitize(htmlSummary(string(body)), secrets...)
	}
	return sanitize(string(body), secrets...)
}

// messageKeys are the fields servers put their error text in, by priority.
var messageKeys = []string{"message", "error", "detail", "error_description", "msg", "reason"}

// jsonMessage finds a message field in a JSON object, looking one level
// into nested objects ({"error": {"message": "..."}}).
func jsonMessage(body []byte, depth int) (string, bool) {
	trimmed := strings.TrimSpace(string(body))
	if !strings.HasPrefix(trimmed, "{") || depth > 2 {
		return "", false
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(trimmed), &fields); err != nil {
		return "", false
	}
	for _, want := range messageKeys {
		for k, v := range fields {
			if !strings.EqualFold(k, want) {
				continue
			}
			var s string
			if err := json.Unmarshal(v, &s); err == nil && strings.TrimSpace(s) != "" {
				return s, true
			}
			if msg, ok := jsonMessage(v, depth+1); ok {
				return msg, true
			}
		}
	}
	return "", false
}

// looksLikeHTML reports an HTML page (a proxy's or load balancer's error
// page, a captive portal) where JSON was expected.
func looksLikeHTML(contentType string, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil &&
		(mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	head := strings.ToLower(strings.TrimSpace(string(body[:min(len(body), 512)])))
	return strings.HasPrefix(head, "<!doctype html") || strings.HasPrefix(head, "<html") ||
		strings.HasPrefix(head, "<head") || strings.HasPrefix(head, "<body")
}

// htmlSummary is "HTML page: <title>", or the page's text without tags.
func htmlSummary(page string) string {
	lower := strings.ToLower(page)
	if i := strings.Index(lower, "<title"); i >= 0 {
		if j := strings.Index(lower[i:], ">"); j >= 0 {
			start := i + j + 1
			if k := strings.Index(lower[start:], "</title"); k >= 0 {
				if title := strings.TrimSpace(html.UnescapeString(page[start : start+k])); title != "" {
					return "HTML page: " + title
				}
			}
		}
	}
	return "HTML page: " + html.UnescapeString(stripTags(page))
}

// stripTags drops everything between < and >; enough for an excerpt.
func stripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sanitize makes server-supplied text safe to show and log: secrets and
// JWT-shaped strings replaced by "***", control and formatting characters
// removed, whitespace collapsed, at most maxMessageLen bytes.
func sanitize(s string, secrets ...string) string {
	return sanitizeTo(s, maxMessageLen, secrets...)
}

// sanitizeTo is sanitize with a bound of n bytes.
func sanitizeTo(s string, n int, secrets ...string) string {
	return truncate(inertText(s, secrets...), n)
}

// sanitizeID is sanitize for an account id (a token's sub): at most n
// bytes, cut in the middle (truncateMiddle), so ids alike at the start
// stay apart.
func sanitizeID(s string, n int) string {
	return truncateMiddle(inertText(s), n)
}

// inertText is s made safe to show and log, whatever its length (see
// sanitize).
func inertText(s string, secrets ...string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = redactSecrets(s, secrets)
	s = cleanText(s)
	s = redactSecrets(s, secrets)
	return jwtPattern.ReplaceAllString(s, redacted)
}

// serverText is a name a server sent made inert without losing what
// sets it apart (what ServerName keeps): secrets and JWT-shaped strings
// replaced by "***", each control, formatting or invalid byte escaped
// where it stands (inert.Literal: \x1b, \u202e, \n), and a backslash that
// would read as an escape too (\x5c: the six characters \u202e are not
// U+202E), its spaces kept, at most n bytes, cut before a whole escape or
// character (inert.LiteralCut). sanitize, made for messages, would trim
// and collapse its spaces and drop its invisible characters, so "txt.exe"
// answered for "\u202etxt.exe" would read as the name sent.
//
// A secret with a character Line escapes between each of its own
// ("t\u200bo\u200bk") is read, and copied, past those escapes: when it is
// found without them (inert.Bare), the name is kept without them, the
// secret redacted.
func serverText(s string, n int, secrets ...string) string {
	s = jwtPattern.ReplaceAllString(redactSecrets(s, secrets), redacted)
	if bare := inert.Bare(s); bare != s {
		if r := jwtPattern.ReplaceAllString(redactSecrets(bare, secrets), redacted); r != bare {
			s = r
		}
	}
	if line, whole := inert.LiteralCut(s, n); whole {
		return line
	}
	line, _ := inert.LiteralCut(s, n-len(cutMark))
	return line + cutMark
}

// redactSecrets replaces each secret, as sent and in its JSON- and
// URL-escaped forms (a server may echo the request body it parsed), and
// then every fragment of secretFragment or more characters of the secret
// or of its base64 and hex encodings (a server may echo a token's tail, or
// the key inside an encoded header), so no part long enough to matter
// reaches a message.
func redactSecrets(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		r := redactionOf(secret)
		for _, f := range r.whole {
			if f != "" {
				s = strings.ReplaceAll(s, f, redacted)
			}
		}
		s = redactFragments(s, r.windows)
	}
	return s
}

// redaction is what redactSecrets looks for of one secret: the forms
// redacted whole, and the windows of secretFragment bytes of its
// encodings (encodedForms).
type redaction struct {
	whole   []string
	windows map[string]struct{}
}

// maxRedactions bounds the cache of redactions: a client sends a handful
// of secrets (a key or a password, and the tokens made from them).
const maxRedactions = 16

// redactions caches each secret's redaction: every answer is checked
// against every secret the client sent, and a token's encodings give
// about a thousand windows, which cost far more to build than to look up.
var redactions struct {
	sync.Mutex
	bySecret map[string]*redaction
	order    []string // oldest first
}

// redactionOf is secret's redaction, built once.
func redactionOf(secret string) *redaction {
	redactions.Lock()
	defer redactions.Unlock()
	if r := redactions.bySecret[secret]; r != nil {
		return r
	}
	r := &redaction{
		whole:   []string{secret, url.QueryEscape(secret), url.PathEscape(secret), jsonEscaped(secret, true), jsonEscaped(secret, false)},
		windows: make(map[string]struct{}),
	}
	for _, f := range encodedForms(secret) {
		f = strings.TrimRight(f, "=")
		for i := 0; i+secretFragment <= len(f); i++ {
			r.windows[f[i:i+secretFragment]] = struct{}{}
		}
	}
	if redactions.bySecret == nil {
		redactions.bySecret = make(map[string]*redaction)
	}
	if len(redactions.order) == maxRedactions {
		delete(redactions.bySecret, redactions.order[0])
		redactions.order = redactions.order[1:]
	}
	redactions.bySecret[secret] = r
	redactions.order = append(redactions.order, secret)
	return r
}

// secretFragment is the shortest run of a secret's characters that is
// redacted on its own: long enough never to match ordinary text by
// chance, short enough that what is left of a 64-character key or a token
// is useless. Secrets shorter than this are redacted whole only.
const secretFragment = 10

// encodedForms is secret and the encodings a server might echo it in:
// base64 (standard and URL alphabets, any alignment inside a longer
// encoded string) and hex.
func encodedForms(secret string) []string {
	forms := []string{secret, hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))}
	for shift := range 3 {
		if shift >= len(secret) {
			break
		}
		b := []byte(secret[shift:])
		forms = append(forms, base64.StdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b))
	}
	return forms
}

// redactFragments replaces every run of s made of overlapping windows of
// secretFragment bytes that are in windows with "***".
func redactFragments(s string, windows map[string]struct{}) string {
	if len(s) < secretFragment || len(windows) == 0 {
		return s
	}
	hit := make([]bool, len(s))
	found := false
	for i := 0; i+secretFragment <= len(s); i++ {
		if _, ok := windows[s[i:i+secretFragment]]; ok {
			for j := i; j < i+secretFragment; j++ {
				hit[j] = true
			}
			found = true
		}
	}
	if !found {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !hit[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(redacted)
		for i < len(s) && hit[i] {
			i++
		}
	}
	return b.String()
}

// jsonEscaped is s as it appears inside a JSON string, with or without
// HTML escaping (<, >, & as \u003c…), as different servers write it.
func jsonEscaped(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		return ""
	}
	out := strings.TrimSuffix(b.String(), "\n")
	return strings.TrimSuffix(strings.TrimPrefix(out, `"`), `"`)
}

// cleanText turns control characters and runs of whitespace into single
// spaces and drops invisible formatting characters (such as bidirectional
// overrides that could disguise a log line).
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.IsControl(r) || unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.Is(unicode.Cf, r):
			// dropped
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// truncateMiddle cuts s to at most n bytes on rune boundaries, keeping its
// start and its end with "…" between them: an account id that an issuer's
// prefix makes alike at the start stays identifiable by its end.
func truncateMiddle(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	room := n - len(ellipsis)
	head, tail := room-room/2, len(s)-room/2
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	for tail < len(s) && !utf8.RuneStart(s[tail]) {
		tail++
	}
	return s[:head] + ellipsis + s[tail:]
}

// cutMark ends text truncate or serverText cut.
const cutMark = "…"

// truncate cuts s to at most n bytes on a rune boundary, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len(cutMark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + cutMark
}
