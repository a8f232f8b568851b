//go:build unix

package cli

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// logoutOpeningEnv, set, makes this test binary's logout (run as a child)
// use a keyring of its own that holds the secrets of logoutAccounts, and
// wait while it opens that keyring (where the OS's is probed: a test entry
// stored, read back and deleted), saying logoutOpening on stderr, until
// its standard input closes; then until it has seen the signal sent
// meanwhile (storeOpened).
const logoutOpeningEnv = "DSTOR_TEST_LOGOUT_OPENING"

const logoutOpening = "opening the keyring"

func init() {
	if os.Getenv(logoutOpeningEnv) != "" {
		childSetUps = append(childSetUps, holdLogoutWhileItOpensTheKeyring)
	}
}

// holdLogoutWhileItOpensTheKeyring sets up logout's child (logoutOpeningEnv).
func holdLogoutWhileItOpensTheKeyring() {
	useLogoutKeyring()
	opened := openSecrets
	openSecrets = func() *storage.SecretStore {
		fmt.Fprintln(os.Stderr, logoutOpening)
		untilStdinCloses(time.After(childBound))
		return opened()
	}
	storeOpened = untilStopped
}

// TestLogoutStoppedWhileItOpensTheKeyring: Ctrl+C, SIGTERM or a hang-up
// while logout opens the keyring, before its first account. logout
// watched for them only once the keyring was open, so the process ended
// there by the signal: with the OS keyring, the probe's test entry
// ("probe|…", stored and deleted again as the keyring opens) stayed in it,
// one more each time. It now stops before the first account, as it does
// after one: every account still signed in, said so with what to run,
// exit 128 + the signal's number.
func TestLogoutStoppedWhileItOpensTheKeyring(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			stopLogoutBeforeTheFirst(t, logoutOpeningEnv, sig, logoutOpening)
		})
	}
}

// stopLogoutBeforeTheFirst runs logout as a child set up by childEnv on
// two remembered accounts, sends it sig once it says mark on stderr
// (runSignalledLogout), and checks that it stopped before the first
// account: both still remembered, none said signed out, both named with
// what to run, exit 128 + sig's number.
func stopLogoutBeforeTheFirst(t *testing.T, childEnv string, sig syscall.Signal, mark string) {
	t.Helper()
	home, out, errOut := runSignalledLogout(t, childEnv, sig, mark)

	assert.NotContains(t, out, "Signed out ")
	assert.Contains(t, errOut, "Interrupted: still signed in to "+logoutEnv+": ")
	assert.Contains(t, errOut, `"dstor-uploader logout --env `+logoutEnv+`"`, "what to run")
	assert.ElementsMatch(t, logoutAccounts, rememberedAccounts(t, home), "stopped before the first: every account stays signed in")
}
