package cli

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// stopped reports whether the process pid is stopped by job control, as
// its /proc stat says ("T").
func stopped(t *testing.T, pid int) bool {
	t.Helper()
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	require.NoError(t, err)
	// "pid (comm) state …": comm may hold spaces; the state follows ") ".
	s := string(stat)
	return strings.HasPrefix(s[strings.LastIndexByte(s, ')')+2:], "T")
}

// setEcho turns the echo of tty on or off, as a shell does with its own
// modes while a job it runs is stopped.
func setEcho(t *testing.T, tty *os.File, on bool) {
	t.Helper()
	termios, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	require.NoError(t, err)
	termios.Lflag &^= unix.ECHO
	if on {
		termios.Lflag |= unix.ECHO
	}
	require.NoError(t, unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, termios))
}

// TestCtrlZAtTheLoginPromptGivesTheEchoBackUntilFg: Ctrl+Z (SIGTSTP) at
// login's prompt for the API key stopped login with the terminal's echo
// off, so the person's shell took what they typed blind; and after `fg`
// (SIGCONT) the rest of the key was echoed if the shell had turned its
// echo on meanwhile, as shells do. Now login gives the echo back as it
// stops, turns it off again once continued, and the key typed in two
// parts, before and after the stop, signs in; the echo is on after.
//
// login runs in a process group of its own in the test's session, as a
// shell's job does (a group that is not orphaned, where SIGTSTP stops);
// the test signals it as the terminal and the shell would.
func TestCtrlZAtTheLoginPromptGivesTheEchoBackUntilFg(t *testing.T) {
	sb, control, tty, errOut, ended, pid := loginAtAPrompt(t, &syscall.SysProcAttr{Setpgid: true})

	half := len(sb.Key) / 2
	_, err := control.Write([]byte(sb.Key[:half]))
	require.NoError(t, err)
	require.NoError(t, syscall.Kill(-pid, syscall.SIGTSTP)) // Ctrl+Z
	require.Eventually(t, func() bool { return stopped(t, pid) }, time.Minute, 10*time.Millisecond, "login never stopped at Ctrl+Z")
	assert.True(t, echoes(t, tty), "login stopped at Ctrl+Z with the terminal's echo off: the shell takes what is typed blind")

	setEcho(t, tty, true)                                   // the shell's own mode, as it waits for `fg`
	require.NoError(t, syscall.Kill(-pid, syscall.SIGCONT)) // fg
	require.Eventually(t, func() bool { return !stopped(t, pid) && !echoes(t, tty) }, 20*time.Second, 10*time.Millisecond,
		"after fg the rest of the key would be echoed (echo on: %v)", echoes(t, tty))

	_, err = control.Write([]byte(sb.Key[half:] + "\n"))
	require.NoError(t, err)
	var st *os.ProcessState
	select {
	case st = <-ended:
	case <-time.After(time.Minute):
		t.Fatalf("login still waits after the key's Enter: %q", errOut.String())
	}
	assert.Equal(t, 0, st.ExitCode(), "login ended: %s, %q", st, errOut.String())
	assert.Contains(t, errOut.String(), "Signed in")
	assert.True(t, keyringKeepsKey(t, sb), "the key of the login is not in the keyring")
	assert.True(t, echoes(t, tty), "the terminal's echo is left off after login")
}
