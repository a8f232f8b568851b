package api

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPresetEnvironments(t *testing.T) {
	for _, env := range []Environment{Production, Testnet} {
		t.Run(env.Name, func(t *testing.T) {
			require.NoError(t, env.Validate())
			assert.Equal(t, env.APIBase+"/api/v0/add", env.UploadURL)
			assert.Equal(t, env.APIBase+"/ipfs/", env.GatewayURL)
		})
	}
	assert.Equal(t, "api.dstor.cloud", Production.Host())
	assert.Equal(t, "api.testnet.dstor.cloud", Testnet.Host())
}

func TestCustomEnvironment(t *testing.T) {
	tests := []struct {
		name, in  string
		wantBase  string
		wantHost  string
		wantError string // substring of the message; "" = valid
	}{
		{name: "https host", in: "https://example.com", wantBase: "https://example.com", wantHost: "example.com"},
		{name: "trailing slashes and spaces", in: "  https://example.com/dstor//  ", wantBase: "https://example.com/dstor", wantHost: "example.com"},
		{name: "sandbox on 127.0.0.1", in: "http://127.0.0.1:8787/", wantBase: "http://127.0.0.1:8787", wantHost: "127.0.0.1:8787"},
		{name: "other 127/8 address", in: "http://127.1.2.3", wantBase: "http://127.1.2.3", wantHost: "127.1.2.3"},
		{name: "localhost", in: "http://LocalHost:9000", wantBase: "http://localhost:9000", wantHost: "localhost:9000"},
		{name: "IPv6 loopback", in: "http://[::1]:8787", wantBase: "http://[::1]:8787", wantHost: "[::1]:8787"},
		{name: "http to a LAN host", in: "http://192.168.1.10:8787", wantError: "clear text"},
		{name: "http to a public host", in: "http://api.dstor.cloud", wantError: "use https://, or http:// only for this computer"},
		{name: "localhost look-alike", in: "http://localhost.example.com", wantError: "clear text"},
		{name: "loopback-looking DNS name", in: "http://127.0.0.1.nip.io", wantError: "clear text"},
		{name: "empty", in: "   ", wantError: "enter the dStor API base URL"},
		{name: "other scheme", in: "ftp://example.com", wantError: "must start with https://"},
		{name: "no scheme", in: "example.com://", wantError: "must start with https://"},
		{name: "no host", in: "https://", wantError: "no host name"},
		{name: "credentials in URL", in: "https://me:hunter2@example.com", wantError: "must not contain a user name or password"},
		{name: "query", in: "https://example.com/?x=1", wantError: "must not have a query"},
		{name: "unparseable", in: "https://exa mple.com:port", wantError: "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := CustomEnvironment(tt.in)
			if tt.wantError != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantError)
				assert.NotContains(t, err.Error(), "hunter2")
				var ve *ValidationError
				require.True(t, errors.As(err, &ve))
				assert.NotEmpty(t, ve.Field)
				assert.Equal(t, Environment{}, env)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "custom", env.Name)
			assert.Equal(t, tt.wantBase, env.APIBase)
			assert.Equal(t, tt.wantBase+"/api/v0/add", env.UploadURL)
			assert.Equal(t, tt.wantBase+"/ipfs/", env.GatewayURL)
			assert.Equal(t, tt.wantHost, env.Host())
		})
	}
}

// TestRefusedURLDoesNotRepeatItsQuery: a URL refused as an environment
// was quoted whole, its query and fragment too, where an API key or a
// token pasted with it goes (https://h/?api_key=KEY, https://h/#TOKEN):
// the command line's "--env: the API base URL "…?api_key=KEY" must not
// have a query" put the key in a terminal's scrollback and a CI job's
// log. The URL is named without them, every refusal alike.
func TestRefusedURLDoesNotRepeatItsQuery(t *testing.T) {
	const secret = "S3cr3tK3yS3cr3tK3y"
	for _, tc := range []struct{ in, want, shown string }{
		{"https://example.com/v1?api_key=" + secret, "must not have a query", `"https://example.com/v1?…"`},
		{"https://example.com/#" + secret, "must not have a query", `"https://example.com/#…"`},
		{"https://example.com/?#" + secret, "must not have a query", `"https://example.com/?…"`},
		{"http://example.com/?k=" + secret, "clear text", `"http://example.com/?…"`},
		{"ftp://example.com/?k=" + secret, "must start with https://", `"ftp://example.com/?…"`},
		{"https:///?k=" + secret, "no host name", `the API base URL has no host name`}, // no host, so not named
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := CustomEnvironment(tc.in)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), tc.shown, "the URL is named up to its query")
			assert.NotContains(t, err.Error(), secret[:6])
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.NotContains(t, ve.Detail, secret[:6], "nor in the detail the window quotes")
		})
	}
}

