package envkey

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormal(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://127.0.0.1:8787", "http://127.0.0.1:8787"},
		{"HTTP://127.0.0.1:8787", "http://127.0.0.1:8787"},
		{"http://127.0.0.1:8787/", "http://127.0.0.1:8787"},
		{" Http://127.0.0.1:8787// ", "http://127.0.0.1:8787"},
		{"http://LocalHost:8787", "http://localhost:8787"},
		{"http://localhost:80", "http://localhost"},
		{"http://localhost:80/", "http://localhost"},
		{"http://localhost:", "http://localhost"},
		{"http://localhost:443", "http://localhost:443"},
		{"https://Dstor.Example.COM:443", "https://dstor.example.com"},
		{"HTTPS://dstor.example.com:443/", "https://dstor.example.com"},
		{"https://dstor.example.com:80", "https://dstor.example.com:80"},
		{"https://dstor.example.com:8443/", "https://dstor.example.com:8443"},
		{"https://Dstor.example.com/Base/Path/", "https://dstor.example.com/Base/Path"},
		{"https://dstor.example.com:443/v1?x=Y", "https://dstor.example.com/v1?x=Y"},
		{"http://[::1]:8787", "http://[::1]:8787"},
		{"http://[::1]:80/", "http://[::1]"},
		{"http://[::1]", "http://[::1]"},
		{"http://[FE80::1]:8787", "http://[fe80::1]:8787"},
		{"http://User@Host:80", "http://User@host"},
		{"production", "production"},
		{"sandbox", "sandbox"},
		{" testnet/ ", "testnet"},
		{"", ""},
		{"://x", "://x"},
		// What a person types around it: spaces between the slashes, a
		// scheme alone (its slashes are not a trailing slash to drop).
		{" http://127.0.0.1:8787 / ", "http://127.0.0.1:8787"},
		{"http://127.0.0.1:8787/ /", "http://127.0.0.1:8787"},
		{"https://", "https://"},
		{"HTTP:///", "http://"},
		{"production /", "production"},
	} {
		assert.Equal(t, c.want, Normal(c.in), "Normal(%q)", c.in)
		assert.Equal(t, Normal(c.in), Normal(Normal(c.in)), "Normal of its own answer to %q", c.in)
	}
}

func TestKey(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://api.dstor.cloud", "production"},
		{"HTTPS://API.dstor.cloud:443/", "production"},
		{"https://api.testnet.dstor.cloud", "testnet"},
		{" https://API.TESTNET.dstor.cloud// ", "testnet"},
		{"production", "production"},
		{"testnet", "testnet"},
		{"sandbox", "sandbox"},
		{"http://api.dstor.cloud", "http://api.dstor.cloud"},
		{"https://api.dstor.cloud:8443", "https://api.dstor.cloud:8443"},
		{"https://api.dstor.cloud/v2", "https://api.dstor.cloud/v2"},
		{"HTTP://127.0.0.1:8787/", "http://127.0.0.1:8787"},
	} {
		assert.Equal(t, c.want, Key(c.in), "Key(%q)", c.in)
		assert.Equal(t, Key(c.in), Key(Key(c.in)), "Key of its own answer to %q", c.in)
	}
}
