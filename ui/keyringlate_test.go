package ui

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSignOutAfterALateTokenWriteLeavesNoTokenWhenTheWindowQuits: a
// keyring that keeps the token of a sign-in only long after the store's
// timeout (2 s against 200 ms). The person signs out, and quits: the
// sign-out's delete of the token runs after the late write (not before,
// finding nothing), and the window waits for both as it quits, so no
// token of an account no longer remembered is left in the keyring.
func TestSignOutAfterALateTokenWriteLeavesNoTokenWhenTheWindowQuits(t *testing.T) {
	e, funcs, landed := lateTokenEnv(t, 2*time.Second)
	a := e.a

	e.signInSandbox()
	var account string
	e.ui(func() {
		account = a.sess.Account
		test.Tap(a.signOut)
	})
	e.eventually(func() bool { return a.sess == nil }, "signed out")
	require.NoError(t, a.waitRetired(t.Context()))
	a.Close()

	select {
	case <-landed:
	default:
		t.Fatal("the window quit before the keyring's late token write ended")
	}
	_, err := funcs.Get(storage.AppName, api.SandboxKey+"|"+account+"|"+string(storage.SecretToken))
	assert.ErrorIs(t, err, keyring.ErrNotFound, "a token left in the keyring of an account signed out")
}

// lateTokenEnv is a test window on a keyring that keeps each token only
// late after the store's timeout (200 ms), and that keyring's calls.
func lateTokenEnv(t *testing.T, late time.Duration) (*testEnv, storage.KeyringFuncs, <-chan struct{}) {
	e := newTestEnv(t)
	e.a.Close()
	funcs, landed := testutil.LateTokenWrites(testutil.NewKeyring().Funcs(), late)
	e.secrets = storage.NewSecretStoreOn(funcs, 200*time.Millisecond)
	require.True(t, e.secrets.Persistent(), e.secrets.Reason())
	e.a = e.open(Deps{})
	return e, funcs, landed
}

// TestPasswordSignInWhoseTokenLandsLateIsKeptOnlyUntilQuit: a password
// sign-in without "Remember me" whose token the keyring keeps only after
// the store stopped waiting. The window says the credentials are kept
// only until the quit, and so it is: once the quit has waited for the
// keyring, the late token is not left in it for the next start.
func TestPasswordSignInWhoseTokenLandsLateIsKeptOnlyUntilQuit(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, funcs, landed := lateTokenEnv(t, time.Second)
	e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, false)
	e.ui(func() { assert.Contains(t, e.a.upload.notice.Text, "kept only until you quit") })
	envKey := e.a.sess.EnvKey
	e.a.Close()

	select {
	case <-landed:
	default:
		t.Fatal("the window quit before the keyring's late token write ended")
	}
	_, err := funcs.Get(storage.AppName, envKey+"|"+testutil.SandboxEmail+"|"+string(storage.SecretToken))
	assert.ErrorIs(t, err, keyring.ErrNotFound, "the window said kept only until you quit, but the keyring keeps the token for the next start")
}

// TestSignOutBehindALateTokenWriteSaysWhatTheKeyringHolds: a sign-out
// whose token delete waits behind the sign-in's late token write (1 s
// against a 200 ms timeout) ends once the write has, and removes the
// token: the window does not say that the keyring still holds the
// credentials, and the keyring does not.
func TestSignOutBehindALateTokenWriteSaysWhatTheKeyringHolds(t *testing.T) {
	e, funcs, _ := lateTokenEnv(t, time.Second)
	a := e.a
	e.signInSandbox()
	var account string
	e.ui(func() {
		account = a.sess.Account
		test.Tap(a.signOut)
	})
	e.eventually(func() bool { return a.sess == nil }, "signed out")
	require.NoError(t, a.waitRetired(t.Context()))
	e.ui(func() {
		assert.False(t, a.signin.errorLabel().Visible(), "said: %s", a.signin.errorLabel().Text)
		assert.Contains(t, a.signin.notice.Text, "were removed")
	})
	_, err := funcs.Get(storage.AppName, api.SandboxKey+"|"+account+"|"+string(storage.SecretToken))
	assert.ErrorIs(t, err, keyring.ErrNotFound, "the token is gone by the time the window says so")
}
