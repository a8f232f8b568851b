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
		assert.Equal(t, tt.want, FormatLink(tt.style, tt.gateway, cid), "%s %s", tt.style, tt.gateway)
	}
}
