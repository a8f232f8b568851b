//go:build unix

package cli

import (
	"bufio"
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// runSignalled runs the command args as a child of this test binary set
// up by childEnv (a child set-up's variable: childSetUps), sends it sig
// at each of marks it says on stderr, in order, then closes its standard
// input (what untilStdinCloses waits for), and checks that it ended as a
// command a signal stopped does: exit 128 + sig's number (exitStatusOf),
// not by the signal itself. It returns what the child said (stdout,
// stderrText: its stderr but the marks) for the caller's own checks.
// The tests of login and logout stopped at a step (the keyring's probe,
// between two accounts) share it.
func runSignalled(t *testing.T, childEnv string, sig syscall.Signal, args []string, marks ...string) (stdout, stderrText string) {
	t.Helper()
	cmd := testutil.ChildCommand(args...)
	cmd.Env = append(cmd.Env, childEnv+"=1")
	var out strings.Builder
	cmd.Stdout = &out
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	startInterruptible(t, cmd)
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	said := bufio.NewScanner(stderr)
	var errOut strings.Builder
	for _, mark := range marks {
		for said.Scan() && said.Text() != mark {
			errOut.WriteString(said.Text() + "\n")
		}
		require.NoError(t, cmd.Process.Signal(sig), "at %q", mark)
	}
	require.NoError(t, stdin.Close())
	for said.Scan() {
		errOut.WriteString(said.Text() + "\n")
	}
	code := exitStatus(t, cmd.Wait())
	t.Logf("%s ended: %s; it said:\n%s%s", args[0], cmd.ProcessState, out.String(), errOut.String())
	assert.Equal(t, exitStatusOf(sig), code, "%s ended by %s", args[0], sig)
	return out.String(), errOut.String()
}

// childBound bounds a child's wait for what its test does next: a bound
// on a test that fails, not a wait it needs.
const childBound = time.Minute

// untilStdinCloses waits, in a child runSignalled runs, until its
// standard input closes (runSignalled closes it after the last signal),
// or until bound.
func untilStdinCloses(bound <-chan time.Time) {
	released := make(chan struct{})
	go func() { // ends with the process when the test never closes stdin
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(released)
	}()
	select {
	case <-released:
	case <-bound:
	}
}

// untilStopped waits, in a child, until the command's interrupts' ctx has
// ended (or childBound): a signal is seen by the command's own goroutine
// a moment after it arrives, so a child sent one while held waits there
// before the command looks whether it was stopped (storeOpened).
func untilStopped(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(childBound):
	}
}
