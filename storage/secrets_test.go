package storage

import (
	"cmp"
	"errors"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

// fakeKeyring is an in-process keyring with go-keyring's error values. It
// can be told to hang (every call blocks until release is closed) or to fail.
type fakeKeyring struct {
	mu      sync.Mutex
	entries map[string]string
	hang    chan struct{} // non-nil: calls block until it is closed
	failSet error
	corrupt bool // Get returns a different value
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{entries: map[string]string{}} }

func (f *fakeKeyring) wait() {
	f.mu.Lock()
	h := f.hang
	f.mu.Unlock()
	if h != nil {
		<-h
	}
}

func (f *fakeKeyring) backend() keyringBackend {
	return keyringBackend{
		set: func(service, user, value string) error {
			f.wait()
			f.mu.Lock()
			defer f.mu.Unlock()
			if f.failSet != nil {
				return f.failSet
			}
			f.entries[service+"/"+user] = value
			return nil
		},
		get: func(service, user string) (string, error) {
			f.wait()
			f.mu.Lock()
			defer f.mu.Unlock()
			v, ok := f.entries[service+"/"+user]
			if !ok {
				return "", keyring.ErrNotFound
			}
			if f.corrupt {
				return v + "?", nil
			}
			return v, nil
		},
		del: func(service, user string) error {
			f.wait()
			f.mu.Lock()
			defer f.mu.Unlock()
			if _, ok := f.entries[service+"/"+user]; !ok {
				return keyring.ErrNotFound
			}
			delete(f.entries, service+"/"+user)
			return nil
		},
	}
}

func (f *fakeKeyring) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

// keyringTestTimeout bounds each call of a test's store on the OS
// keyring: a hang guard, not the app's few seconds, so that a
// gnome-keyring slow to answer under load does not turn the store into a
// memory one (testutil.KeyringTimeout, which these tests cannot import).
// The tests of the timeout itself use a fake keyring that hangs.
const keyringTestTimeout = time.Minute

var (
	osStoreOnce sync.Once
	osStore     *SecretStore
)

// realKeyring returns a store on the OS keyring, or skips the test with the
// reason when no Secret Service is reachable (CI runs the tests inside
// dbus-run-session with an unlocked gnome-keyring, so there it runs).
func realKeyring(t *testing.T) *SecretStore {
	t.Helper()
	osStoreOnce.Do(func() { osStore = NewSecretStore(keyringTestTimeout) })
	if !osStore.Persistent() {
		if os.Getenv("DSTOR_REQUIRE_KEYRING") != "" {
			t.Fatal("DSTOR_REQUIRE_KEYRING is set (make test) but the OS keyring is not reachable: " + osStore.Reason())
		}
		t.Skip("OS keyring not reachable, testing the fallback only: " + osStore.Reason())
	}
	return osStore
}

// uniqueAccount returns an environment and account no other test (or
// earlier run) uses, and deletes their secrets when the test ends.
func uniqueAccount(t *testing.T, s *SecretStore) (env, account string) {
	t.Helper()
	id := uuid.NewString()
	env, account = "test-env-"+id[:8], "user-"+id+"@example.com"
	t.Cleanup(func() { assert.NoError(t, s.DeleteAccount(env, account)) })
	return env, account
}

// storesUnderTest returns every kind of store: explicit memory, the keyring
// logic over a fake backend, and the real OS keyring when reachable.
func storesUnderTest() map[string]func(t *testing.T) *SecretStore {
	return map[string]func(t *testing.T) *SecretStore{
		"memory": func(*testing.T) *SecretStore { return NewMemorySecretStore() },
		"fake-keyring": func(t *testing.T) *SecretStore {
			s := newSecretStoreWith(newFakeKeyring().backend(), time.Second)
			require.True(t, s.Persistent(), s.Reason())
			return s
		},
		"os-keyring": realKeyring,
	}
}

func TestSecretStoreRoundTrip(t *testing.T) {
	for name, mk := range storesUnderTest() {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			env, acct := uniqueAccount(t, s)

			_, err := s.Get(env, acct, SecretAPIKey)
			require.ErrorIs(t, err, ErrSecretNotFound)

			require.NoError(t, s.Set(env, acct, SecretAPIKey, "key-1"))
			require.NoError(t, s.Set(env, acct, SecretToken, "tok-1"))
			require.NoError(t, s.Set(env, acct, SecretAPIKey, "key-2"), "overwrite")

			tests := []struct {
				kind SecretKind
				want string
			}{{SecretAPIKey, "key-2"}, {SecretToken, "tok-1"}}
			for _, tt := range tests {
				got, err := s.Get(env, acct, tt.kind)
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
			}
			_, err = s.Get(env, acct, SecretPassword)
			require.ErrorIs(t, err, ErrSecretNotFound)

			// Another account in the same environment is separate.
			_, err = s.Get(env, "other-"+acct, SecretAPIKey)
			require.ErrorIs(t, err, ErrSecretNotFound)

			require.NoError(t, s.Delete(env, acct, SecretToken))
			require.NoError(t, s.Delete(env, acct, SecretToken), "deleting a missing secret is not an error")
			_, err = s.Get(env, acct, SecretToken)
			require.ErrorIs(t, err, ErrSecretNotFound)

			require.NoError(t, s.Set(env, acct, SecretPassword, "pw with spaces & ünïcode"))
			require.NoError(t, s.DeleteAccount(env, acct))
			for _, k := range SecretKinds() {
				_, err := s.Get(env, acct, k)
				require.ErrorIs(t, err, ErrSecretNotFound, k)
			}
			require.NoError(t, s.DeleteAccount(env, acct), "signing out twice is fine")
		})
	}
}

