//go:build !windows

package cli

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"
)

// interruptible has nothing to do outside Windows: interrupt signals the
// child itself.
func interruptible(*exec.Cmd) {}

// interrupt presses Ctrl+C for the running child cmd: SIGINT.
func interrupt(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	require.NoError(t, cmd.Process.Signal(os.Interrupt))
}