func TestEnvironmentValidateChecksEveryURL(t *testing.T) {
	env := Production
	env.UploadURL = "http://upload.example.com/api/v0/add"
	err := env.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "upload URL")
	assert.Contains(t, err.Error(), "clear text")

	env = Production
	env.GatewayURL = ""
	err = env.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "gateway URL is empty")

	_, err = NewClient(Environment{Name: "broken", APIBase: "http://example.com"}, nil)
	require.Error(t, err, "NewClient validates the environment")
}

func TestParseEnvironment(t *testing.T) {
	tests := []struct {
		in        string
		want      Environment
		wantError string
	}{
		{in: "production", want: Production},
		{in: "PRODUCTION", want: Production},
		{in: " Testnet ", want: Testnet},
		{in: "http://127.0.0.1:8787", want: Environment{Name: "custom", APIBase: "http://127.0.0.1:8787",
			UploadURL: "http://127.0.0.1:8787/api/v0/add", GatewayURL: "http://127.0.0.1:8787/ipfs/"}},
		{in: "staging", wantError: `unknown environment "staging" — use production`},
		{in: "sk1234S3cr3tK3y5678", wantError: "unknown environment (not repeated here, as it may be a secret) — use production"},
		{in: "skS3cr3tK3yS3cr3tK3yS3cr3tK3y", wantError: "unknown environment (not repeated here"},
		// A token (a JWT) has dots, as a host name does, but a part longer
		// than a host name's label may be: no scheme hint for it.
		{in: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhY2N0LTEiLCJleHAiOjE3MDAwMDAwMDAsImlhdCI6MTcwMDAwMDAwMH0.c2lnbmF0dXJl",
			wantError: "unknown environment (not repeated here, as it may be a secret)"},
		{in: "127.0.0.1:18990", wantError: "write http:// before the address"},
		{in: "localhost:8787/", wantError: "write http:// before the address"},
		{in: "dstor.example.com", wantError: "write https:// before the address"},
		{in: "p4ss.w0rd:1", wantError: "write https:// before the address"},
		{in: "", wantError: "choose an environment"},
		{in: "http://example.org", wantError: "clear text"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseEnvironment(tt.in)
			if tt.wantError != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantError)
				if tt.in != "" && tt.in != "staging" && !strings.Contains(tt.in, "://") { // a URL, or a word written as an environment's name, may be named back
					assert.NotContains(t, err.Error(), tt.in, "the value is not repeated: it may be a secret typed in the wrong place")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestSecretInAURLFieldIsNotRepeated: an API key, a token (a JWT) or a
// password pasted into a URL field (the window's Custom URL, --env) was
// repeated whole by the refusal ("the API base URL "KEY" must start with
// https://"), on screen and in a terminal's scrollback; after https:// it
// was taken as a host name, and the command said "cannot reach" the key.
// Text is named back only when it is a URL with a scheme and a host name
// DNS allows, which none of them is; a real URL still is.
func TestSecretInAURLFieldIsNotRepeated(t *testing.T) {
	const key = "Sk7Rt9qWz1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopqr"
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXYifQ.Qm9ndXNTaWduYXR1cmVTZWNyZXRWYWx1ZQ"
	const password = "pW!Secr3t#9.x"
	for _, tc := range []struct {
		in     string
		secret string
		want   Problem
	}{
		{key, key, ProblemScheme},
		{jwt, jwt, ProblemScheme},
		{password, password, ProblemScheme},
		{"ftp://" + key, key, ProblemScheme},
		{"https:" + key, key, ProblemNoHost},
		{"https://" + key, key, ProblemNotURL},
		{"https://" + jwt, jwt, ProblemNotURL},
		{"http://" + key + ":8787", key, ProblemNotURL},
		{"https://" + strings.Repeat("a.", 127) + "example", "", ProblemNotURL}, // 261 bytes: more than DNS allows
		{key + "://api.dstor.cloud", key, ProblemScheme},                        // the key taken for a scheme
		{key + "://" + key, key, ProblemScheme},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := CustomEnvironment(tc.in)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.want, ve.Problem, "%v", err)
			assert.Empty(t, ve.Detail, "the window quotes no detail")
			if tc.secret != "" {
				assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(tc.secret[:10]))
			}
		})
	}
	for in, shown := range map[string]string{
		"ftp://dstor.example":       `the API base URL "ftp://dstor.example" must start with https://`,
		"http://dstor.example:8787": `the API base URL "http://dstor.example:8787" uses http://`,
		"https://bücher.example/?k": `the API base URL "https://bücher.example/?…" must not have a query`,
	} {
		_, err := CustomEnvironment(in)
		require.Error(t, err)
		assert.Contains(t, err.Error(), shown, "a URL is named back")
	}
}