func TestSecretStoreConcurrentUse(t *testing.T) {
	for name, mk := range storesUnderTest() {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			env, acct := uniqueAccount(t, s)
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					a := acct + "-" + string(rune('a'+i))
					defer func() { assert.NoError(t, s.DeleteAccount(env, a)) }()
					assert.NoError(t, s.Set(env, a, SecretToken, "t"+a))
					got, err := s.Get(env, a, SecretToken)
					assert.NoError(t, err)
					assert.Equal(t, "t"+a, got)
				})
			}
			wg.Wait()
		})
	}
}

func TestSecretStoreRejectsBadArguments(t *testing.T) {
	s := NewMemorySecretStore()
	tests := []struct {
		name, env, account string
		kind               SecretKind
		value              string
	}{
		{"empty env", "", "a@x", SecretToken, "v"},
		{"blank account", "testnet", "  ", SecretToken, "v"},
		{"pipe in env", "a|b", "a@x", SecretToken, "v"},
		{"pipe in account", "testnet", "a|x", SecretToken, "v"},
		{"unknown kind", "testnet", "a@x", "cookie", "v"},
		{"empty value", "testnet", "a@x", SecretToken, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bad *InvalidArgumentError
			require.ErrorAs(t, s.Set(tt.env, tt.account, tt.kind, tt.value), &bad)
			if tt.value != "" {
				_, err := s.Get(tt.env, tt.account, tt.kind)
				require.ErrorAs(t, err, &bad)
				require.ErrorAs(t, s.Delete(tt.env, tt.account, tt.kind), &bad)
			}
		})
	}
}

func TestMemorySecretStoreSaysWhy(t *testing.T) {
	s := NewMemorySecretStore()
	assert.False(t, s.Persistent())
	assert.Contains(t, s.Reason(), "in memory")
	state, err := s.State()
	assert.Equal(t, KeyringOff, state)
	assert.NoError(t, err)
}

