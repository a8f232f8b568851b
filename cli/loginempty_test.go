package cli

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLoginOfNothingPipedSaysHowToPipeIt: login with standard input
// that is no terminal and brings no secret (`login < /dev/null`, an
// empty line) ends 1 with a sentence that says how to pipe the secret
// in, and keeps nothing: no remembered account, nothing in the keyring.
func TestLoginOfNothingPipedSaysHowToPipeIt(t *testing.T) {
	for _, stdin := range []string{"", "\n", "\r\n"} {
		t.Run(stdin, func(t *testing.T) {
			sb, _ := signedOutSandbox(t)
			keyring := testutil.NewKeyring()
			var wrote atomic.Int32
			keyring.Fail(func(op testutil.KeyringOp, user, _ string) error {
				for _, kind := range []storage.SecretKind{storage.SecretAPIKey, storage.SecretPassword, storage.SecretToken} {
					if op == testutil.KeyringSet && strings.HasSuffix(user, "|"+string(kind)) {
						wrote.Add(1)
					}
				}
				return nil
			})
			withSecrets(t, storage.NewSecretStoreOn(keyring.Funcs(), time.Minute))
			for _, way := range [][]string{{"--api-key-stdin"}, {"--email", "me@example.com", "--password-stdin"}} {
				args := append([]string{"login", "--env", sb.URL}, way...)
				code, out, errOut := runCLI(t, stdin, args...)
				assert.Equal(t, 1, code, "%q: %s", way, errOut)
				assert.Empty(t, out, "%q", way)
				assert.Contains(t, errOut, "nothing on standard input: pipe the secret in", "%q", way)
			}
			c, out, logoutErr := runCLI(t, "", "logout", "--env", sb.URL)
			require.Equal(t, 0, c, logoutErr)
			assert.Contains(t, out, "No account was signed in")
			assert.Zero(t, wrote.Load(), "the keyring was given secrets of a login that read none")
		})
	}
}
