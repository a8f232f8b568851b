package ui

import (
	"errors"
	"fmt"
	"strings"
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
	return lateWritesEnv(t, testutil.NewKeyring(), late, storage.SecretToken)
}

// lateWritesEnv is a test window on k, whose writes of the kinds of
// secret it answers only late after the store's timeout (200 ms)
// (testutil.LateWrites), and those calls of k.
func lateWritesEnv(t *testing.T, k *testutil.Keyring, late time.Duration, kinds ...storage.SecretKind) (*testEnv, storage.KeyringFuncs, <-chan struct{}) {
	e := newTestEnv(t)
	e.a.Close()
	funcs, landed := testutil.LateWrites(k.Funcs(), late, kinds...)
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

// TestSignInTheKeyringAnswersLateSaysWhatIsTrue: an API key, or a
// password with "Remember me", whose write the keyring answers only
// after the store stopped waiting (1 s against 200 ms; the token's too),
// and then keeps, or refuses. The window said "kept only until you quit"
// in both outcomes, untrue when the write lands: the next start signed in
// by itself. What it says now is true in both: the keyring may or may not
// keep the sign-in, and if the next start does not sign in by itself,
// sign in again then; and the next start does one or the other.
func TestSignInTheKeyringAnswersLateSaysWhatIsTrue(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	for _, method := range []string{storage.MethodAPIKey, storage.MethodPassword} {
		for _, lands := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, the write lands: %v", method, lands), func(t *testing.T) {
				late := storage.SecretAPIKey
				if method == storage.MethodPassword {
					late = storage.SecretPassword
				}
				fake := testutil.NewKeyring()
				if !lands {
					fake.Fail(func(op testutil.KeyringOp, user, _ string) error {
						if op == testutil.KeyringSet && !strings.HasPrefix(user, "probe|") {
							return errors.New("refused")
						}
						return nil
					})
				}
				e, _, _ := lateWritesEnv(t, fake, time.Second, late, storage.SecretToken)
				if method == storage.MethodAPIKey {
					e.signInCustom(sb)
				} else {
					e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, true)
				}
				e.ui(func() {
					assert.True(t, e.a.upload.noticeBox.Visible())
					assert.Contains(t, e.a.upload.notice.Text, "did not answer in time, so it may or may not keep this sign-in")
				})
				e.a.Close() // it waits for the keyring's late answers
				if lands {
					e.restart(sb.URL)
					e.ui(func() { assert.Equal(t, method, e.a.sess.Method, "the next start signs in by itself") })
					return
				}
				e.a = e.open(Deps{Env: sb.URL})
				e.eventually(func() bool { return e.a.signin.errorLabel().Visible() }, "the next start says why it did not sign in")
				e.ui(func() {
					assert.Nil(t, e.a.sess)
					assert.Contains(t, e.a.signin.errorLabel().Text, "Could not sign you in automatically.")
					assert.Contains(t, e.a.signin.errorLabel().Text, " again.", "it asks to sign in again")
					assert.NotContains(t, e.a.signin.errorLabel().Text, "expired", "the keyring never held the sign-in")
				})
			})
		}
	}
}

// TestSignInTheKeyringRefusesThePasswordAndAnswersTheTokenLate:
// "Remember me" with a keyring that refuses the password and answers the
// token's write only after the store stopped waiting. The window said
// "kept only until you quit", untrue once the token lands (the window
// waits for it as it quits): the next start signs in with that token. It
// now says what is true whether the token lands or not: the password is
// not remembered, and once this sign-in ends it is asked for again.
func TestSignInTheKeyringRefusesThePasswordAndAnswersTheTokenLate(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	fake := testutil.NewKeyring()
	fake.RefuseWrites(errors.New("refused"), storage.SecretPassword)
	e, _, _ := lateWritesEnv(t, fake, time.Second, storage.SecretToken)
	e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, true)
	e.ui(func() {
		assert.True(t, e.a.upload.noticeBox.Visible())
		assert.NotContains(t, e.a.upload.notice.Text, "only until you quit")
		assert.Contains(t, e.a.upload.notice.Text, "did not accept your password, so it is not remembered: once this sign-in ends")
	})
	e.a.Close() // it waits for the keyring's late answers
	e.restart(sb.URL)
	e.ui(func() {
		require.NotNil(t, e.a.sess, "the next start signs in with the token that landed")
		assert.Equal(t, testutil.SandboxEmail, e.a.sess.Account)
	})
}
