package cli

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// echoes reports whether the terminal tty shows what is typed (ECHO).
func echoes(t *testing.T, tty *os.File) bool {
	t.Helper()
	termios, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	require.NoError(t, err)
	return termios.Lflag&unix.ECHO != 0
}

// loginAtAPrompt starts "login --api-key-stdin" to a sandbox as a
// process of its own whose controlling terminal is a pseudo-terminal
// (openPTY), as in a person's shell: the keys a test writes to control
// are typed there (Ctrl+C is the terminal's SIGINT to the process). It
// returns once the prompt is shown and echo is off, with the process's
// id and its end on ended; the test's end kills a process still running.
// attr nil: the terminal is its controlling one, as below; else attr.
func loginAtAPrompt(t *testing.T, attr *syscall.SysProcAttr) (sb *testutil.Sandbox, control, tty *os.File, errOut *testutil.LockedBuffer, ended <-chan *os.ProcessState, pid int) {
	t.Helper()
	sb, _ = loginSandbox(t)
	control, tty = openPTY(t)
	cmd := testutil.ChildCommand("login", "--env", sb.URL, "--api-key-stdin")
	errOut = &testutil.LockedBuffer{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, errOut, errOut
	// A session of its own, led by the process, with the terminal as its
	// controlling terminal (fd 0 in the child): its process group is the
	// terminal's foreground one, which Ctrl+C signals.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if attr != nil {
		cmd.SysProcAttr = attr
	}
	require.NoError(t, cmd.Start())
	done, exited := make(chan *os.ProcessState, 1), make(chan struct{})
	go func() {
		defer close(exited)
		err := cmd.Wait()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Errorf("wait for login: %v", err)
		}
		done <- cmd.ProcessState
	}()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	go func() { _, _ = io.Copy(io.Discard, control) }() // what the terminal shows
	require.Eventually(t, func() bool { return strings.Contains(errOut.String(), "API key:") && !echoes(t, tty) },
		time.Minute, 10*time.Millisecond, "login never prompted with echo off: %q", errOut.String())
	return sb, control, tty, errOut, done, cmd.Process.Pid
}

// pressedAtTheLoginPrompt types key (Ctrl+C, say) at login's prompt
// (loginAtAPrompt) and waits for login to end, failing the test if it
// goes on or leaves the terminal's echo off. It returns how login ended
// and what it said.
func pressedAtTheLoginPrompt(t *testing.T, key, name string) (sb *testutil.Sandbox, st *os.ProcessState, said string) {
	t.Helper()
	sb, control, tty, errOut, ended, _ := loginAtAPrompt(t, nil)
	_, err := control.Write([]byte(key))
	require.NoError(t, err)
	select {
	case st = <-ended:
	case <-time.After(20 * time.Second):
		t.Fatalf("login still waits after %s: %q", name, errOut.String())
	}
	assert.True(t, echoes(t, tty), "the terminal's echo is left off after %s (login ended: %s)", name, st)
	return sb, st, errOut.String()
}

// TestCtrlCAtTheLoginPromptGivesTheEchoBack: Ctrl+C at login's prompt
// for the API key (echo off) killed the process with the signal, leaving
// the terminal's echo off: the person then typed blind in their shell,
// told nothing. It now gives the echo back, says that the login is not
// kept, and exits 130, as a Ctrl+C during the sign-in does.
func TestCtrlCAtTheLoginPromptGivesTheEchoBack(t *testing.T) {
	sb, st, said := pressedAtTheLoginPrompt(t, "\x03", "Ctrl+C")
	assert.Equal(t, exitInterrupted, st.ExitCode(), "login ended: %s, %q", st, said)
	assert.Contains(t, said, "Interrupted: the login is not kept, and nothing of it was given to the OS keyring.")
	c, out, logoutErr := runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, c, logoutErr)
	assert.Contains(t, out, "No account was signed in")
}

// TestCtrlDAtTheLoginPromptSaysWhatToDo: Ctrl+D (the end of the
// terminal's input) at login's prompt did nothing: the terminal's read
// of 0 bytes was read again, and login waited on. It now ends login,
// exit 1, the echo back on, with a sentence that says that nothing was
// kept and what to do, and no Go error.
func TestCtrlDAtTheLoginPromptSaysWhatToDo(t *testing.T) {
	_, st, said := pressedAtTheLoginPrompt(t, "\x04", "Ctrl+D")
	assert.Equal(t, 1, st.ExitCode(), "login ended: %s, %q", st, said)
	assert.Contains(t, said, "nothing was kept")
	assert.Contains(t, said, "To sign in, run login again")
	assert.NotContains(t, said, "EOF")
}
