package cli

import (
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

var kernel32 = windows.NewLazySystemDLL("kernel32.dll")

// ownConsole gives the test a console of its own, which the children it
// starts share: Ctrl+C reaches the processes of one console, and the one a
// test runs with may take no console event (under Wine:
// GenerateConsoleCtrlEvent fails, "Invalid access"), or there is none.
// The test's output is not on it (go test reads it through a pipe).
var ownConsole = sync.OnceFunc(func() {
	_, _, _ = kernel32.NewProc("FreeConsole").Call()
	_, _, _ = kernel32.NewProc("AllocConsole").Call()
})

// startInterruptible starts cmd as a process interrupt can press Ctrl+C
// for: one on the test's own console.
func startInterruptible(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	ownConsole()
	require.NoError(t, cmd.Start())
}

// interrupt presses Ctrl+C for the running child cmd as a person does in
// its console: every process on that console gets it (os.Process.Signal
// cannot send it on Windows: "not supported by windows"). The test, on the
// same console, takes its own Ctrl+C and waits for it, so it goes on.
func interrupt(t *testing.T, _ *exec.Cmd) {
	t.Helper()
	own := make(chan os.Signal, 1)
	signal.Notify(own, os.Interrupt)
	defer signal.Stop(own)
	require.NoError(t, windows.GenerateConsoleCtrlEvent(windows.CTRL_C_EVENT, 0))
	select {
	case <-own:
	case <-time.After(time.Minute):
		t.Fatal("the console's Ctrl+C did not reach the test within a minute")
	}
}