// TestHostNamesDNSAllowsAreTaken: 02e7a12 refused, as "not a valid URL:
// its host name cannot be a server's", a host whose first label began
// "eyj" (taken for a token's), a name in another script whose label is
// more than 63 bytes of UTF-8 but fewer as DNS writes it (xn--…, how the
// HTTP client looks it up), and a 253-byte name written with the root's
// dot. Each is a host DNS allows, so each is taken (and so named back and
// kept); what DNS does not allow is still refused.
func TestHostNamesDNSAllowsAreTaken(t *testing.T) {
	for _, in := range []string{
		"https://eyjafjallajokull-tours.example.com",
		"https://eyjolfsson-photography.example.is",
		"https://" + strings.Repeat("日本語", 8) + ".example", // 72 bytes, xn-- and 35 letters
		"https://" + strings.Repeat("ü", 40) + ".example",  // 80 bytes, xn-- and 42 letters
		"https://" + strings.Repeat("a.", 126) + "b.",      // 253 bytes and the root's dot
		"https://" + strings.Repeat("a", 63) + ".example",
		"https://xn--bcher-kva.example", "https://bücher.example", "https://localhost.", "https://api.dstor.cloud.:8443/v1",
		"https://[fe80::1%25eth0]:8080", "http://[::1%25lo]:8787", "https://my_host.example", "HTTPS://API.DSTOR.CLOUD",
	} {
		_, err := CustomEnvironment(in)
		assert.NoError(t, err, in)
	}
	for _, in := range []string{
		"https://" + strings.Repeat("a", 64) + ".example",
		"https://" + strings.Repeat("ü", 70) + ".example", // xn-- and 72 letters
		"https://" + strings.Repeat("a.", 126) + "bc",     // 254 bytes
		"https://eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXYifQ.c2ln",
		"https://a..example",
	} {
		_, err := CustomEnvironment(in)
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, in) {
			assert.Equal(t, ProblemNotURL, ve.Problem, in)
		}
	}
}

