//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderListWithAFolderThatCouldNotBeReadIsNotWhole: DIR uploaded
// with a folder in it that cannot be read (nested deeper than a path may
// be: what root cannot read either) is listed by history --folder DIR
// without that folder's file, and must say so (as a folder: what it
// held was never seen) and exit 1, not hand a
// script the rest as the folder's whole list; the next run says it too
// (the share remembers it). Moved where it can be read and DIR uploaded
// again, the list is whole.
func TestFolderListWithAFolderThatCouldNotBeReadIsNotWhole(t *testing.T) {
	sb := keyedSandbox(t)
	useByDefault(t, sb.URL)
	files, dir := trip(t, 2)
	deep := testfs.DeepFolder(t, dir, "far.txt", testutil.Content("far", 100))
	// To a parent folder id: with a folder path, a folder far less deep
	// is one dStor's folder paths cannot name, skipped first.
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--parent-id", "0", dir)
	require.Equal(t, 1, code, "a file of the folder was not uploaded: %s", errOut)
	require.Contains(t, errOut, "SKIPPED")
	require.Contains(t, errOut, "· 1 skipped (1 of them could not be read)")

	for _, run := range []string{"first", "second"} {
		code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
		assert.Equal(t, 2, strings.Count(out, "\n"), "%s run: the two uploaded: %s", run, out)
		assert.Equal(t, 1, code, "%s run: not the folder's whole list: %s", run, errOut)
		assert.Contains(t, errOut, "1 folder(s) in this upload of "+dir+" could not be read, so what they hold was not uploaded")
		assert.NotContains(t, errOut, "file(s) of this upload", "%s run: a folder, not a file", run)
		assert.Contains(t, errOut, "upload the folder again")
	}

	rel, err := filepath.Rel(dir, deep)
	require.NoError(t, err)
	first := strings.Split(rel, string(filepath.Separator))[0]
	require.NoError(t, os.Rename(filepath.Join(dir, first), filepath.Join(t.TempDir(), "elsewhere")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "short"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "short", "far.txt"), testutil.Content("far", 100), 0o600))
	require.NoError(t, os.Symlink(files[0], filepath.Join(dir, "link.txt"))) // skipped by design
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--parent-id", "0", dir)
	require.Equal(t, 0, code, "a link skipped is no file lacking: %s", errOut)
	require.Contains(t, errOut, "· 1 skipped ·", "the link")
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, 3, strings.Count(out, "\n"), out)
	assert.Empty(t, errOut)
}
