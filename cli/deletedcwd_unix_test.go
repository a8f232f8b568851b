//go:build unix

package cli

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderRelativeToADeletedCurrentFolderSaysWhatToDo: `history --folder
// .` run from a folder deleted meanwhile cannot tell which folder is
// meant; it says so and what to give instead, not "folder .: getwd: no
// such file or directory".
func TestFolderRelativeToADeletedCurrentFolderSaysWhatToDo(t *testing.T) {
	gone := t.TempDir()
	t.Chdir(gone)
	require.NoError(t, os.Remove(gone))

	code, out, errOut := runCLI(t, "", "history", "--folder", ".")
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "cannot tell where the folder . is: the current folder no longer exists")
	assert.Contains(t, errOut, "give the folder's full path")
	assert.NotContains(t, errOut, "getwd:")
}
