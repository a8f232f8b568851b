//go:build !windows

package cli

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// heldKeyring is a keyring whose writes of an API key wait until release
// is closed (a keyring slow to answer) while hold is set; entered gets a
// value as such a write begins. Its store waits a minute for each call (a
// hang guard): the write ends when the test releases it, not at a
// timeout.
type heldKeyring struct {
	funcs   storage.KeyringFuncs
	entered chan struct{}
	release chan struct{}
	hold    atomic.Bool

	mu      sync.Mutex
	written []string // the keyring's names written to, in order
}

// heldKeyWrites is a heldKeyring, holding from the start, that the
// command line uses for the rest of t.
func heldKeyWrites(t *testing.T) *heldKeyring {
	k := &heldKeyring{funcs: testutil.NewKeyring().Funcs(), entered: make(chan struct{}, 1), release: make(chan struct{})}
	k.hold.Store(true)
	set := k.funcs.Set
	k.funcs.Set = func(service, user, value string) error {
		k.mu.Lock()
		k.written = append(k.written, user)
		k.mu.Unlock()
		if k.hold.Load() && strings.HasSuffix(user, "|"+string(storage.SecretAPIKey)) {
			select {
			case k.entered <- struct{}{}:
			default:
			}
			<-k.release
		}
		return set(service, user, value)
	}
	withSecrets(t, storage.NewSecretStoreOn(k.funcs, time.Minute))
	return k
}

// kept is the names written to that the keyring holds now.
func (k *heldKeyring) kept() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var held []string
	for _, user := range k.written {
		if _, err := k.funcs.Get(storage.AppName, user); err == nil && !slices.Contains(held, user) {
			held = append(held, user)
		}
	}
	return held
}

// startLogin runs "login --api-key-stdin" to sb on its own goroutine,
// its error output in errOut as it is written, and returns its exit
// status on code once it ends. The test watches SIGTERM (caught) too,
// so that the signals it sends the command do not end the test binary.
func startLogin(t *testing.T, sb *testutil.Sandbox) (code <-chan int, errOut *testutil.LockedBuffer, caught chan os.Signal) {
	caught = make(chan os.Signal, 8)
	signal.Notify(caught, syscall.SIGTERM)
	t.Cleanup(func() { signal.Stop(caught) })
	errOut = &testutil.LockedBuffer{}
	done := make(chan int, 1)
	go func() {
		var out testutil.LockedBuffer
		done <- Run(context.Background(), []string{"login", "--env", sb.URL, "--api-key-stdin"},
			IO{In: strings.NewReader(sb.Key + "\n"), Out: &out, Err: errOut})
	}()
	return done, errOut, caught
}

// stopCommand sends the command a SIGTERM (what Ctrl+C does, and which a
// command always takes) and waits until it has reached the test too.
func stopCommand(t *testing.T, caught <-chan os.Signal) {
	t.Helper()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case <-caught:
	case <-time.After(20 * time.Second):
		t.Fatal("the SIGTERM never came")
	}
}

// stopWhileKeyWrites stops login (stopCommand) once its write of the key
// has begun (entered), and reports whether it then says that it stops
// (errOut).
func stopWhileKeyWrites(t *testing.T, entered <-chan struct{}, caught <-chan os.Signal, errOut *testutil.LockedBuffer) bool {
	t.Helper()
	select {
	case <-entered:
	case <-time.After(time.Minute):
		t.Fatal("login never wrote the key")
	}
	stopCommand(t, caught)
	return assert.Eventually(t, func() bool { return strings.Contains(errOut.String(), "Stopping") },
		20*time.Second, 10*time.Millisecond, "login said nothing of the stop: %q", errOut.String())
}

