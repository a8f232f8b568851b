package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

// lateTokenWrites makes f's writes of a token wait for release, and
// closes landed once such a write is done: a keyring that answers a
// write after the store's timeout, as a busy Secret Service does.
func lateTokenWrites(f *fakeKeyring) (b keyringBackend, release, landed chan struct{}) {
	b = f.backend()
	release, landed = make(chan struct{}), make(chan struct{})
	set := b.set
	b.set = func(service, user, value string) error {
		if !strings.HasSuffix(user, "|"+string(SecretToken)) {
			return set(service, user, value)
		}
		<-release
		defer close(landed)
		return set(service, user, value)
	}
	return b, release, landed
}

// TestCallsForOneEntryRunInTheOrderMade: a token write the keyring
// answers only after the store's timeout, then a delete of that token
// (a login that gave up removing what it filed): the write must not land
// after the delete, leaving a token no command knows of. Calls for
// another entry are not held up by it.
func TestCallsForOneEntryRunInTheOrderMade(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	b, release, landed := lateTokenWrites(newFakeKeyring())
	s := newSecretStoreWith(b, 100*time.Millisecond)
	require.True(t, s.Persistent())

	require.ErrorIs(t, s.Set("testnet", "a@x", SecretToken, "late"), ErrKeyringTimeout)
	require.NoError(t, s.Set("testnet", "a@x", SecretPassword, "pw"), "another entry waits for nothing")
	_ = s.Delete("testnet", "a@x", SecretToken) // may give up waiting too: it still runs, after the write
	close(release)
	<-landed

	_, err := s.Get("testnet", "a@x", SecretToken)
	assert.ErrorIs(t, err, ErrSecretNotFound, "the write that answered late outlived the delete made after it")
	v, err := s.Get("testnet", "a@x", SecretPassword)
	require.NoError(t, err)
	assert.Equal(t, "pw", v)
}

// TestSettleWaitsForTheCallsNoOneWaitsFor: Settle returns once the calls
// whose callers gave up at the timeout have ended (the late write, then
// the delete after it), and says so when ctx ends first.
func TestSettleWaitsForTheCallsNoOneWaitsFor(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeKeyring()
	b, release, _ := lateTokenWrites(f)
	s := newSecretStoreWith(b, 100*time.Millisecond)
	require.True(t, s.Persistent())
	require.NoError(t, s.Settle(context.Background()), "nothing runs")

	require.ErrorIs(t, s.Set("testnet", "a@x", SecretToken, "late"), ErrKeyringTimeout)
	require.ErrorIs(t, s.Delete("testnet", "a@x", SecretToken), ErrKeyringTimeout)
	gaveUp, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, s.Settle(gaveUp), ErrKeyringTimeout, "the write still waits for the keyring")

	close(release)
	require.NoError(t, s.Settle(context.Background()))
	assert.Zero(t, f.len(), "Settle returned before the delete after the late write ran")
}

// TestSignOutBehindALateTokenWriteOnTheOSKeyring is
// TestCallsForOneEntryRunInTheOrderMade on the OS keyring (the Secret
// Service make test runs, where it must not skip): a sign-in's token
// write it answers only after the store stopped waiting, then the
// sign-out's deletes, then the wait a process makes before it ends
// (Settle). The token must not be there afterwards: written after the
// delete, it would sign the account in again at the next start, or lie
// in the keyring with no account to name it.
func TestSignOutBehindALateTokenWriteOnTheOSKeyring(t *testing.T) {
	osKeys := realKeyring(t)
	env, account := uniqueAccount(t, osKeys)
	release := make(chan struct{})
	b := osKeyring
	set := b.set
	b.set = func(service, user, value string) error {
		if strings.HasSuffix(user, "|"+string(SecretToken)) {
			<-release // the keyring answers only once the caller gave up
		}
		return set(service, user, value)
	}
	s := newSecretStoreWith(b, keyringTestTimeout)
	require.True(t, s.Persistent(), s.Reason())
	s.timeout = 100 * time.Millisecond // probed with the hang guard: a busy keyring is not a missing one

	require.ErrorIs(t, s.Set(env, account, SecretToken, "late"), ErrKeyringTimeout)
	_ = s.DeleteAccount(env, account) // the token's delete gives up waiting too: it still runs, after the write
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), keyringTestTimeout)
	defer cancel()
	require.NoError(t, s.Settle(ctx))

	_, err := osKeys.Get(env, account, SecretToken)
	assert.ErrorIs(t, err, ErrSecretNotFound, "the token written late outlived the sign-out's delete")
}
