package cli

import (
	"bytes"
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

	cmd := testutil.ChildCommand("upload", "--env", ts.URL, "--concurrency", "1", dir)
	var childErr bytes.Buffer
	cmd.Stderr = &childErr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-hold.Started():
	case err := <-exited:
		t.Fatalf("the upload ended before its third file (%v): %s", err, childErr.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("no third upload within 2 minutes")
	}
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
	select {
	case err := <-exited:
		require.NoError(t, err, childErr.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("the upload did not end within 2 minutes of its release")
	}
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, len(files), strings.Count(out, "\n"))
	assert.Empty(t, errOut)
}
