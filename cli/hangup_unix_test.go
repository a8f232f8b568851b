//go:build unix

package cli

import (
	"bufio"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// The hang-up of upload and resume: TestUploadStartedIgnoringCtrlCKeepsIgnoringIt;
// of login while it signs in: TestSignalsWhileLoginSignsIn.

// TestSandboxAtAHangUpRemovesItsStore: `dstor-uploader sandbox` without
// --data keeps what is uploaded in a temporary store that it removes on
// exit (README). Closing the terminal it runs in (SIGHUP) ended it by
// the signal and left that store, every upload's content, in $TMPDIR. It
// now shuts down as at Ctrl+C and removes it.
func TestSandboxAtAHangUpRemovesItsStore(t *testing.T) {
	tmp := t.TempDir()
	cmd := testutil.ChildCommand("sandbox", "--listen", "127.0.0.1:0")
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	startInterruptible(t, cmd)
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	out := bufio.NewScanner(stdout)
	require.True(t, out.Scan(), "the sandbox printed its address")
	require.Contains(t, out.Text(), "API base: ")
	stores, err := filepath.Glob(filepath.Join(tmp, "dstor-sandbox-*"))
	require.NoError(t, err)
	require.Len(t, stores, 1, "the sandbox made its store in $TMPDIR")

	require.NoError(t, cmd.Process.Signal(syscall.SIGHUP))
	for out.Scan() { // until the sandbox ends
	}
	ended := make(chan error, 1)
	go func() { ended <- cmd.Wait() }()
	select {
	case err = <-ended:
	case <-time.After(2 * time.Minute): // a bound on a hang, not a wait for an event
		t.Fatal("the sandbox did not end")
	}
	t.Logf("the sandbox ended: %v; it logged:\n%s", cmd.ProcessState, stderr.String())
	_, statErr := os.Stat(stores[0])
	assert.True(t, os.IsNotExist(statErr), "the sandbox's temporary store is left after a hang-up (%s): %v", cmd.ProcessState, statErr)
	assert.NotEqual(t, -1, exitStatus(t, err), "ended by the signal: %s", cmd.ProcessState)
}

// TestVerifyStopsAtAHangUp: a hang-up while `verify` reads a file ended
// the process by the signal, its output cut off with no word of what was
// not verified. It now stops as at Ctrl+C, with its sentence, and exits
// 129. The signal is real (SIGHUP to this process, which watches it too
// so that none ends the test binary), sent while verify reads the second
// file; the read then returns.
func TestVerifyStopsAtAHangUp(t *testing.T) {
	if startsig.Ignored(syscall.SIGHUP) {
		t.Skip("this test binary was started with SIGHUP ignored (nohup), so verify run in it rightly ignores a hang-up")
	}
	delivered := make(chan os.Signal, 1)
	signal.Notify(delivered, syscall.SIGHUP)
	t.Cleanup(func() { signal.Stop(delivered) })
	v := verifyReadingTheSecond(t)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	<-delivered
	v.release()
	select {
	case r := <-v.done:
		assert.Equal(t, exitStatusOf(syscall.SIGHUP), r.code, "%s%s", r.out, r.err)
		assert.Contains(t, r.err, "verify was interrupted: the files after the last line printed were not verified")
	case <-time.After(2 * time.Minute): // a bound on a failure, not a wait the test needs
		t.Fatal("verify did not end after the hang-up")
	}
}
