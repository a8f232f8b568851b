//go:build unix

package cli

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// loginProbingEnv, set, makes this test binary's login (run as a child)
// use the OS keyring through a store that, the first time the keyring's
// probe (storage.NewSecretStore: a test entry stored, read back and
// deleted) has stored its test entry, says on stderr that entry's name
// (after probeEntryIs), then loginProbing, and waits until its standard
// input closes; then until login has seen the signal sent meanwhile
// (storeOpened).
const loginProbingEnv = "DSTOR_TEST_LOGIN_PROBING"

const (
	loginProbing = "probing the keyring"
	probeEntryIs = "the probe's entry: "
	// loginProbeEnv is the environment the child signs in to: it is
	// stopped before it asks anything of it.
	loginProbeEnv = "http://127.0.0.1:9"
)

func init() {
	if os.Getenv(loginProbingEnv) != "" {
		childSetUps = append(childSetUps, holdLoginWhileItProbesTheKeyring)
	}
}

// holdLoginWhileItProbesTheKeyring sets up login's child (loginProbingEnv).
func holdLoginWhileItProbesTheKeyring() {
	var once sync.Once
	held := func(user string) {
		if !strings.HasPrefix(user, "probe|") {
			return
		}
		once.Do(func() {
			fmt.Fprintln(os.Stderr, probeEntryIs+user)
			fmt.Fprintln(os.Stderr, loginProbing)
			untilStdinCloses(time.After(childBound))
		})
	}
	openSecrets = func() *storage.SecretStore {
		return storage.NewSecretStoreOn(storage.KeyringFuncs{
			Set: func(service, user, value string) error {
				err := keyring.Set(service, user, value)
				held(user)
				return err
			},
			Get:    keyring.Get,
			Delete: keyring.Delete,
		}, testutil.KeyringTimeout)
	}
	storeOpened = untilStopped
}

// TestLoginStoppedWhileItProbesTheKeyring: Ctrl+C, SIGTERM or a hang-up
// while login opens the OS keyring, once the keyring's probe has stored
// its test entry and before it deletes it. login watched for them only
// once the keyring was open, so the process ended there by the signal
// (no sentence, no exit status of its own) and left the test entry, a
// "probe|…" secret of dstor-uploader, in the person's keyring: one more
// each time. It now lets the probe finish, says the login is not kept,
// and exits 128 + the signal's number: the test entry gone, no account
// remembered.
func TestLoginStoppedWhileItProbesTheKeyring(t *testing.T) {
	requireKeyring(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			home := t.TempDir()
			t.Setenv(storage.HomeEnv, home)
			t.Setenv(APIKeyEnv, "")
			out, errOut := runSignalled(t, loginProbingEnv, sig,
				[]string{"login", "--env", loginProbeEnv, "--api-key-stdin"}, loginProbing)

			assert.Empty(t, out)
			assert.Contains(t, errOut, "Interrupted: the login is not kept, and nothing of it was given to the OS keyring.")
			_, entry, found := strings.Cut(errOut, probeEntryIs)
			require.True(t, found, "the child names the probe's entry")
			entry, _, _ = strings.Cut(entry, "\n")
			_, err := keyring.Get(storage.AppName, entry)
			if !assert.ErrorIs(t, err, keyring.ErrNotFound, "the probe's entry %s left in the keyring", entry) {
				_ = keyring.Delete(storage.AppName, entry)
			}
			assert.Empty(t, rememberedAccounts(t, home), "no account remembered")
		})
	}
}
