package cli

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLoginWhosePasswordTheKeyringCannotKeepLeavesNothingBehind: login
// --remember with a password the keyring refuses as too big, as
// Windows' Credential Manager refuses one longer than 2,560 bytes (a fake
// keyring that refuses every password so: the sandbox takes none longer
// than 72 bytes). The login fails, says why in a sentence (the password
// is too long for the keyring) and what to do (sign in without
// --remember), and leaves no secret of the account in the keyring: no
// remembered account names it, so no logout would ever remove a token
// left there. An account remembered already keeps its sign-in.
func TestLoginWhosePasswordTheKeyringCannotKeepLeavesNothingBehind(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	email, password := testutil.SandboxEmail, testutil.SandboxPassword
	fake := testutil.NewKeyring()
	fake.RefuseWrites(keyring.ErrSetDataTooBig, storage.SecretPassword)
	secrets := fake.Store()
	require.True(t, secrets.Persistent(), secrets.Reason())
	withSecrets(t, secrets)

	code, out, errOut := runCLI(t, password+"\n", "login", "--env", sb.URL, "--email", email, "--password-stdin", "--remember")
	assert.Equal(t, 1, code, out)
	assert.NotContains(t, out, "Signed in")
	assert.NotContains(t, out+errOut, password)
	assert.Contains(t, errOut, "the OS keyring cannot keep a password this long")
	assert.Contains(t, errOut, "without --remember")
	assert.NotContains(t, errOut, "|password", "the keyring entry's name is no sentence")

	for _, kind := range storage.SecretKinds() {
		_, err := secrets.Get(sb.Env.Key(), email, kind)
		assert.ErrorIs(t, err, storage.ErrSecretNotFound, "%s left in the keyring", kind)
	}
	code, out, errOut = runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "No account was signed in")

	code, out, errOut = runCLI(t, password+"\n", "login", "--env", sb.URL, "--email", email, "--password-stdin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Signed in")

	// Refused again once the account is remembered: its sign-in stays.
	code, _, errOut = runCLI(t, password+"\n", "login", "--env", sb.URL, "--email", email, "--password-stdin", "--remember")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "the OS keyring cannot keep a password this long")
	// Run after run: each leaves the token it signed in with in the keyring.
	for run := range 2 {
		f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 + run })[0]
		code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
		assert.Equal(t, 0, code, "run %d: the earlier sign-in still uploads: %s", run, errOut)
	}
}

// TestLoginWhosePasswordTheKeyringRefusesWhileTheTokenIsLateSaysSo: login
// --remember with a keyring that refuses the password outright and
// answers the token's write only after the store stopped waiting. It
// said "keep the sign-in in the keyring: refused": not that the password
// was what was refused, that nothing was kept, nor what to do. It now
// says so, as the window does (the password is not remembered), and
// leaves nothing of the login in the keyring once the late write landed.
func TestLoginWhosePasswordTheKeyringRefusesWhileTheTokenIsLateSaysSo(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	email, password := testutil.SandboxEmail, testutil.SandboxPassword
	fake := testutil.NewKeyring()
	fake.RefuseWrites(errors.New("refused by policy"), storage.SecretPassword)
	funcs, landed := testutil.LateTokenWrites(fake.Funcs(), time.Second)
	secrets := storage.NewSecretStoreOn(funcs, 200*time.Millisecond)
	require.True(t, secrets.Persistent(), secrets.Reason())
	withSecrets(t, secrets)

	code, out, errOut := runCLI(t, password+"\n", "login", "--env", sb.URL, "--email", email, "--password-stdin", "--remember")
	assert.Equal(t, 1, code, out)
	assert.NotContains(t, out, "Signed in")
	assert.Contains(t, errOut, "the OS keyring did not keep the password (--remember): refused by policy, so nothing was kept and you are not signed in")
	assert.Contains(t, errOut, "run login again without --remember")
	select {
	case <-landed:
	default:
		t.Fatal("login ended before the token's late write")
	}
	for _, kind := range storage.SecretKinds() {
		_, err := fake.Store().Get(sb.Env.Key(), email, kind)
		assert.ErrorIs(t, err, storage.ErrSecretNotFound, "%s left in the keyring", kind)
	}
	code, out, errOut = runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "No account was signed in")
}
