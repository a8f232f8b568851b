package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
)

// TestResumeSaysWhichFailedFilesAreNoLongerThere: "resume" with nothing
// else to do offers --retry-failed only for the failed uploads whose file
// is still there, since a retry of one that is gone fails again; of those
// it says that their files are gone and to put them back first. Put
// back, a file is offered for a retry again.
func TestResumeSaysWhichFailedFilesAreNoLongerThere(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	files := makeFiles(t, dir, 3, func(i int) int { return 300 + i })
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400, Count: 3})
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, files[0], files[1], files[2])
	require.Equal(t, 1, code, errOut)
	require.NoError(t, os.Remove(files[2])) // gone for good
	require.NoError(t, os.Rename(files[1], files[1]+".away"))

	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Nothing to resume; 1 failed upload(s) can be tried again with --retry-failed; "+
		"the files of 2 more are no longer there: put them back first (--remove-failed takes all 3 out of the queue).\n", errOut)

	require.NoError(t, os.Remove(files[0]))
	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Nothing to resume; the files of the 3 failed upload(s) are no longer there: "+
		"put them back, then run \"dstor-uploader resume --retry-failed\", "+
		"or take them out of the queue with \"dstor-uploader resume --remove-failed\".\n", errOut)

	require.NoError(t, os.Rename(files[1]+".away", files[1]))
	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "Nothing to resume; 1 failed upload(s) can be tried again with --retry-failed; "+
		"the files of 2 more are no longer there")

	code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--retry-failed")
	require.Equal(t, 1, code, "the 2 files still gone fail again: %s", errOut)
	assert.Contains(t, out, filepath.Base(files[1]), "put back, it is uploaded")
	assert.Contains(t, errOut, "; put it back, then retry it", "a file still gone says what to do")
}
