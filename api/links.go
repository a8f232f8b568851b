package api

import (
	"net/url"
	"strings"
)

// SandboxKey names the window's built-in Local sandbox wherever accounts,
// secrets and history are filed: its port changes every run, so its URL
// cannot name it.
const SandboxKey = "sandbox"

// Key names the environment in the keyring, the history and the settings,
// the same way in the window and on the command line: production and
// testnet by name, the Local sandbox by SandboxKey, any other by its API base.
func (e Environment) Key() string {
	switch {
	case e.Name == SandboxKey:
		return SandboxKey
	case e.APIBase == Production.APIBase:
		return "production"
	case e.APIBase == Testnet.APIBase:
		return "testnet"
	}
	return e.APIBase
}

// The link styles a person can choose for copied links (the same strings as
// storage's settings).
const (
	LinkGateway = "gateway" // https://<gateway>/ipfs/<cid>: opens in any browser
	LinkIPFS    = "ipfs"    // ipfs://<cid>: for IPFS-aware tools
	LinkCID     = "cid"     // the bare CID
)

// Links makes the shareable links of uploads — the one place the window
// and the command line build them: in the style a person chose, on the
// gateway of the environment each file was uploaded to.
type Links struct {
	// Style is LinkGateway (also for ""), LinkIPFS or LinkCID.
	Style string
	// Override is a gateway that replaces every environment's: a bare
	// host ("https://ipfs.io") gets the usual /ipfs/ path, a URL with a
	// path is used as the prefix.
	Override string
	// Gateways are the gateways of environments their key alone does not
	// tell: a custom environment signed in to with its own gateway URL,
	// the Local sandbox of this run.
	Gateways map[string]string
}

// Gateway is the gateway for uploads to the environment named envKey
// (Environment.Key): the override, else a known one, else the one the key
// names; "" when none is known (the Local sandbox of another run).
func (l Links) Gateway(envKey string) string {
	if l.Override != "" {
		return l.Override
	}
	if g, ok := l.Gateways[envKey]; ok {
		return g
	}
	if envKey == SandboxKey {
		return ""
	}
	env, err := ParseEnvironment(envKey)
	if err != nil {
		return ""
	}
	return env.GatewayURL
}

// Link is the link of hash, uploaded to envKey, in the chosen style; with
// no gateway known it is ipfs://.
func (l Links) Link(envKey, hash string) string {
	return formatLink(l.Style, l.Gateway(envKey), hash)
}

// GatewayLink is the https link of hash whatever the style (what "Open in
// browser" opens); with no gateway known it is ipfs://.
func (l Links) GatewayLink(envKey, hash string) string {
	return formatLink(LinkGateway, l.Gateway(envKey), hash)
}

// formatLink is the link of hash in style on gateway.
func formatLink(style, gateway, hash string) string {
	if gateway == "" && style != LinkCID {
		style = LinkIPFS
	}
	switch style {
	case LinkIPFS:
		return "ipfs://" + hash
	case LinkCID:
		return hash
	}
	g := strings.TrimRight(gateway, "/")
	if u, err := url.Parse(gateway); err == nil && (u.Path == "" || u.Path == "/") {
		g += "/ipfs"
	}
	return g + "/" + url.PathEscape(hash)
}
