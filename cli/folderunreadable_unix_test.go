//go:build unix

package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderUploadedAgainWithEveryFileUnreadableIsNotWhole: DIR uploaded,
// then its files deleted and one written where it cannot be read (in a
// folder nested deeper than a path may be: root cannot read it either),
// DIR uploaded again. history --folder DIR is the list of that last
// upload, which uploaded nothing: it lists no link, says a folder could
// not be read and exits 1 (not the note of a folder with nothing to upload,
// exit 0). Before, the last upload made no share, and the first upload's
// links, to files no longer in the folder, were listed as whole, exit 0.
func TestFolderUploadedAgainWithEveryFileUnreadableIsNotWhole(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 2)
	for _, f := range files {
		require.NoError(t, os.Remove(f))
	}
	testfs.DeepFolder(t, dir, "far.txt", testutil.Content("far", 100))
	// To a parent folder id: with a folder path, a folder far less deep
	// is one dStor's folder paths cannot name, skipped first.
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--parent-id", "0", dir)
	require.Contains(t, errOut, "SKIPPED")
	require.Equal(t, 1, code, "nothing of the folder could be read: %s", errOut)

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, "not the folder's whole list: %s", errOut)
	assert.Empty(t, strings.TrimSpace(out), "no link of the first upload")
	assert.Contains(t, errOut, "1 folder(s) in this upload of "+dir+" could not be read, so what they hold was not uploaded")
	assert.NotContains(t, errOut, "file(s) of this upload", "a folder, not a file")
	assert.NotContains(t, errOut, "found no file to upload")
}
