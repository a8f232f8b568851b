package cli

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestVerifyEndsAtAThirdCtrlCWhileItsOutputTakesNothing: verify whose
// output takes nothing (a report written to a network share that stopped
// answering, a pipe whose reader hangs) waits in the print of a line. The
// first Ctrl+C ends its context and the second waits for that line
// (verifyTally.end, so the closing sentence follows every line counted);
// every Ctrl+C after it was swallowed too, so the person could only kill
// it. After the second, Ctrl+C is the system's again: the next one ends
// the process at once. The child's stdout is a pipe the test never reads
// past its first line; Ctrl+C is pressed once the child waits in a write
// to it (Linux: /proc shows the write), and again until it ends: a signal
// sent while an earlier one is still on its way is one signal.
func TestVerifyEndsAtAThirdCtrlCWhileItsOutputTakesNothing(t *testing.T) {
	const files = 1000 // far more lines than a pipe holds
	sb := keyedSandbox(t)
	_, dir := trip(t, files)
	cmd := testutil.ChildCommand("verify", "--env", sb.URL, dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	startInterruptible(t, cmd)
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // none left blocked on its output
	exited := make(chan error, 1)
	first, err := bufio.NewReader(stdout).ReadString('\n')
	go func() { exited <- cmd.Wait() }()
	require.NoError(t, err, "verify printed no line")
	require.Contains(t, first, "not uploaded", "it is verifying the folder")
	waitWritingToStdout(t, cmd.Process.Pid)

	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	bound := time.After(20 * time.Second) // a bound on a failure, not a wait the test needs
	presses := 0
	for {
		// A press once Wait has reaped the child finds no process: it ended
		// at an earlier press, and exited holds how (a tick may have been
		// taken before it, the two being ready at once).
		if err := cmd.Process.Signal(os.Interrupt); !errors.Is(err, os.ErrProcessDone) {
			require.NoError(t, err)
			presses++
		}
		select {
		case err := <-exited:
			var ee *exec.ExitError
			require.True(t, errors.As(err, &ee), "verify ended (%v) after %d Ctrl+C: %s", err, presses, errOut.String())
			ws, _ := ee.Sys().(syscall.WaitStatus)
			assert.True(t, ws.Signaled() && ws.Signal() == syscall.SIGINT,
				"ended by Ctrl+C, not by an exit status (%v)", ee)
			return
		case <-tick.C:
		case <-bound:
			// errOut is the child's stderr as Wait copies it: read once
			// Wait has returned, not while the copy still writes it.
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("%d Ctrl+C did not end verify while its output takes nothing: %s", presses, errOut.String())
		}
	}
}

// writeSyscall is write(2)'s number by architecture, as /proc shows it.
var writeSyscall = map[string]string{"amd64": "1", "arm64": "64", "386": "4"}

// waitWritingToStdout waits until a thread of the process pid waits in a
// write(2) to its stdout, as /proc/PID/task/*/syscall shows (the call's
// number, then its first argument, fd 1).
func waitWritingToStdout(t *testing.T, pid int) {
	t.Helper()
	nr, ok := writeSyscall[runtime.GOARCH]
	if !ok {
		t.Skipf("write(2)'s number on %s is not known here", runtime.GOARCH)
	}
	pattern := filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "syscall")
	for bound := time.Now().Add(2 * time.Minute); time.Now().Before(bound); {
		tasks, _ := filepath.Glob(pattern)
		for _, f := range tasks {
			if b, err := os.ReadFile(f); err == nil && strings.HasPrefix(string(b), nr+" 0x1 ") {
				return
			}
		}
		time.Sleep(10 * time.Millisecond) // polls what /proc shows: no event says it
	}
	t.Fatal("the child never waited in a write to its stdout")
}