func TestSecretStoreFallsBackWhenProbeFails(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(f *fakeKeyring)
		wantReason string
		wantState  KeyringState
		wantErr    string // in the probe's error; wantReason when empty
	}{
		{"set fails", func(f *fakeKeyring) { f.failSet = errors.New("the name org.freedesktop.secrets was not provided") }, "org.freedesktop.secrets", KeyringFailed, ""},
		{"value comes back different", func(f *fakeKeyring) { f.corrupt = true }, "came back different", KeyringFailed, ""},
		{"set fails with no words", func(f *fakeKeyring) { f.failSet = errors.New(" ") }, "No working keyring was found; secrets", KeyringFailed, "store a test entry"},
		{"keyring hangs", func(f *fakeKeyring) { f.hang = make(chan struct{}) }, "did not answer within 100ms", KeyringTimedOut, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeKeyring()
			tt.setup(f)
			t.Cleanup(func() {
				if f.hang != nil {
					close(f.hang) // let the abandoned probe goroutine finish
				}
			})

			// Bounded by the timeout: the hang lasts until cleanup, so a
			// probe that waited for it would still wait at the hang guard.
			var s *SecretStore
			returnsBeforeHangGuard(t, "the probe", func() { s = newSecretStoreWith(f.backend(), 100*time.Millisecond) })

			assert.False(t, s.Persistent())
			assert.Contains(t, s.Reason(), tt.wantReason)
			assert.Contains(t, s.Reason(), "in memory until you quit")
			state, err := s.State()
			assert.Equal(t, tt.wantState, state)
			if state == KeyringFailed {
				assert.ErrorContains(t, err, cmp.Or(tt.wantErr, tt.wantReason), "the probe's error, for the window's sentence")
			}

			// The session store works.
			require.NoError(t, s.Set("testnet", "a@x", SecretAPIKey, "k"))
			got, err := s.Get("testnet", "a@x", SecretAPIKey)
			require.NoError(t, err)
			assert.Equal(t, "k", got)
			assert.Zero(t, f.len(), "nothing reaches a keyring that failed the probe")
		})
	}
}

func TestSecretStoreCallTimesOut(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())

	f := newFakeKeyring()
	s := newSecretStoreWith(f.backend(), 100*time.Millisecond)
	require.True(t, s.Persistent())
	require.NoError(t, s.Set("testnet", "a@x", SecretToken, "t"))

	release := make(chan struct{})
	f.mu.Lock()
	f.hang = release
	f.mu.Unlock()

	ops := []struct {
		name string
		call func() error
	}{
		{"set", func() error { return s.Set("testnet", "a@x", SecretToken, "t2") }},
		{"get", func() error { _, err := s.Get("testnet", "a@x", SecretToken); return err }},
		{"delete", func() error { return s.Delete("testnet", "a@x", SecretToken) }},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			// Bounded by the timeout: the hang lasts until the release
			// below, after the hang guard.
			start := time.Now()
			var err error
			returnsBeforeHangGuard(t, op.name, func() { err = op.call() })
			require.ErrorIs(t, err, ErrKeyringTimeout)
			assert.ErrorContains(t, err, "after 100ms")
			assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
		})
	}
	// The abandoned calls finish once the daemon answers; goleak checks that.
	close(release)
}

// returnsBeforeHangGuard runs call on a goroutine and fails the test when
// it has not returned within 2 minutes: a hang guard for a call that
// should end at its timeout, not a speed limit.
func returnsBeforeHangGuard(t *testing.T, what string, call func()) {
	t.Helper()
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		call()
	}()
	select {
	case <-returned:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%s did not end at its timeout", what)
	}
}

func TestSecretErrorsNeverContainTheValue(t *testing.T) {
	const secret = "s3cr3t-VALUE-do-not-print"
	f := newFakeKeyring()
	s := newSecretStoreWith(f.backend(), time.Second)
	require.True(t, s.Persistent())
	f.failSet = errors.New("dbus: the collection is locked")
	err := s.Set("testnet", "a@x", SecretPassword, secret)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	assert.Contains(t, err.Error(), "the password of a@x", "the error says which secret")
	assert.NotContains(t, err.Error(), "testnet|a@x|password", "a keyring entry's name, which means nothing to a person")
}

func TestOSKeyringEntryLayout(t *testing.T) {
	s := realKeyring(t)
	env, acct := uniqueAccount(t, s)
	require.NoError(t, s.Set(env, acct, SecretAPIKey, "layout-check"))

	// Stored where other tools (and the next run) find it.
	got, err := keyring.Get(AppName, env+"|"+acct+"|api-key")
	require.NoError(t, err)
	assert.Equal(t, "layout-check", got)

	// A new store — as after a restart — sees it.
	again := NewSecretStore(keyringTestTimeout)
	require.True(t, again.Persistent())
	got, err = again.Get(env, acct, SecretAPIKey)
	require.NoError(t, err)
	assert.Equal(t, "layout-check", got)
	assert.Empty(t, again.Reason())
}

