// Package envkey is the one place that decides how a dStor server's base
// URL is spelled where environments are keyed: the history's and the
// queue's rows, the settings' accounts, the keyring and the queue locks.
// "HTTP://127.0.0.1:8787/" and "http://127.0.0.1:8787" are one server, so
// they must be one environment, with one queue: two would upload the same
// files twice. dStor's own services are keyed by name (Key), whatever
// spelling of their URL was typed. api keys environments through it
// (api.Environment.Key), and storage reads rows and settings stored before
// it through it.
// Imports nothing of the project.
package envkey

import (
	"strings"
	"unicode"
)

// named are the services keyed by name, not by URL, by their base URL in
// normal form: dStor's production and testnet (api.Production and
// api.Testnet, whose keys api's tests check against these).
var named = map[string]string{
	"https://api.dstor.cloud":         "production",
	"https://api.testnet.dstor.cloud": "testnet",
}

// Key is the environment base URL s is keyed by: "production" or
// "testnet" for any spelling of dStor's own services' URLs
// ("HTTPS://API.dstor.cloud:443/"), else s in normal form (Normal). A
// name ("production", "sandbox") stays as it is, without surrounding
// spaces and trailing slashes.
func Key(s string) string {
	n := Normal(s)
	if name, ok := named[n]; ok {
		return name
	}
	return n
}

// Normal is base URL s as environments are keyed: surrounding spaces and
// trailing slashes (and spaces among them) dropped, the scheme and the
// host in lower case, and the scheme's default port (80 for http, 443 for
// https) dropped; the rest (a path, which servers may tell apart by case)
// as written. A string without a scheme ("production", "sandbox") loses
// only its spaces and trailing slashes.
func Normal(s string) string {
	s = strings.TrimSpace(s)
	i := strings.Index(s, "://")
	if i <= 0 {
		return trimEnd(s)
	}
	scheme := strings.ToLower(s[:i])
	// The slashes of "https://" are not a trailing slash: a scheme alone
	// stays one, for its validation to say that the host is missing.
	rest := trimEnd(s[i+len("://"):])
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	user := ""
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		user, authority = authority[:at+1], authority[at+1:]
	}
	host, port := authority, ""
	if colon := strings.LastIndexByte(authority, ':'); colon >= 0 && !strings.Contains(authority[colon:], "]") {
		host, port = authority[:colon], authority[colon+1:]
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	out := scheme + "://" + user + strings.ToLower(host)
	if port != "" {
		out += ":" + port
	}
	return out + tail
}

// trimEnd drops the trailing slashes of s, and the spaces among and before
// them ("http://127.0.0.1:8787 / " as typed).
func trimEnd(s string) string {
	return strings.TrimRightFunc(s, func(r rune) bool { return r == '/' || unicode.IsSpace(r) })
}
