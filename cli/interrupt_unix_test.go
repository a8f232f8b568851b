//go:build !windows

package cli

import (
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
)

// startInterruptible starts cmd as a process interrupt can press Ctrl+C
// for: one that takes it. A test binary started with SIGINT ignored (run
// by a script in the background, or under `trap "" INT`) starts its
// children ignoring it too, as exec keeps an ignored signal ignored, and
// they rightly keep ignoring it (startsig.Ignored). While this process
// watches SIGINT, exec gives the child SIGINT's default instead; one that
// comes meanwhile is dropped, as it was ignored anyway. So for a hang-up
// (SIGHUP) in a test binary started under nohup.
func startInterruptible(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	var ignored []os.Signal
	if startsig.Ignored(os.Interrupt) {
		ignored = append(ignored, os.Interrupt)
	}
	if startsig.Ignored(syscall.SIGHUP) {
		ignored = append(ignored, syscall.SIGHUP)
	}
	if len(ignored) > 0 {
		caught := make(chan os.Signal, 1)
		signal.Notify(caught, ignored...)
		defer signal.Stop(caught)
	}
	require.NoError(t, cmd.Start())
}

// interrupt presses Ctrl+C for the running child cmd: SIGINT.
func interrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
}
