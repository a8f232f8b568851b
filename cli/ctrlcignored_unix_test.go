//go:build unix

package cli

import (
	"errors"
	"net/http/httptest"
	"os/exec"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// ignoringCtrlC makes cmd start as a script's background job starts (sh
// runs `cmd &` so in a script), or one under `trap "" INT`: with SIGINT
// ignored. The shell execs cmd in its own place, so cmd's process is the
// one started.
func ignoringCtrlC(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	require.NoError(t, err)
	cmd.Args = append([]string{"sh", "-c", `trap '' INT; exec "$0" "$@"`, cmd.Path}, cmd.Args[1:]...)
	cmd.Path = sh
}

// TestUploadStartedIgnoringCtrlCKeepsIgnoringIt: a script's background job
// starts with SIGINT ignored, so that Ctrl+C at the terminal is for the
// job in the foreground. upload caught it anyway (signal.Notify takes an
// ignored signal back): Ctrl+C at the terminal stopped the background
// upload's queue, and after a second Ctrl+C SIGINT was ignored again, so
// what it did depended on how many were typed. A run started so keeps
// ignoring Ctrl+C, as programs do by convention; SIGTERM (kill, a logout)
// still stops it as README says. The signal is sent while the run's upload
// is held. After Ctrl+C the upload is let go on, to finish; after SIGTERM
// it stays held, so the run ends only by stopping (let go at once, the
// upload could finish before the signal was handled: exit 0 under load).
func TestUploadStartedIgnoringCtrlCKeepsIgnoringIt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sig     syscall.Signal
		release bool   // let the held upload go on after the signal
		code    int    // the run's exit status
		said    string // on its stderr
	}{
		{"Ctrl+C is ignored", syscall.SIGINT, true, 0, "Uploaded 1 file(s)"},
		{"SIGTERM stops it", syscall.SIGTERM, false, exitInterrupted, "Interrupted: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := keyedSandbox(t)
			hold := testutil.NewUploadHold(sb.Srv, 0)
			ts := httptest.NewServer(hold)
			t.Cleanup(ts.Close)
			t.Cleanup(hold.Release) // first: a held request must not keep ts.Close waiting
			file := makeFiles(t, t.TempDir(), 1, func(int) int { return 2500 })[0]
			hold.Arm()
			cmd := testutil.ChildCommand("upload", "--env", ts.URL, file)
			ignoringCtrlC(t, cmd)
			run := startHeldCmd(t, hold, "the background upload", cmd)

			require.NoError(t, run.cmd.Process.Signal(tc.sig))
			if tc.release {
				hold.Release()
			}
			err := run.wait(tc.name)
			code := 0
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				code = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.code, code, "%s\n%s", run.cmd.ProcessState, run.stderr.String())
			assert.Contains(t, run.stderr.String(), tc.said)
		})
	}
}
