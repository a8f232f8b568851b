package api

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/dstor-uploader/dstor-uploader/internal/envkey"
	"golang.org/x/net/idna"
)

// Environment is the set of dStor URLs a client talks to. Every URL is
// configurable because the upload host in dStor's guide is elided and the
// local sandbox runs on a loopback port.
type Environment struct {
	Name       string // "production", "testnet", "custom", … (for display)
	APIBase    string // token endpoints live under it: <APIBase>/v1/dev/temp-token
	UploadURL  string // where files are POSTed (IPFS add): <APIBase>/api/v0/add by default
	GatewayURL string // shareable links are GatewayURL + hash; ends with "/"
}

// Production is dStor's public service.
var Production = Environment{
	Name:       "production",
	APIBase:    "https://api.dstor.cloud",
	UploadURL:  "https://api.dstor.cloud/api/v0/add",
	GatewayURL: "https://api.dstor.cloud/ipfs/",
}

// Testnet is dStor's test service, for trying the app without touching
// production data.
var Testnet = Environment{
	Name:       "testnet",
	APIBase:    "https://api.testnet.dstor.cloud",
	UploadURL:  "https://api.testnet.dstor.cloud/api/v0/add",
	GatewayURL: "https://api.testnet.dstor.cloud/ipfs/",
}

// CustomEnvironment derives an environment from one base URL (such as the
// local sandbox's http://127.0.0.1:8787), with the upload and gateway URLs
// at their documented paths. The base URL is taken in the form its
// environment is keyed by (envkey.Normal: surrounding spaces and trailing
// slashes dropped, scheme and host in lower case, a default port dropped),
// so every spelling of one server makes the same environment. The result
// is validated (see Environment.Validate).
func CustomEnvironment(apiBase string) (Environment, error) {
	base := envkey.Normal(apiBase)
	if base == "" {
		return Environment{}, &ValidationError{Field: "api base", Problem: ProblemEmpty,
			Message: "enter the dStor API base URL, for example https://api.dstor.cloud"}
	}
	env := Environment{
		Name:       "custom",
		APIBase:    base,
		UploadURL:  base + "/api/v0/add",
		GatewayURL: base + "/ipfs/",
	}
	if err := env.Validate(); err != nil {
		return Environment{}, err
	}
	return env, nil
}

// ParseEnvironment reads an environment as a person or a flag gives it:
// "production" or "testnet" (any case), or a base URL for a custom one.
func ParseEnvironment(s string) (Environment, error) {
	v := strings.TrimSpace(s)
	switch strings.ToLower(v) {
	case "production":
		return Production, nil
	case "testnet":
		return Testnet, nil
	case "":
		return Environment{}, &ValidationError{Field: "environment",
			Message: "choose an environment: production, testnet, or a base URL such as https://api.dstor.cloud"}
	}
	if strings.Contains(v, "://") {
		return CustomEnvironment(v)
	}
	// A value with a dot or a colon is not repeated either: a password
	// pasted in the wrong place may have one.
	if scheme := schemeHint(v); scheme != "" {
		return Environment{}, &ValidationError{Field: "environment",
			Message: "unknown environment — a base URL starts with its scheme: write " + scheme + " before the address"}
	}
	return Environment{}, &ValidationError{Field: "environment",
		Message: "unknown environment " + quoteEnvironmentName(v) +
			" — use production, testnet, or a base URL such as http://127.0.0.1:8787"}
}

// quoteEnvironmentName is v quoted when it is written as an environment's
// name is (letters and dashes, at most 20: "staging"), else a note that
// it is not repeated: an API key given as --env's value ('login --env
// KEY') was repeated whole in the error, which a terminal's scrollback and
// a CI job's log keep.
func quoteEnvironmentName(v string) string {
	if len(v) > 20 {
		return "(not repeated here, as it may be a secret)"
	}
	for _, r := range v {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '-' {
			return "(not repeated here, as it may be a secret)"
		}
	}
	return quoteShort(v)
}

// schemeHint is the scheme v most likely lacks ("127.0.0.1:8787" →
// "http://", "dstor.example.com" → "https://"), or "" when v does not look
// like a host.
func schemeHint(v string) string {
	if !strings.ContainsAny(v, ".:") || strings.ContainsAny(v, " \t") {
		return ""
	}
	u, err := url.Parse("http://" + v)
	if err != nil || !hostLike(u.Hostname()) {
		return ""
	}
	if IsLoopbackHost(u.Hostname()) {
		return "http://"
	}
	return "https://"
}

