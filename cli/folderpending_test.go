package cli

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderLinksWhileItsUploadRuns: history --folder DIR --format … is
// "the folder's list of links". Asked while the upload of DIR still runs
// in another process (here held after two of its four files), the list
// holds the two uploaded so far: it must say that it is not the whole
// folder yet and exit 1, so a script that shares the list does not share
// half of it as all of it. Once the upload is done, the whole list exits 0.
func TestFolderLinksWhileItsUploadRuns(t *testing.T) {
	sb := keyedSandbox(t)
	files := makeFiles(t, filepath.Join(t.TempDir(), "trip"), 4, func(i int) int { return 1500 + i })
	dir := filepath.Dir(files[0])
	hold := testutil.NewUploadHold(sb.Srv, 2)
	hold.Arm()
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release)

	run := startHeld(t, hold, "the upload", nil, "upload", "--env", ts.URL, "--concurrency", "1", dir) // held at its third file
	// The third upload began once the second was answered; wait for it
	// to be recorded too (the run records in rounds).
	require.Eventually(t, func() bool {
		code, out, _ := runCLI(t, "", "history", "--format", "cid", "--limit", "0")
		return code == 0 && strings.Count(out, "\n") == 2
	}, 2*time.Minute, 20*time.Millisecond, "two uploads recorded")

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, "not the folder's whole list: %s", errOut)
	assert.Equal(t, 2, strings.Count(out, "\n"), "the two uploaded so far: %s", out)
	assert.Contains(t, errOut, "2 file(s) of this upload of "+dir+" are not uploaded yet")
	assert.Contains(t, errOut, "dstor-uploader resume")

	hold.Release()
	require.NoError(t, run.wait("its release"), run.stderr.String())
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, len(files), strings.Count(out, "\n"))
	assert.Empty(t, errOut)
}