// TestLoginStoppedWhileTheKeyringWaitsSaysSo: Ctrl+C (here SIGTERM)
// while login waits for a keyring slow to keep the API key. The command
// took no notice and exited without a word about it (a real Ctrl+C: it
// died of the signal, its secrets maybe landing in the keyring later with
// no account to name them). It now says that it waits for the keyring to
// end what it was asked, removes what the login filed, says that the
// login is not kept, and exits 143 (SIGTERM's; 130 at Ctrl+C); the keyring holds
// nothing of it and logout finds no account.
func TestLoginStoppedWhileTheKeyringWaitsSaysSo(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	k := heldKeyWrites(t)
	code, errOut, caught := startLogin(t, sb)
	said := stopWhileKeyWrites(t, k.entered, caught, errOut)
	close(k.release)
	var got int
	select {
	case got = <-code:
	case <-time.After(time.Minute):
		t.Fatal("login did not end once the keyring answered")
	}
	if !said {
		t.Fatalf("login ended with %d: %q", got, errOut.String())
	}
	assert.Equal(t, exitStatusOf(syscall.SIGTERM), got, errOut.String())
	assert.Contains(t, errOut.String(), "not kept")
	assert.Empty(t, k.kept(), "the keyring keeps secrets of a login not kept")
	c, out, logoutErr := runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, c, logoutErr)
	assert.Contains(t, out, "No account was signed in")
}

// TestLoginStoppedTwiceEndsAtOnce: a second Ctrl+C while login waits for
// a keyring that never answers ends it at once, exit 143 (here), saying that
// the login is not kept but the keyring may still keep a secret of it,
// and where to delete it.
func TestLoginStoppedTwiceEndsAtOnce(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	k := heldKeyWrites(t)
	t.Cleanup(func() { close(k.release) })
	code, errOut, caught := startLogin(t, sb)
	require.True(t, stopWhileKeyWrites(t, k.entered, caught, errOut))
	began := time.Now()
	stopCommand(t, caught)
	select {
	case got := <-code:
		assert.Equal(t, exitStatusOf(syscall.SIGTERM), got, errOut.String())
	case <-time.After(20 * time.Second):
		t.Fatal("a second stop did not end login")
	}
	assert.Less(t, time.Since(began), storage.DefaultKeyringTimeout, "it waited for the keyring after the second stop")
	assert.Contains(t, errOut.String(), "not kept")
	assert.Contains(t, errOut.String(), "may still keep a secret")
}

// TestLoginOfARememberedAccountStoppedSaysWhatIsKept: Ctrl+C (here
// SIGTERM) while login waits for the keyring, for an account signed in
// before. It said "Stopping: … so as to remove what this login gave it",
// then that the account "stays signed in as it was before it": nothing is
// removed for such an account, and what the keyring holds of it is this
// login's now (its token; a login without --remember deletes a remembered
// password). It now says neither, and the account is still signed in.
func TestLoginOfARememberedAccountStoppedSaysWhatIsKept(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	k := heldKeyWrites(t)
	k.hold.Store(false)
	c, _, loginErr := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
	require.Equal(t, 0, c, loginErr)
	before := k.kept()
	require.NotEmpty(t, before, "the first login kept nothing")

	k.hold.Store(true)
	code, errOut, caught := startLogin(t, sb)
	require.True(t, stopWhileKeyWrites(t, k.entered, caught, errOut))
	close(k.release)
	select {
	case got := <-code:
		assert.Equal(t, exitStatusOf(syscall.SIGTERM), got, errOut.String())
	case <-time.After(time.Minute):
		t.Fatal("login did not end once the keyring answered")
	}
	said := errOut.String()
	assert.NotContains(t, said, "so as to remove", "nothing is removed for an account signed in before")
	assert.NotContains(t, said, "as it was before")
	assert.Contains(t, said, "stays signed in")
	assert.Equal(t, before, k.kept(), "the account signed in before keeps its secrets")
	c, out, statusErr := runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, c, statusErr)
	assert.NotContains(t, out, "No account was signed in", "the account signed in before is still signed in")
}
