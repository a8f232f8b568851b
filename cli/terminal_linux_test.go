package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// openPTY opens a pseudo-terminal: the side a test writes to, and the
// side a child reads as its terminal.
func openPTY(t *testing.T) (control, term *os.File) {
	t.Helper()
	control, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	t.Cleanup(func() { _ = control.Close() })
	require.NoError(t, unix.IoctlSetPointerInt(int(control.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(control.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	term, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = term.Close() })
	return control, term
}

// TestPasswordTypedOnATerminalIsKeptWhole: a password typed at login's
// prompt on a terminal is the password, spaces around it included, as it
// is when piped in and in the window's field: a password that begins or
// ends with a space signs in.
func TestPasswordTypedOnATerminalIsKeptWhole(t *testing.T) {
	sb, _ := loginSandbox(t)
	const pw = " spaced out "
	_, err := sb.Srv.CreateAccount("spaces@example.com", pw)
	require.NoError(t, err)
	control, term := openPTY(t)

	cmd := testutil.ChildCommand("login", "--env", sb.URL, "--email", "spaces@example.com", "--password-stdin")
	var out, errOut bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = term, &out, &errOut
	require.NoError(t, cmd.Start())
	go func() { _, _ = io.Copy(io.Discard, control) }() // what the terminal shows
	_, err = control.Write([]byte(pw + "\n"))
	require.NoError(t, err)
	err = cmd.Wait()
	assert.NoError(t, err, "stdout %q, stderr %q", out.String(), errOut.String())
	assert.Contains(t, errOut.String(), "Password:", "prompted on the terminal")
	assert.Contains(t, out.String(), "Signed in")
}