// hostLike reports whether h could name a host as a person writes one:
// a host name (isHostName) of letters, digits and dashes, or an IP address.
func hostLike(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	return isHostName(h) && strings.Trim(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == ""
}

// isHostName reports whether h, a URL's host without its port, can name a
// server: an IP address, or a name whose dot-separated labels DNS allows
// (1 to 63 bytes each, 253 in all, as DNS writes them: a name in another
// script as xn--…, which is how the HTTP client looks it up; a trailing
// dot, the root's, not counted) and that is not a token (a JWT: three
// parts, the first two JSON objects in base64, so each starting "eyJ", in
// any case: a base URL's host is kept in lower case; a host name may
// start so, eyjafjallajokull-tours.example.com). An API key (64
// characters) or a token pasted after https:// is not one, so it is never
// looked up nor repeated in a message (IsServerURL).
func isHostName(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	ascii, err := idna.Punycode.ToASCII(strings.TrimSuffix(h, "."))
	if err != nil || len(ascii) > 253 || isToken(ascii) {
		return false
	}
	for _, label := range strings.Split(ascii, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
	}
	return true
}

// isToken reports whether h, dot-separated, is written as a JWT is: three
// parts, the first two (its header and its claims, JSON objects in
// base64) starting "eyJ", in any case.
func isToken(h string) bool {
	parts := strings.Split(strings.ToLower(h), ".")
	return len(parts) == 3 && strings.HasPrefix(parts[0], "eyj") && strings.HasPrefix(parts[1], "eyj")
}

// maxSchemeLen is the longest scheme of a URL that is repeated in a
// message or kept: the schemes a person writes for an address (https,
// ftp, a typo of them) are short, while an API key or a token pasted
// before "://" parses as a scheme (letters and digits) and is neither.
const maxSchemeLen = 10

// IsServerURL reports whether u is written as a server's URL: a scheme
// of at most maxSchemeLen bytes and a host name (isHostName). Text that
// is not may be a secret pasted into a URL field (KEY, https://KEY,
// KEY://host), so it is not repeated (namedURL). Exported for the window,
// which keeps a Custom URL in its data folder's settings only when it is
// one.
func IsServerURL(u *url.URL) bool {
	return u.Scheme != "" && len(u.Scheme) <= maxSchemeLen && isHostName(u.Hostname())
}

// namedURL is what a message may repeat of raw, a URL a person gave: its
// scheme, host and port, which is what the person recognises; of its path
// only the words a path is written in (namedPath); "?…" or "#…" for a
// query or fragment (withoutQuery); all cut to a readable length. It is
// "" unless raw is a server's URL (IsServerURL) without a user name or
// password. What it leaves out may be a secret pasted into the wrong
// field (an API key, a token, a password). The one rule for every refusal
// of a URL, in the command line's English and in the window's Detail.
func namedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || !IsServerURL(u) {
		return ""
	}
	named := withoutQuery(raw)
	cut := strings.IndexAny(named, "?#")
	if cut < 0 {
		cut = len(named)
	}
	host := strings.Index(named, "://") + len("://")
	if slash := strings.IndexByte(named[host:cut], '/'); slash >= 0 {
		path := host + slash
		named = named[:path] + namedPath(named[path:cut]) + named[cut:]
	}
	return truncate(cleanText(named), 80)
}

// maxNamedSegment is the longest segment of a URL's path that a message
// repeats: a path's words ("v1", "ipfs", "upload") are short, an API key
// (64 characters) or a token pasted into a path is not.
const maxNamedSegment = 16

// namedPath is the path p of a URL ("/v1/KEY") as a message may name it
// ("/v1/…"): each segment written as a path's word is (up to
// maxNamedSegment bytes of lower-case ASCII letters, digits, '-', '_' and
// '.'), any other, which may be a secret, is "…".
func namedPath(p string) string {
	segments := strings.Split(p, "/")
	for i, s := range segments {
		if len(s) > maxNamedSegment || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
			segments[i] = "…"
		}
	}
	return strings.Join(segments, "/")
}

