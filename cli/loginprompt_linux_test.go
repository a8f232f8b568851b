package cli

import (
	"errors"
	"io"
	"net/http"
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
	"github.com/dstor-uploader/dstor-uploader/storage"
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
// (promptedLogin). attr nil: the terminal is its controlling one; else
// attr.
func loginAtAPrompt(t *testing.T, attr *syscall.SysProcAttr) (sb *testutil.Sandbox, control, tty *os.File, errOut *testutil.LockedBuffer, ended <-chan *os.ProcessState, pid int) {
	t.Helper()
	sb, _ = loginSandbox(t)
	control, tty, errOut, ended, pid = promptedLogin(t, sb.URL, attr)
	return sb, control, tty, errOut, ended, pid
}

// promptedLogin starts "login --api-key-stdin" to the server at url as
// a process of its own whose controlling terminal is a pseudo-terminal
// (openPTY), as in a person's shell: the keys a test writes to control
// are typed there (Ctrl+C is the terminal's SIGINT to the process). It
// returns once the prompt is shown and echo is off, with the process's
// id and its end on ended; the test's end kills a process still running.
// attr nil: the terminal is its controlling one, as below; else attr.
func promptedLogin(t *testing.T, url string, attr *syscall.SysProcAttr) (control, tty *os.File, errOut *testutil.LockedBuffer, ended <-chan *os.ProcessState, pid int) {
	t.Helper()
	control, tty = openPTY(t)
	cmd := testutil.ChildCommand("login", "--env", url, "--api-key-stdin")
	errOut = &testutil.LockedBuffer{}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, errOut, errOut
	// A session of its own, led by the process, with the terminal as its
	// controlling terminal (fd 0 in the child): its process group is the
	// terminal's foreground one, which Ctrl+C signals.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if attr != nil {
		cmd.SysProcAttr = attr
	}
	// Its SIGINT and SIGHUP as a shell gives them, even where this test
	// binary was started ignoring them (nohup, a script's background job).
	startInterruptible(t, cmd)
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
	return control, tty, errOut, done, cmd.Process.Pid
}

// press is what a test does at login's prompt: types at its terminal
// (control), or signals the process (pid).
type press func(t *testing.T, control *os.File, pid int)

// typed is the press of key at the terminal.
func typed(key string) press {
	return func(t *testing.T, control *os.File, _ int) {
		_, err := control.Write([]byte(key))
		require.NoError(t, err)
	}
}

// signalled is sig sent to the process, as a terminal that hangs up or
// another process (kill) sends it.
func signalled(sig syscall.Signal) press {
	return func(t *testing.T, _ *os.File, pid int) {
		require.NoError(t, syscall.Kill(pid, sig))
	}
}

// pressedAtTheLoginPrompt does p (Ctrl+C, say) at login's prompt
// (loginAtAPrompt) and waits for login to end, failing the test if it
// goes on or leaves the terminal's echo off. It returns how login ended
// and what it said.
func pressedAtTheLoginPrompt(t *testing.T, p press, name string) (sb *testutil.Sandbox, st *os.ProcessState, said string) {
	t.Helper()
	sb, control, tty, errOut, ended, pid := loginAtAPrompt(t, nil)
	p(t, control, pid)
	select {
	case st = <-ended:
	case <-time.After(20 * time.Second):
		t.Fatalf("login still waits after %s: %q", name, errOut.String())
	}
	assert.True(t, echoes(t, tty), "the terminal's echo is left off after %s (login ended: %s)", name, st)
	return sb, st, errOut.String()
}

// keyringKeepsKey reports whether the OS keyring holds an API key of
// sb's account for sb, as a login kept to it files it.
func keyringKeepsKey(t *testing.T, sb *testutil.Sandbox) bool {
	t.Helper()
	env, err := commandLineEnv(sb.URL, storage.Settings{})
	require.NoError(t, err)
	_, err = storage.NewSecretStore(testutil.KeyringTimeout).Get(env.Key(), sb.Acc.ID, storage.SecretAPIKey)
	if errors.Is(err, storage.ErrSecretNotFound) {
		return false
	}
	require.NoError(t, err)
	return true
}

