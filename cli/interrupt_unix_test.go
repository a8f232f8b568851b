//go:build !windows

package cli

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// startInterruptible starts cmd as a process interrupt can press Ctrl+C
// for: one that takes it, however this test binary was started
// (testutil.StartInterruptible).
func startInterruptible(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	testutil.StartInterruptible(t, cmd)
}

// interrupt presses Ctrl+C for the running child cmd: SIGINT.
func interrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
}
