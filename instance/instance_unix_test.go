//go:build unix

package instance

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSocketIsTheUsersAlone(t *testing.T) {
	dir := t.TempDir()
	claimOrFail(t, dir)
	fi, err := os.Stat(filepath.Join(dir, socketName))
	require.NoError(t, err)
	assert.Equal(t, os.ModeSocket, fi.Mode().Type())
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// A window killed with SIGKILL leaves its socket behind; the next launch
// must become the window, not hand its files to nobody. (The child is this
// test binary holding the claim, see TestMain.)
func TestStaleClaimAfterCrash(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "claimed\n", line)

	// While it runs, a launch hands over.
	_, handed, err := Claim(t.Context(), dir, Request{})
	require.NoError(t, err)
	assert.True(t, handed)

	// A window that hangs (stopped here) takes no hand-off: the launch
	// gives up after HandoffTimeout, it does not wait for ever.
	require.NoError(t, cmd.Process.Signal(syscall.SIGSTOP))
	waitStopped(t, cmd.Process.Pid)
	start := time.Now()
	_, handed, err = Claim(t.Context(), dir, Request{})
	assert.ErrorIs(t, err, ErrNotAnswering)
	assert.False(t, handed)
	t.Logf("gave up on a hung window after %s", time.Since(start).Round(time.Millisecond))

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	_, err = os.Stat(filepath.Join(dir, socketName))
	require.NoError(t, err, "the killed window's socket is still there")

	start = time.Now()
	srv := claimOrFail(t, dir)
	t.Logf("claimed over a stale socket in %s", time.Since(start))
	go func() { h := <-srv.Requests(); h.Done() }()
	_, handed, err = Claim(t.Context(), dir, Request{Paths: []string{"/x"}})
	require.NoError(t, err)
	assert.True(t, handed, "the new window takes hand-offs")
}

// waitStopped waits until process pid is stopped (SIGSTOP is delivered
// asynchronously), where /proc tells.
func waitStopped(t *testing.T, pid int) {
	stat := fmt.Sprintf("/proc/%d/stat", pid)
	if _, err := os.Stat(stat); err != nil {
		t.Skip("no /proc to tell when the window is stopped")
	}
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(stat)
		if err != nil {
			return false
		}
		// pid (comm) state ...: the state follows the last ')'.
		rest := b[bytes.LastIndexByte(b, ')')+1:]
		return len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] == 'T'
	}, 10*time.Second, time.Millisecond, "the window stops")
}