// Validate checks that every URL parses, has a host and no user name or
// password, and uses https — or http only for a loopback host, since over
// anything else the API key, password and token would cross the network in
// clear text.
func (e Environment) Validate() error {
	for _, u := range []struct{ label, field, value string }{
		{"API base URL", "api base", e.APIBase},
		{"upload URL", "upload url", e.UploadURL},
		{"gateway URL", "gateway url", e.GatewayURL},
	} {
		if err := validateServiceURL(u.label, u.field, u.value); err != nil {
			return err
		}
	}
	return nil
}

// validateServiceURL is Validate for one URL. Its messages repeat it only
// as namedURL allows.
func validateServiceURL(label, field, raw string) error {
	named := namedURL(raw)
	fail := func(p Problem, msg string) error {
		return &ValidationError{Field: field, Problem: p, Message: msg, Detail: named}
	}
	the := "the " + label
	if named != "" {
		the += ` "` + named + `"`
	}
	if strings.TrimSpace(raw) == "" {
		return fail(ProblemEmpty, "the "+label+" is empty — set it, or choose production or testnet")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fail(ProblemNotURL, "the "+label+" is not a valid URL — write it like https://api.dstor.cloud")
	}
	if u.User != nil {
		return fail(ProblemUserInfo, "the "+label+" must not contain a user name or password — credentials go in the sign-in form, never in a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fail(ProblemScheme, the+" must start with https://")
	}
	if u.Hostname() == "" {
		return fail(ProblemNoHost, the+" has no host name")
	}
	if !isHostName(u.Hostname()) {
		return fail(ProblemNotURL, "the "+label+" is not a valid URL: its host name cannot be a server's — write it like https://api.dstor.cloud")
	}
	if u.Scheme == "http" && !IsLoopbackHost(u.Hostname()) {
		return fail(ProblemCleartext, the+" uses http://, so the API key, password and token would cross the network in clear text"+
			cleartextAdvice(u))
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fail(ProblemQuery, the+" must not have a query (?…) or fragment (#…)")
	}
	return nil
}

// cleartextAdvice ends the refusal of u, an http:// URL to a host that may
// leave this computer, with what to type instead (LocalhostMeant).
func cleartextAdvice(u *url.URL) string {
	meant, ok := LocalhostMeant(u.String())
	if !ok {
		return " — use https://, or http:// only for this computer (127.0.0.1, ::1 or localhost)"
	}
	return ` — "localhost." (with its final dot) is looked up in DNS, which may name another computer: write ` + meant + ", without the dot"
}

// LocalhostMeant is what to type for raw, an http:// URL whose host is
// localhost written with its final dot ("localhost.", RFC 6761's fully
// qualified name, any case): http://localhost with raw's port, and true;
// false for any other URL. IsLoopbackHost does not take "localhost.": Go's
// resolver (pure and cgo) asks the network's DNS server for it, as its
// hosts-file lookup keys "localhost" without the dot, and Windows'
// getaddrinfo answers only "localhost" itself with this computer. The
// refusal's sentence, the command line's and the window's, offers it.
func LocalhostMeant(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || !strings.EqualFold(u.Hostname(), "localhost.") {
		return "", false
	}
	meant := "http://localhost"
	if port := u.Port(); port != "" {
		meant += ":" + port
	}
	return meant, true
}

// IsLoopbackHost reports whether host never leaves this machine: localhost,
// 127.0.0.0/8 or ::1. It is the one test of "this computer" for what may
// use clear-text http://, where the sandbox may listen, and which Host
// and Origin it answers. "localhost." is not (LocalhostMeant says why).
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	addr, err := netip.ParseAddr(host)
	return err == nil && addr.IsLoopback()
}

// Host is the API host (with its port, if any), for messages such as
// "cannot reach api.dstor.cloud".
func (e Environment) Host() string {
	u, err := url.Parse(e.APIBase)
	if err != nil {
		return ""
	}
	return u.Host
}

// withoutQuery is the URL raw up to its query or fragment, "?…" or "#…"
// in its place: what a message may name of it.
func withoutQuery(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i+1] + "…"
	}
	return raw
}

// quoteShort quotes user input for a message, cut to a readable length.
func quoteShort(s string) string {
	return `"` + truncate(cleanText(s), 80) + `"`
}
