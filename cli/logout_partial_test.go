package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLogoutThatTheKeyringRefusesPartway: three accounts signed in to one
// environment, and a keyring that refuses to delete the secrets of the
// second. logout removes the two it can and forgets them, keeps the one it
// could not remove remembered (its secrets are still there: a logout
// where the keyring works removes them), names it and says what to do,
// and exits 1. The remembered accounts are then what the keyring holds.
func TestLogoutThatTheKeyringRefusesPartway(t *testing.T) {
	const env = "http://127.0.0.1:9"
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(APIKeyEnv, "")
	fake := testutil.NewKeyring()
	secrets := fake.Store()
	require.True(t, secrets.Persistent(), secrets.Reason())
	withSecrets(t, secrets)

	accounts := []string{"first@example.com", "second@example.com", "third@example.com"}
	rememberAccounts(t, home, env, accounts...)
	for _, a := range accounts {
		require.NoError(t, secrets.Set(env, a, storage.SecretToken, "token-of-"+a))
		require.NoError(t, secrets.Set(env, a, storage.SecretPassword, "password-of-"+a))
	}
	fake.Fail(func(op testutil.KeyringOp, user, _ string) error {
		if op == testutil.KeyringDelete && strings.Contains(user, "|second@example.com|") {
			return errors.New("the item is locked")
		}
		return nil
	})

	code, out, errOut := runCLI(t, "", "logout", "--env", env)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "second@example.com")
	assert.Contains(t, errOut, "the item is locked", "why")
	assert.Contains(t, errOut, "dstor-uploader logout --env "+env, "what to do")
	assert.NotContains(t, errOut, "first@example.com")
	assert.NotContains(t, errOut, "third@example.com")
	assert.Contains(t, out, "Signed out first@example.com")
	assert.Contains(t, out, "Signed out third@example.com")
	assert.NotContains(t, out, "Signed out second@example.com")

	assert.Equal(t, []string{"second@example.com"}, rememberedAccounts(t, home), "what is still remembered, and no more")
	for _, a := range accounts {
		_, err := secrets.Get(env, a, storage.SecretPassword)
		if a == "second@example.com" {
			assert.NoError(t, err, "still in the keyring")
		} else {
			assert.ErrorIs(t, err, storage.ErrSecretNotFound, a)
		}
	}

	// What it says works, once the keyring deletes.
	fake.Fail(nil)
	code, out, errOut = runCLI(t, "", "logout", "--env", env)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Signed out second@example.com")
	_, err := secrets.Get(env, "second@example.com", storage.SecretPassword)
	assert.ErrorIs(t, err, storage.ErrSecretNotFound)
}

// rememberAccounts has the data folder home remember accounts, signed in
// to env by password, env the environment signed in to last.
func rememberAccounts(t *testing.T, home, env string, accounts ...string) {
	t.Helper()
	db, err := storage.Open(home)
	require.NoError(t, err)
	_, err = db.UpdateSettings(func(s storage.Settings) storage.Settings {
		for _, a := range accounts {
			s = s.WithRememberedAccount(storage.RememberedAccount{Env: env, Account: a, Method: storage.MethodPassword})
		}
		s.LastEnv = env
		return s
	})
	require.NoError(t, err)
	require.NoError(t, db.Close())
}

// rememberedAccounts are the accounts the data folder home remembers.
func rememberedAccounts(t *testing.T, home string) []string {
	t.Helper()
	db, err := storage.Open(home)
	require.NoError(t, err)
	settings, err := db.LoadSettings()
	require.NoError(t, db.Close())
	require.NoError(t, err)
	var listed []string
	for _, a := range settings.RememberedAccounts {
		listed = append(listed, a.Account)
	}
	return listed
}
