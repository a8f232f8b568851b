package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLogoutKilledAtEachStepIsFinishedByTheNext: logout ended by what
// it cannot hold off (kill -9, a crash, the power) at each of its steps
// for an account, as that step leaves the keyring and the settings.
// upload run then says what is so (signed in with what is left, or
// told to sign in again, never an account signed in with nothing behind
// it said as a keyring failure), and the next logout finishes the job
// and says so: the account signed out, nothing left in the keyring, none
// remembered.
func TestLogoutKilledAtEachStepIsFinishedByTheNext(t *testing.T) {
	const env, account = "http://127.0.0.1:9", "first@example.com"
	all := []storage.SecretKind{storage.SecretToken, storage.SecretPassword}
	for _, tc := range []struct {
		name       string
		left       []storage.SecretKind // in the keyring after the kill
		remembered bool                 // in the settings after the kill
		uploadSays string               // upload's sentence in that state ("" when it signs in)
		logoutSays string
	}{
		{"before the keyring delete", all, true, "", "Signed out " + account + " from " + env + "."},
		{"between the token's delete and the password's", []storage.SecretKind{storage.SecretPassword}, true, "", "Signed out " + account + " from " + env + "."},
		{"between the keyring delete and the settings write", nil, true,
			"the keyring holds no sign-in of " + account + " on " + env + `: run "dstor-uploader login`, "Signed out " + account + " from " + env + "."},
		{"after the settings write", nil, false, "", "No account was signed in to " + env + "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv(storage.HomeEnv, home)
			t.Setenv(APIKeyEnv, "")
			secrets := testutil.NewKeyring().Store()
			withSecrets(t, secrets)
			if tc.remembered {
				rememberAccounts(t, home, env, account)
			}
			for _, kind := range tc.left {
				require.NoError(t, secrets.Set(env, account, kind, string(kind)+" of "+account))
			}

			if tc.uploadSays != "" {
				f := filepath.Join(t.TempDir(), "a.txt")
				require.NoError(t, os.WriteFile(f, []byte("x"), 0o600))
				code, out, errOut := runCLI(t, "", "upload", "--env", env, f)
				assert.Equal(t, 1, code, out)
				assert.Contains(t, errOut, tc.uploadSays, "what to do, not a keyring failure")
			}

			code, out, errOut := runCLI(t, "", "logout", "--env", env)
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, tc.logoutSays+"\n", out)
			assert.Empty(t, rememberedAccounts(t, home), "none remembered")
			for _, kind := range storage.SecretKinds() {
				_, err := secrets.Get(env, account, kind)
				assert.ErrorIs(t, err, storage.ErrSecretNotFound, "%s left in the keyring", kind)
			}
		})
	}
}
