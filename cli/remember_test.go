package cli

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLoginWithoutRememberWhenTheKeyringKeepsThePassword: a password kept
// by login --remember, then a login without --remember whose keyring
// refuses to delete it (a locked item). The login is kept and says the
// password stays in the keyring and what to do; the password signs in to
// nothing after it (the token expired, a run says to log in), and a run
// where the keyring deletes removes it.
func TestLoginWithoutRememberWhenTheKeyringKeepsThePassword(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	fake := testutil.NewKeyring()
	secrets := fake.Store()
	require.True(t, secrets.Persistent(), secrets.Reason())
	withSecrets(t, secrets)
	envKey := sb.Env.Key()
	login := []string{"login", "--env", sb.URL, "--email", testutil.SandboxEmail, "--password-stdin"}

	code, _, errOut := runCLI(t, testutil.SandboxPassword+"\n", append(login, "--remember")...)
	require.Equal(t, 0, code, errOut)
	fake.Fail(func(op testutil.KeyringOp, user, _ string) error {
		if op == testutil.KeyringDelete && strings.Contains(user, "|password") {
			return errors.New("the item is locked")
		}
		return nil
	})
	code, out, errOut := runCLI(t, testutil.SandboxPassword+"\n", login...)
	assert.Equal(t, 0, code, "signed in, its token kept: %s%s", out, errOut)
	assert.Contains(t, out, "Signed in")
	assert.Contains(t, errOut, "did not delete the password")
	assert.Contains(t, errOut, "the item is locked", "why")
	assert.Contains(t, errOut, "not used")
	assert.NotContains(t, out+errOut, testutil.SandboxPassword)
	_, err := secrets.Get(envKey, testutil.SandboxEmail, storage.SecretPassword)
	require.NoError(t, err, "the keyring still holds it")

	// Its token expired: the password left in the keyring does not sign in.
	payload := fmt.Sprintf(`{"sub":%q,"exp":%d}`, sb.Acc.ID, time.Now().Add(-time.Hour).Unix())
	require.NoError(t, secrets.Set(envKey, testutil.SandboxEmail, storage.SecretToken,
		"e30."+base64.RawURLEncoding.EncodeToString([]byte(payload))+".c2ln"))
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "has expired")
	assert.Contains(t, errOut, "dstor-uploader login --env")
	assert.Zero(t, sb.Uploads())

	fake.Fail(nil)
	code, _, _ = runCLI(t, "", "upload", "--env", sb.URL, f)
	assert.Equal(t, 1, code)
	_, err = secrets.Get(envKey, testutil.SandboxEmail, storage.SecretPassword)
	assert.ErrorIs(t, err, storage.ErrSecretNotFound, "deleted once the keyring lets it go")
}