func TestSessionBusDetection(t *testing.T) {
	if !strings.Contains("linux freebsd openbsd netbsd", runtime.GOOS) {
		t.Skip("D-Bus discovery only applies to Linux and the BSDs")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
	assert.True(t, sessionBusLikely(), "an explicit address is trusted")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	// Without the variable the answer depends on /run/user/<uid>; when there
	// is no bus there, NewSecretStore must not probe (and autolaunch) at all.
	if !sessionBusLikely() {
		calls := countKeyringCalls(t)
		s := NewSecretStore(keyringTestTimeout)
		assert.False(t, s.Persistent())
		assert.Contains(t, s.Reason(), "No D-Bus session")
		state, _ := s.State()
		assert.Equal(t, KeyringNoSession, state)
		assert.Zero(t, calls.Load(), "no probe (it would have D-Bus launch a bus of its own)")
	}
}

// countKeyringCalls puts in place of the OS keyring, for the test, one
// that counts the calls made to it and answers none of them.
func countKeyringCalls(t *testing.T) *atomic.Int32 {
	t.Helper()
	var calls atomic.Int32
	refuse := errors.New("a test's keyring")
	was := osKeyring
	osKeyring = keyringBackend{
		set: func(string, string, string) error { calls.Add(1); return refuse },
		get: func(string, string) (string, error) { calls.Add(1); return "", refuse },
		del: func(string, string) error { calls.Add(1); return refuse },
	}
	t.Cleanup(func() { osKeyring = was })
	return &calls
}

// TestKeyringReasonIsWordedForItsReader: why a store keeps secrets in
// memory is one sentence per state, worded for who reads it: the window's
// person quits and restarts the app, the command line's runs the command
// again (cli prints ReasonFor(CommandLineWording)), never "restart the
// app" at a shell prompt.
func TestKeyringReasonIsWordedForItsReader(t *testing.T) {
	stateOf := func(state KeyringState, problem error) *SecretStore {
		s := NewMemorySecretStore()
		s.state, s.problem, s.timeout = state, problem, 5*time.Second
		return s
	}
	tests := []struct {
		name           string
		store          *SecretStore
		window, cmd    string
		windowOnlyText string // what the window's says that the command line's must not
	}{
		{"turned off", stateOf(KeyringOff, nil),
			"secrets are kept in memory until you quit.",
			"secrets are kept in memory until this command ends.", "until you quit"},
		{"no D-Bus session", stateOf(KeyringNoSession, nil),
			"until you quit. Run the app in a desktop session with an unlocked keyring (or under dbus-run-session) to have them remembered.",
			"until this command ends. Run the command in a desktop session with an unlocked keyring (or under dbus-run-session) to have them remembered.", "Run the app"},
		{"timed out", stateOf(KeyringTimedOut, nil),
			"did not answer within 5s; secrets are kept in memory until you quit. Unlock " + systemKeyringName() + " and restart the app to have them remembered.",
			"did not answer within 5s; secrets are kept in memory until this command ends. Unlock " + systemKeyringName() + " and run the command again to have them remembered.", "restart the app"},
		{"failed", stateOf(KeyringFailed, errors.New("the name org.freedesktop.secrets was not provided")),
			"No working keyring was found (the name org.freedesktop.secrets was not provided); secrets are kept in memory until you quit. Install and unlock",
			"No working keyring was found (the name org.freedesktop.secrets was not provided); secrets are kept in memory until this command ends. Install and unlock", "until you quit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Contains(t, tt.store.Reason(), tt.window, "the window's wording")
			assert.Equal(t, tt.store.Reason(), tt.store.ReasonFor(WindowWording))
			cmd := tt.store.ReasonFor(CommandLineWording)
			assert.Contains(t, cmd, tt.cmd)
			assert.NotContains(t, cmd, tt.windowOnlyText)
		})
	}
	works := newSecretStoreWith(newFakeKeyring().backend(), time.Second)
	require.True(t, works.Persistent())
	assert.Empty(t, works.ReasonFor(CommandLineWording), "a keyring that keeps them needs no reason")
}