// TestNamedURLKeepsItsHostNotAPastedPath: an API key pasted into a URL's
// path ('upload --env http://example.com/KEY x') was repeated by the
// refusal, "the API base URL "http://example.com/KEY…" uses http://", in
// a terminal's scrollback and a CI job's log: the URL was named whole up
// to its query. A message names its scheme, host and port, which is what
// a person recognises, and of its path only the segments written as a
// path's words are ("v1", "api", "ipfs", "add"); any other is "…".
func TestNamedURLKeepsItsHostNotAPastedPath(t *testing.T) {
	const key = "Sk7Rt9qWz1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefghijklmnopqr"
	const hexKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZXYifQ.Qm9ndXNTaWduYXR1cmVTZWNyZXRWYWx1ZQ"
	for _, tc := range []struct{ in, named string }{
		{"http://example.com/" + key, "http://example.com/…"},
		{"http://example.com/" + hexKey, "http://example.com/…"},
		{"https://example.com/" + jwt, "https://example.com/…"},
		{"https://example.com/v1/" + key + "/ipfs/", "https://example.com/v1/…/ipfs/"},
		{"https://example.com/" + key + "?api_key=x", "https://example.com/…?…"},
		{"https://example.com/" + key + "#x", "https://example.com/…#…"},
		{"https://example.com/S3cr3t", "https://example.com/…"},         // capitals and digits: a secret's letters
		{"https://example.com/%53ecret", "https://example.com/…"},       // escaped
		{"https://example.com/pw!Secr3t", "https://example.com/…"},      // punctuation
		{"https://example.com/" + hexKey[:17], "https://example.com/…"}, // longer than a path's word
		{"https://example.com", "https://example.com"},
		{"https://example.com/", "https://example.com/"},
		{"https://dstor.example:8443/api/v0/add", "https://dstor.example:8443/api/v0/add"},
		{"https://example.com/v1?api_key=x", "https://example.com/v1?…"},
		{"https://example.com/ipfs#x", "https://example.com/ipfs#…"},
		{"http://[::1]:8787/" + key, "http://[::1]:8787/…"},
		{"HTTPS://API.DSTOR.CLOUD", "HTTPS://API.DSTOR.CLOUD"},
		{"https://my-gateway.example/dstor_v2.1/upload", "https://my-gateway.example/dstor_v2.1/upload"},
		{"ftp://" + key, ""},
		{"https://user:" + key + "@example.com", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.named, namedURL(tc.in))
		})
	}
	_, err := CustomEnvironment("http://example.com/" + key)
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), `the API base URL "http://example.com/…" uses http://`)
	assert.NotContains(t, err.Error(), key[:10])
	assert.Equal(t, "http://example.com/…", ve.Detail, "the window's Detail, named as the command line's English")
}

// TestLocalhostWithItsFinalDotIsRefusedSayingWhatToType: `--env
// http://localhost.:8787` (localhost written fully qualified, RFC 6761's
// "localhost.") was refused as "uses http://, … clear text — use
// https://, or http:// only for this computer (127.0.0.1, ::1 or
// localhost)", which reads as if localhost were what it got. It stays
// refused: Go's resolver (pure and cgo, Go 1.26 on Debian, measured
// 2026-12-06) asks the network's DNS server for "localhost." (its
// /etc/hosts lookup keys "localhost" without the dot), and Windows'
// getaddrinfo treats only "localhost" as this computer, so the name
// may lead to another machine, key and password in clear text. The
// sentence now says so and gives the URL to type; every other host's
// refusal is as before.
func TestLocalhostWithItsFinalDotIsRefusedSayingWhatToType(t *testing.T) {
	const dotted = `"localhost." (with its final dot) is looked up in DNS, which may name another computer: write `
	tests := []struct{ in, want, notWant string }{
		{"http://localhost.:8787", dotted + "http://localhost:8787, without the dot", "only for this computer"},
		{"http://LocalHost.:8787/v1", dotted + "http://localhost:8787, without the dot", "only for this computer"},
		{"http://localhost.", dotted + "http://localhost, without the dot", "only for this computer"},
		{"http://localhost.example.:8787", "use https://, or http:// only for this computer (127.0.0.1, ::1 or localhost)", "with its final dot"},
		{"http://localhost.localdomain:8787", "use https://, or http:// only for this computer (127.0.0.1, ::1 or localhost)", "with its final dot"},
		{"http://127.0.0.1.:8787", "use https://, or http:// only for this computer (127.0.0.1, ::1 or localhost)", "with its final dot"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := ParseEnvironment(tt.in)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, ProblemCleartext, ve.Problem)
			assert.Contains(t, err.Error(), "uses http://, so the API key, password and token would cross the network in clear text")
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), tt.notWant)
		})
	}
	for _, host := range []string{"localhost.", "LOCALHOST.", "localhost..", "sub.localhost."} {
		assert.False(t, IsLoopbackHost(host), "%s is looked up in DNS", host)
	}
}
