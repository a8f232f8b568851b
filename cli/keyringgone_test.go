package cli

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestKeyringOutOfReachIsSaid: a password remembered with login --remember,
// then a run that cannot reach the OS keyring (no D-Bus session: over SSH,
// say). upload says the keyring cannot be reached, not that the sign-in
// expired; logout removes nothing it cannot reach, says so and keeps the
// account, so a logout where the keyring answers removes every secret.
func TestKeyringOutOfReachIsSaid(t *testing.T) {
	sb, home := loginSandbox(t)
	code, _, errOut := runCLI(t, testutil.SandboxPassword+"\n", "login", "--env", sb.URL,
		"--email", testutil.SandboxEmail, "--password-stdin", "--remember")
	require.Equal(t, 0, code, errOut)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	kept := storage.NewSecretStore(testutil.KeyringTimeout)

	bus := "DBUS_SESSION_BUS_ADDRESS"
	t.Run("out of reach", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("Windows' keyring is its Credential Manager, which no D-Bus session stands before: it cannot be put out of reach this way")
		}
		t.Setenv(bus, "disabled:")
		if storage.NewSecretStore(testutil.KeyringTimeout).Persistent() {
			t.Skip("a session bus is found without DBUS_SESSION_BUS_ADDRESS here")
		}
		code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
		assert.Equal(t, 1, code)
		assert.Contains(t, errOut, "keyring")
		assert.Contains(t, errOut, "cannot reach")
		assert.NotContains(t, errOut, "expired")
		assert.NotContains(t, out+errOut, testutil.SandboxPassword)

		code, out, errOut = runCLI(t, "", "logout", "--env", sb.URL)
		assert.Equal(t, 1, code, out)
		assert.NotContains(t, out, "Signed out")
		assert.Contains(t, errOut, "nothing was removed")
		assert.Contains(t, errOut, testutil.SandboxEmail)
	})
	db, err := storage.Open(home)
	require.NoError(t, err)
	settings, err := db.LoadSettings()
	require.NoError(t, db.Close())
	require.NoError(t, err)
	require.Len(t, settings.RememberedAccounts, 1, "the account is still remembered")
	a := settings.RememberedAccounts[0]
	pw, err := kept.Get(a.Env, a.Account, storage.SecretPassword)
	require.NoError(t, err)
	assert.Equal(t, testutil.SandboxPassword, pw, "and its password still kept")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
	require.Equal(t, 0, code, "the keyring back: the remembered password signs in: %s", errOut)
	code, out, errOut := runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Signed out")
	for _, k := range storage.SecretKinds() {
		_, err := kept.Get(a.Env, a.Account, k)
		assert.ErrorIs(t, err, storage.ErrSecretNotFound, k)
	}
}

// TestDamagedKeyInTheKeyringSaysToLogInAgain: the API key a login kept in
// the keyring, replaced by what an older version or another program left
// there (JSON, a cut key, a trailing NUL). A run says the key kept in the
// keyring is unusable and which command signs in again, not "copy the
// whole key again" about a key the person never gave it; login mends it.
func TestDamagedKeyInTheKeyringSaysToLogInAgain(t *testing.T) {
	sb, _ := loginSandbox(t)
	code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	kept := storage.NewSecretStore(testutil.KeyringTimeout)
	envKey := sb.Env.Key()
	for name, damaged := range map[string]string{
		"JSON of another shape": `{"api_key":"` + sb.Key + `"}`,
		"cut short":             sb.Key[:40],
		"a NUL after it":        sb.Key + "\x00",
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, kept.Set(envKey, sb.Acc.ID, storage.SecretAPIKey, damaged))
			code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
			assert.Equal(t, 1, code, out)
			assert.Contains(t, errOut, "keyring")
			assert.Contains(t, errOut, "login --env "+sb.URL+" --api-key-stdin")
			assert.NotContains(t, errOut, "copy the whole key again")
			assert.NotContains(t, errOut, "paste it again")

			code, _, errOut = runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
			require.Equal(t, 0, code, errOut)
			code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
			require.Equal(t, 0, code, errOut)
		})
	}
}