// TestStopAtTheLoginPromptGivesTheEchoBack: Ctrl+C at login's prompt
// for the API key (echo off) killed the process with the signal, leaving
// the terminal's echo off: the person then typed blind in their shell,
// told nothing. So did Ctrl+\ (SIGQUIT, with a goroutine dump, exit 2)
// and a hang-up (SIGHUP: the terminal window closed, an ssh drop, kill
// -HUP) where the terminal survives (a tmux pane). Each now gives the
// echo back, says that the login is not kept, keeps nothing (no account
// in the data folder, no key in the keyring) and exits 128 + the
// signal's number, as a shell reports a process the signal ended: 130,
// 131, 129.
func TestStopAtTheLoginPromptGivesTheEchoBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    press
		code int
	}{
		{"Ctrl+C", typed("\x03"), exitStatusOf(syscall.SIGINT)},
		{"Ctrl+\\", typed("\x1c"), 131},
		{"SIGHUP", signalled(syscall.SIGHUP), 129},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb, st, said := pressedAtTheLoginPrompt(t, tc.p, tc.name)
			// %.200q: a Go dump is long.
			assert.Equal(t, tc.code, st.ExitCode(), "login ended: %s, %.200q", st, said)
			assert.True(t, strings.Contains(said, "Interrupted: the login is not kept, and nothing of it was given to the OS keyring."), "login said: %.200q", said)
			assert.False(t, strings.Contains(said, "goroutine "), "a Go dump: %.200q", said)
			assert.False(t, keyringKeepsKey(t, sb), "the keyring keeps the key of a login not kept")
			c, out, logoutErr := runCLI(t, "", "logout", "--env", sb.URL)
			require.Equal(t, 0, c, logoutErr)
			assert.Contains(t, out, "No account was signed in")
		})
	}
}

// TestCtrlDAtTheLoginPromptSaysWhatToDo: Ctrl+D (the end of the
// terminal's input) at login's prompt did nothing: the terminal's read
// of 0 bytes was read again, and login waited on. It now ends login,
// exit 1, the echo back on, with a sentence that says that nothing was
// kept and what to do, and no Go error.
func TestCtrlDAtTheLoginPromptSaysWhatToDo(t *testing.T) {
	_, st, said := pressedAtTheLoginPrompt(t, typed("\x04"), "Ctrl+D")
	assert.Equal(t, 1, st.ExitCode(), "login ended: %s, %q", st, said)
	assert.Contains(t, said, "nothing was kept")
	assert.Contains(t, said, "To sign in, run login again")
	assert.NotContains(t, said, "EOF")
}

// TestSignalsWhileLoginSignsIn: login watches Ctrl+\
// (SIGQUIT) only while the secret is typed; once the prompt has ended
// (here while dStor has not answered the sign-in), it is Go's again:
// SIGQUIT ends the process with a goroutine dump, exit 2, so a person
// can still get a dump of a login that hangs. A hang-up (SIGHUP) then
// stops the login as Ctrl+C does (interrupts): nothing kept, exit 129;
// before, it ended the process by the signal.
func TestSignalsWhileLoginSignsIn(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		dump bool
	}{
		{syscall.SIGQUIT, 2, true},
		{syscall.SIGHUP, exitStatusOf(syscall.SIGHUP), false},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			sb, _ := loginSandbox(t)
			asked := make(chan struct{}, 1)
			ts, _ := heldFront(t, func(w http.ResponseWriter, r *http.Request, released <-chan struct{}) {
				if r.URL.Path == "/v1/dev/temp-token" {
					select {
					case asked <- struct{}{}:
					default:
					}
					if !held(r, released) {
						return
					}
				}
				sb.Srv.ServeHTTP(w, r)
			})
			control, _, errOut, ended, pid := promptedLogin(t, ts.URL, nil)
			_, err := control.Write([]byte(sb.Key + "\n"))
			require.NoError(t, err)
			select {
			case <-asked:
			case <-time.After(time.Minute):
				t.Fatalf("login never asked for a token: %q", errOut.String())
			}
			require.NoError(t, syscall.Kill(pid, tc.sig))
			var st *os.ProcessState
			select {
			case st = <-ended:
			case <-time.After(20 * time.Second):
				t.Fatalf("login goes on after %s: %q", tc.sig, errOut.String())
			}
			assert.Equal(t, tc.code, st.ExitCode(), "login ended: %s, %.200q", st, errOut.String())
			if tc.dump {
				assert.Contains(t, errOut.String(), "goroutine ", "no dump")
				assert.NotContains(t, errOut.String(), "Interrupted")
			} else {
				assert.Contains(t, errOut.String(), "Interrupted: the login is not kept")
			}
		})
	}
}
