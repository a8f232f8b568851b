//go:build unix

package cli

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// historyChildEnv, set, makes this test binary's `history --folder` (run
// as a child) stop once it has read the folder's latest upload, in its
// read of the history: it says historyPaused on stderr and waits (at most
// a minute) for what the test sends it.
const historyChildEnv = "DSTOR_TEST_HISTORY_PAUSED"

const historyPaused = "paused in the history's read"

func init() {
	if os.Getenv(historyChildEnv) != "" {
		childSetUps = append(childSetUps, func() {
			afterFolderShareRead = func() {
				fmt.Fprintln(os.Stderr, historyPaused)
				<-time.After(time.Minute) // a bound on a test that fails: the signal ends the child here
			}
		})
	}
}

// TestHistoryEndedBySignalsLeavesNothingWrong: `history` only reads the
// data folder (one read of the history; its spool file has no name:
// TestSpoolKilledLeavesNoFile), so Ctrl+C, SIGTERM or a hang-up may end
// it at once, by the signal, as README says: nothing is left in the
// temporary folder, and the next history lists the same, exit 0.
func TestHistoryEndedBySignalsLeavesNothingWrong(t *testing.T) {
	_, files, dir := uploadedTrip(t, 3)
	code, before, noted := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	require.Equal(t, 0, code, noted)
	require.Len(t, strings.Fields(before), len(files))
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			cmd := testutil.ChildCommand("history", "--folder", dir, "--format", "cid")
			cmd.Env = append(cmd.Env, historyChildEnv+"=1", "TMPDIR="+tmp)
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			startInterruptible(t, cmd)
			t.Cleanup(func() { _ = cmd.Process.Kill() })
			said := bufio.NewScanner(stderr)
			for said.Scan() && said.Text() != historyPaused {
			}
			require.NoError(t, cmd.Process.Signal(sig))
			for said.Scan() {
			}
			err = cmd.Wait()
			require.Error(t, err, "history ended by %s", sig)
			assert.Equal(t, -1, exitStatus(t, err), "history ended by the signal: %s", cmd.ProcessState)

			left, err := os.ReadDir(tmp)
			require.NoError(t, err)
			assert.Empty(t, left, "left in the temporary folder")
			code, after, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
			assert.Equal(t, 0, code, errOut)
			assert.Equal(t, noted, errOut, "what it says besides the list")
			assert.Equal(t, before, after)
		})
	}
}
