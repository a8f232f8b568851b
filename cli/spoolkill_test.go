package cli

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// spoolChildEnv, set, makes the test binary a process that spills a
// spool to its temporary file, says "spilled", and waits to be killed.
const spoolChildEnv = "DSTOR_TEST_SPOOL_CHILD"

func init() {
	if os.Getenv(spoolChildEnv) == "" {
		return
	}
	s := newSpool(blockedOutput{})
	piece := make([]byte, 64<<10)
	for range 4 * spoolMemory / len(piece) {
		if _, err := s.Write(piece); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Fprintln(os.Stderr, "spilled")
	select {}
}

// blockedOutput is a stdout that never takes anything.
type blockedOutput struct{}

func (blockedOutput) Write([]byte) (int, error) { select {} }

// TestSpoolKilledLeavesNoFile: history killed while its spool keeps part
// of the list in a temporary file (a pager quit on its first page, which
// ends history with SIGPIPE; Ctrl+C; a kill) leaves no file behind. The
// file was removed only by the spool's Close, so every `history | less`
// quit early left a file as large as the list in the temporary folder.
func TestSpoolKilledLeavesNoFile(t *testing.T) {
	tmp := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), spoolChildEnv+"=1", "TMPDIR="+tmp, "TMP="+tmp, "TEMP="+tmp)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	said, err := bufio.NewReader(stderr).ReadString('\n')
	require.NoError(t, err, "the child ended before it spilled")
	require.Equal(t, "spilled", strings.TrimSpace(said))
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	entries, err := os.ReadDir(tmp)
	require.NoError(t, err)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	assert.Empty(t, left, "left in the temporary folder by a killed spool")
}
