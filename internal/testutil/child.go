package testutil

import (
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
)

// childArgsEnv carries the arguments of a test binary started as the
// command line (ChildCommand), joined by childArgsSep.
const (
	childArgsEnv = "DSTOR_TEST_RUN_CLI"
	childArgsSep = "\x1f"
	// childRunsNoTest is the test flag a child starts with; arguments
	// after it (a desktop entry's %F, passed by a launcher) follow those
	// of childArgsEnv.
	childRunsNoTest = "-test.run=^$"
)

// RunIfChild is for TestMain: when this test binary was started by
// ChildCommand, it runs run with the arguments given there and exits with
// its status; otherwise it returns at once.
func RunIfChild(run func(args []string) int) {
	joined, ok := os.LookupEnv(childArgsEnv)
	if !ok {
		return
	}
	var args []string
	if joined != "" {
		args = strings.Split(joined, childArgsSep)
	}
	if len(os.Args) > 2 && os.Args[1] == childRunsNoTest {
		args = append(args, os.Args[2:]...)
	}
	os.Exit(run(args))
}

// ChildCommand is this test binary started again as `dstor-uploader
// ARGS...` (see RunIfChild), running no test itself: a real process that a
// test can kill like the real binary. Its environment is the test's.
func ChildCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], childRunsNoTest)
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(args, childArgsSep))
	return cmd
}

// StartInterruptible starts cmd as a process a test can press Ctrl+C
// for (SIGINT): one that takes it, as a command typed in a terminal does.
// A test binary started with SIGINT ignored (run by a script in the
// background, or under `trap "" INT`) starts its children ignoring it
// too, as exec keeps an ignored signal ignored, and they rightly keep
// ignoring it (startsig.Ignored). While this process watches SIGINT, exec
// gives the child SIGINT's default instead; one that comes meanwhile is
// dropped, as it was ignored anyway. So for a hang-up (SIGHUP) in a test
// binary started under nohup. On Windows neither is ignored this way.
func StartInterruptible(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	var ignored []os.Signal
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGHUP} {
		if startsig.Ignored(sig) {
			ignored = append(ignored, sig)
		}
	}
	if len(ignored) > 0 {
		caught := make(chan os.Signal, 1)
		signal.Notify(caught, ignored...)
		defer signal.Stop(caught)
	}
	require.NoError(t, cmd.Start())
}
