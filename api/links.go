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

// FormatLink is the shareable link of hash in a style. gateway is the
// gateway to use for LinkGateway: an environment's GatewayURL (ending in
// /ipfs/), or a person's override — a bare host ("https://ipfs.io") gets the
// usual /ipfs/ path, a URL with a path is used as the prefix. With no
// gateway known, the link is ipfs://.
func FormatLink(style, gateway, hash string) string {
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
