//go:build unix

package cli

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderListWithAFileReplacedBeforeItsUploadIsNotWhole: a file of DIR
// replaced by another file after the listing, before its upload, is
// skipped (the new file was not listed), but DIR holds it, never
// uploaded: history --folder DIR must say the list is not whole and to
// upload the folder again, exit 1. A file deleted meanwhile leaves the
// list whole. Uploaded again, the new file is sent and the list is whole.
func TestFolderListWithAFileReplacedBeforeItsUploadIsNotWhole(t *testing.T) {
	sb := keyedSandbox(t)
	files, dir := trip(t, 3)
	hold := testutil.NewUploadHold(sb.Srv, 0)
	hold.Arm()
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release)

	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runCLI(t, "", "upload", "--env", ts.URL, "--concurrency", "1", dir)
		done <- result{code, errOut}
	}()
	select {
	case <-hold.Started():
	case <-time.After(2 * time.Minute):
		t.Fatal("no upload within 2 minutes")
	}
	require.NoError(t, os.Link(files[2], filepath.Join(filepath.Dir(dir), "kept"))) // the new file is another
	require.NoError(t, os.Remove(files[2]))
	require.NoError(t, os.WriteFile(files[2], testutil.Content("another file", 50), 0o600))
	require.NoError(t, os.Remove(files[1]))
	hold.Disarm()
	hold.Release()
	first := <-done
	assert.Equal(t, 1, first.code, "the run did not upload the folder's file now there: %s", first.errOut)
	assert.Contains(t, first.errOut, "(1 of them in a folder replaced by another file before its upload)")

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, strings.Count(out, "\n"), "the file uploaded: %s", out)
	assert.Equal(t, 1, code, "the replaced file is not in the list: %s", errOut)
	assert.Contains(t, errOut, "Not the whole folder: 1 file(s) of this upload of "+dir)
	assert.Contains(t, errOut, "upload the folder again")

	code, _, errOut = runCLI(t, "", "upload", "--env", ts.URL, dir)
	require.Equal(t, 0, code, errOut)
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, 2, strings.Count(out, "\n"), "the first file and the new one: %s", out)
}
