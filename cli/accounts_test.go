package cli

import (
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestARunNeverUploadsAsAnEarlierAccount: two dStor accounts are signed in
// to one environment, first A (its API key), then B. When B's sign-in no
// longer works (its token expired without a remembered password, its key
// was revoked), a run does not quietly sign in as A instead and upload
// there, into an account the person did not last sign in to: it stops,
// says what became of B's sign-in and what to do, and uploads nothing.
func TestARunNeverUploadsAsAnEarlierAccount(t *testing.T) {
	const emailB, passwordB = "second@example.com", "second-password-123"
	for _, tc := range []struct {
		name  string
		login func(t *testing.T, sb *testutil.Sandbox, b sandbox.Account) (stdin string, args []string)
		lose  func(t *testing.T, sb *testutil.Sandbox, keyB string)
		want  string
	}{
		{"B's token expired", func(t *testing.T, sb *testutil.Sandbox, _ sandbox.Account) (string, []string) {
			return passwordB + "\n", []string{"--email", emailB, "--password-stdin"}
		}, func(t *testing.T, sb *testutil.Sandbox, _ string) {
			// The token login kept, as it is once its hour is over.
			payload := fmt.Sprintf(`{"sub":%q,"exp":%d}`, emailB, time.Now().Add(-time.Hour).Unix())
			expired := "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
			secrets := storage.NewSecretStore(storage.DefaultKeyringTimeout)
			require.NoError(t, secrets.Set(sb.Env.Key(), emailB, storage.SecretToken, expired))
		}, "the sign-in of " + emailB + " on"},
		{"B's key revoked", func(t *testing.T, sb *testutil.Sandbox, b sandbox.Account) (string, []string) {
			key, err := sb.Srv.CreateAPIKey(b.ID, time.Time{})
			require.NoError(t, err)
			return key + "\n", []string{"--api-key-stdin"}
		}, func(t *testing.T, sb *testutil.Sandbox, keyB string) {
			require.NoError(t, sb.Srv.RevokeAPIKey(keyB))
		}, "then sign in with it: \"dstor-uploader login --env "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireKeyring(t)
			sb := testutil.StartSandbox(t, sandbox.Config{})
			t.Setenv(storage.HomeEnv, t.TempDir())
			t.Setenv(APIKeyEnv, "")
			b, err := sb.Srv.CreateAccount(emailB, passwordB)
			require.NoError(t, err)

			code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
			require.Equal(t, 0, code, errOut)
			t.Cleanup(func() { runCLI(t, "", "logout", "--env", sb.URL) })
			stdin, args := tc.login(t, sb, b)
			code, _, errOut = runCLI(t, stdin, append([]string{"login", "--env", sb.URL}, args...)...)
			require.Equal(t, 0, code, errOut)
			tc.lose(t, sb, stdin[:len(stdin)-1])

			f := makeFiles(t, t.TempDir(), 1, func(int) int { return 2000 })[0]
			code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.Contains(t, errOut, sb.URL, "the environment to sign in to")
			assert.Empty(t, sb.Srv.Uploads(sb.Acc.ID), "nothing uploaded as A")
			assert.Empty(t, sb.Srv.Uploads(b.ID), "nor as B")
		})
	}
}
