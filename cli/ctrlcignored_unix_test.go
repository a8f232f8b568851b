//go:build unix

package cli

import (
	"errors"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// ignoring makes cmd start with the signal sig ignored ("INT", "HUP"),
// as a script's background job starts (sh runs `cmd &` so in a script,
// with SIGINT ignored), or one under `trap "" INT` or nohup (SIGHUP). The
// shell execs cmd in its own place, so cmd's process is the one started.
func ignoring(t *testing.T, cmd *exec.Cmd, sig string) {
	t.Helper()
	sh, err := exec.LookPath("sh")
	require.NoError(t, err)
	cmd.Args = append([]string{"sh", "-c", `trap '' ` + sig + `; exec "$0" "$@"`, cmd.Path}, cmd.Args[1:]...)
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
//
// A hang-up (SIGHUP: the terminal window closed, an ssh connection
// dropped) ended the process by the signal, as a kill does: nothing closed
// the queue or marked what it had printed. It now stops the run as SIGTERM
// does, with exit 129 (128 + SIGHUP, what a shell reports of a process the
// signal ended); one started under nohup (SIGHUP ignored) keeps ignoring
// it and finishes. Either way `resume` then leaves the file printed once,
// by upload --json or by resume, and in the history once.
func TestUploadStartedIgnoringCtrlCKeepsIgnoringIt(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ignored string // the signal the run starts ignoring: "INT", "HUP"
		sig     syscall.Signal
		release bool   // let the held upload go on after the signal
		code    int    // the run's exit status
		said    string // on its stderr
	}{
		{"Ctrl+C is ignored", "INT", syscall.SIGINT, true, 0, "Uploaded 1 file(s)"},
		{"SIGTERM stops it", "INT", syscall.SIGTERM, false, 143, "Interrupted: "},
		{"a hang-up stops it", "", syscall.SIGHUP, false, exitStatusOf(syscall.SIGHUP), "Interrupted: "},
		{"nohup: a hang-up is ignored", "HUP", syscall.SIGHUP, true, 0, "Uploaded 1 file(s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := keyedSandbox(t)
			hold := testutil.NewUploadHold(sb.Srv, 0)
			ts := httptest.NewServer(hold)
			t.Cleanup(ts.Close)
			t.Cleanup(hold.Release) // first: a held request must not keep ts.Close waiting
			file := makeFiles(t, t.TempDir(), 1, func(int) int { return 2500 })[0]
			hold.Arm()
			cmd := testutil.ChildCommand("upload", "--json", "--env", ts.URL, file)
			if tc.ignored != "" {
				ignoring(t, cmd, tc.ignored)
			}
			run := startHeldCmd(t, hold, "the upload", cmd)

			require.NoError(t, run.cmd.Process.Signal(tc.sig))
			if tc.release {
				hold.Release()
			}
			assert.Equal(t, tc.code, exitStatus(t, run.wait(tc.name)), "%s\n%s", run.cmd.ProcessState, run.stderr.String())
			assert.Contains(t, run.stderr.String(), tc.said)

			hold.Release()
			code, out, errOut := runCLI(t, "", "resume", "--json", "--env", ts.URL)
			require.Equal(t, 0, code, errOut)
			printed := strings.Count(run.stdout.String()+out, `"name":"`+filepath.Base(file)+`"`)
			assert.Equal(t, 1, printed, "the file printed once by upload and resume: %q, %q", run.stdout.String(), out)
			recs := historyJSON(t)
			require.Len(t, recs, 1)
			assert.Equal(t, testutil.CIDOf(t, file), recs[0].Hash)
		})
	}
}

// exitStatus is how a child run ended: its exit status, or -1 where a
// signal ended it.
func exitStatus(t *testing.T, err error) int {
	t.Helper()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		return ee.ExitCode()
	}
	require.NoError(t, err)
	return 0
}
