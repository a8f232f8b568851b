package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLoginDoesNotRepeatASecretGivenAsAnArgument: a key or password typed
// after login (as other tools take them) was refused, exit 2, with
// 'unexpected argument "<the key>"; secrets are read from standard input',
// so the error output, which a CI job keeps in its log, carried the secret
// whole. The refusal now says why without repeating the argument.
func TestLoginDoesNotRepeatASecretGivenAsAnArgument(t *testing.T) {
	key := strings.Repeat("K3yK3y", 11)
	for _, args := range [][]string{
		{"login", "--env", "http://127.0.0.1:9", "--api-key-stdin", key},
		{"login", "--env", "http://127.0.0.1:9", "--email", "me@example.com", "--password-stdin", key},
		{"login", key},
	} {
		code, out, errOut := runCLI(t, "", args...)
		assert.Equal(t, 2, code, "%q", args)
		assert.Contains(t, errOut, "secrets are read from standard input, never from arguments", "%q", args)
		assert.NotContains(t, out+errOut, key[:10], "%q: the secret is not repeated", args)
	}
}
