//go:build unix

package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// logoutChildEnv, set, makes this test binary's logout (run as a child:
// testutil.ChildCommand) use a keyring of its own that holds the secrets
// of logoutAccounts, and stop after the first account it signs out (in
// the order of the remembered accounts): it
// says logoutPaused on stderr, then waits until its stop (at most a
// minute).
const logoutChildEnv = "DSTOR_TEST_LOGOUT_STOPPED"

const (
	logoutEnv    = "http://127.0.0.1:9"
	logoutPaused = "paused after the first account"
)

var logoutAccounts = []string{"first@example.com", "second@example.com"}

func init() {
	if os.Getenv(logoutChildEnv) != "" {
		childSetUps = append(childSetUps, stopLogoutAfterTheFirst)
	}
}

// useLogoutKeyring makes logout's child use a keyring of its own that
// holds the secrets of logoutAccounts.
func useLogoutKeyring() {
	secrets := testutil.NewKeyring().Store()
	for _, a := range logoutAccounts {
		for _, kind := range []storage.SecretKind{storage.SecretToken, storage.SecretPassword} {
			if err := secrets.Set(logoutEnv, a, kind, string(kind)+" of "+a); err != nil {
				panic(err)
			}
		}
	}
	openSecrets = func() *storage.SecretStore { return secrets }
}

// stopLogoutAfterTheFirst sets up logout's child (logoutChildEnv).
func stopLogoutAfterTheFirst() {
	useLogoutKeyring()
	paused := false
	afterSignOut = func(ctx context.Context, _ string) {
		if paused {
			return
		}
		paused = true
		fmt.Fprintln(os.Stderr, logoutPaused)
		untilStopped(ctx)
	}
}

// TestLogoutStoppedBetweenAccounts: Ctrl+C, SIGTERM or a hang-up (the
// terminal closed) while logout signs out the accounts of an environment,
// once it has removed the first one's secrets from the keyring and said
// "Signed out". logout took no signal: the process ended by it there, so
// the account it said was signed out stayed remembered (signed in for the
// window and the next command) with its secrets gone from the keyring.
// It now stops after the account being signed out: that one is
// forgotten, the next stays signed in as it was, it says so and what to
// run, and exits 128 + the signal's number.
func TestLogoutStoppedBetweenAccounts(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			signalLogout(t, logoutChildEnv, sig, logoutPaused)
		})
	}
}

// signalLogout runs logout as a child set up by childEnv on two
// remembered accounts, sends it sig at each of marks it says on stderr,
// then closes its standard input (runSignalledLogout), and checks that it
// stopped after the account being signed out: that one signed out and
// forgotten, the next remembered, what to run said, exit 128 + sig's
// number.
func signalLogout(t *testing.T, childEnv string, sig syscall.Signal, marks ...string) {
	t.Helper()
	home, out, errOut := runSignalledLogout(t, childEnv, sig, marks...)

	assert.Len(t, rememberedAccounts(t, home), 1, "the account signed out is forgotten, the next stays signed in")
	require.Equal(t, 1, strings.Count(out, "Signed out "), "one account signed out, then stopped: %q", out)
	gone, kept := logoutAccounts[0], logoutAccounts[1]
	if !strings.Contains(out, "Signed out "+gone+" ") {
		gone, kept = kept, gone
	}
	assert.Contains(t, errOut, "Interrupted: still signed in to "+logoutEnv+": "+kept+". ")
	assert.Contains(t, errOut, `"dstor-uploader logout --env `+logoutEnv+`"`, "what to run")
	assert.Equal(t, []string{kept}, rememberedAccounts(t, home),
		"the account signed out is forgotten, the next stays signed in")
}

// runSignalledLogout runs logout as a child set up by childEnv on two
// remembered accounts (logoutAccounts) in a data folder of its own, home,
// and sends it sig at each of marks it says on stderr (runSignalled, which
// checks its exit status). It returns what it said (stdout, stderrText).
func runSignalledLogout(t *testing.T, childEnv string, sig syscall.Signal, marks ...string) (home, stdout, stderrText string) {
	t.Helper()
	home = t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(APIKeyEnv, "")
	rememberAccounts(t, home, logoutEnv, logoutAccounts...)
	stdout, stderrText = runSignalled(t, childEnv, sig, []string{"logout", "--env", logoutEnv}, marks...)
	return home, stdout, stderrText
}

// logoutHeldEnv, set, makes this test binary's logout (run as a child)
// use a keyring of its own that holds the secrets of logoutAccounts, and
// wait, the first time it has removed an account's secrets and not yet
// forgotten it (signingOut), saying on stderr logoutInTheMiddle, then
// logoutStopped once stopped (the first signal), then logoutStoppedAgain
// once stopped again (the second), until its standard input closes.
const logoutHeldEnv = "DSTOR_TEST_LOGOUT_HELD"

const (
	logoutInTheMiddle  = "secrets removed, account not yet forgotten"
	logoutStopped      = "stopped"
	logoutStoppedAgain = "stopped again"
)

func init() {
	if os.Getenv(logoutHeldEnv) != "" {
		childSetUps = append(childSetUps, holdLogoutInTheMiddle)
	}
}

// holdLogoutInTheMiddle sets up logout's child (logoutHeldEnv).
func holdLogoutInTheMiddle() {
	useLogoutKeyring()
	held := false
	signingOut = func(ctx context.Context, again <-chan struct{}, _ string) {
		if held {
			return
		}
		held = true
		bound := time.After(childBound)
		fmt.Fprintln(os.Stderr, logoutInTheMiddle)
		for _, step := range []struct {
			done <-chan struct{}
			say  string
		}{{ctx.Done(), logoutStopped}, {again, logoutStoppedAgain}} {
			select {
			case <-step.done:
				fmt.Fprintln(os.Stderr, step.say)
			case <-bound:
				return
			}
		}
		untilStdinCloses(bound)
	}
}

// TestLogoutsThirdSignalDoesNotSplitAnAccount: three signals (Ctrl+C,
// SIGTERM or a hang-up, pressed again because logout seemed slow) while
// logout has removed an account's secrets from the keyring but not yet
// forgotten it in the settings. After the second, a signal was the
// system's again (interrupts), so the third ended the process there: the
// account stayed remembered, shown signed in to the window, login and
// upload, with its secrets gone. A signal now waits until the account is
// forgotten (the keyring's and the history's own timeouts bound it): that
// one is signed out and forgotten, the next stays signed in with its
// secrets, and it exits 128 + the signal's number.
func TestLogoutsThirdSignalDoesNotSplitAnAccount(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			// The third once the second is taken.
			signalLogout(t, logoutHeldEnv, sig, logoutInTheMiddle, logoutStopped, logoutStoppedAgain)
		})
	}
}
