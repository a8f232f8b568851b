package api

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnvironmentKey(t *testing.T) {
	custom, err := CustomEnvironment("http://127.0.0.1:8787/")
	require.NoError(t, err)
	sandbox := custom
	sandbox.Name = SandboxKey
	assert.Equal(t, "production", Production.Key())
	assert.Equal(t, "testnet", Testnet.Key())
	assert.Equal(t, "http://127.0.0.1:8787", custom.Key())
	assert.Equal(t, SandboxKey, sandbox.Key())
	for _, env := range []Environment{Production, Testnet, custom} {
		back, err := ParseEnvironment(env.Key())
		require.NoError(t, err)
		assert.Equal(t, env.APIBase, back.APIBase, "a key parses back to its environment")
	}
}

func TestFormatLink(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	tests := []struct {
		style, gateway, want string
	}{
		{LinkGateway, Production.GatewayURL, "https://api.dstor.cloud/ipfs/" + cid},
		{"", Production.GatewayURL, "https://api.dstor.cloud/ipfs/" + cid},
		{LinkGateway, "https://ipfs.io", "https://ipfs.io/ipfs/" + cid},
		{LinkGateway, "https://ipfs.io/", "https://ipfs.io/ipfs/" + cid},
		{LinkGateway, "https://gw.example/content", "https://gw.example/content/" + cid},
		{LinkIPFS, Production.GatewayURL, "ipfs://" + cid},
		{LinkCID, Production.GatewayURL, cid},
		{LinkGateway, "", "ipfs://" + cid},
		{LinkCID, "", cid},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatLink(tt.style, tt.gateway, cid), "%s %s", tt.style, tt.gateway)
	}
}

func TestLinksGateway(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	custom, err := CustomEnvironment("http://127.0.0.1:8787")
	require.NoError(t, err)
	custom.GatewayURL = "http://127.0.0.1:9999/ipfs/"
	l := Links{Gateways: map[string]string{custom.Key(): custom.GatewayURL, SandboxKey: "http://127.0.0.1:41234"}}
	tests := []struct {
		name, envKey, want string
	}{
		{"production by its key", "production", "https://api.dstor.cloud/ipfs/" + cid},
		{"testnet by its key", "testnet", "https://api.testnet.dstor.cloud/ipfs/" + cid},
		{"a custom environment with its own gateway", custom.Key(), "http://127.0.0.1:9999/ipfs/" + cid},
		{"a custom environment by its base", "http://127.0.0.1:7000", "http://127.0.0.1:7000/ipfs/" + cid},
		{"the Local sandbox of this run", SandboxKey, "http://127.0.0.1:41234/ipfs/" + cid},
		{"no key", "", "ipfs://" + cid},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, l.Link(tt.envKey, cid), tt.name)
	}
	assert.Equal(t, "ipfs://"+cid, Links{}.Link(SandboxKey, cid), "the Local sandbox of another run")
	assert.Equal(t, cid, Links{Style: LinkCID}.Link("production", cid))
	over := Links{Style: LinkIPFS, Override: "https://ipfs.io"}
	assert.Equal(t, "ipfs://"+cid, over.Link("production", cid))
	assert.Equal(t, "https://ipfs.io/ipfs/"+cid, over.GatewayLink(SandboxKey, cid), "the override wins, also for the sandbox")
}
