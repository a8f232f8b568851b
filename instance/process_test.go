package instance

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startHolder starts this test binary as a window holding dir (see
// TestMain) and waits until it has claimed it; lines gives what it prints
// after that, one request's paths a line.
func startHolder(t *testing.T, dir string) (cmd *exec.Cmd, lines *bufio.Scanner) {
	t.Helper()
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines = bufio.NewScanner(out)
	require.True(t, lines.Scan(), "the holder says it claimed %s: %v", dir, lines.Err())
	require.Equal(t, "claimed", lines.Text())
	return cmd, lines
}

// Launches, each a process of its own, hand their files to a window in
// another process, each within HandoffTimeout, in order.
func TestLaunchesHandOverToAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	_, lines := startHolder(t, dir)
	var took []time.Duration
	for i := range 5 {
		p := fmt.Sprintf("/file-%d", i)
		launch := exec.Command(os.Args[0], "-test.run=^$", "--", p)
		launch.Env = append(os.Environ(), launchEnv+"="+dir)
		start := time.Now()
		out, err := launch.CombinedOutput()
		took = append(took, time.Since(start))
		require.NoError(t, err, "launch %d: %s", i, out)
		require.True(t, lines.Scan(), "the window reports hand-off %d: %v", i, lines.Err())
		assert.Equal(t, p, lines.Text())
	}
	slices.Sort(took)
	t.Logf("launches (start, hand-off, exit): median %s, slowest %s", took[len(took)/2], took[len(took)-1])
}
