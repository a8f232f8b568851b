package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestFolderUploadedAgainEmptyListsNoFile: DIR uploaded, its files then
// deleted, DIR uploaded again. history --folder DIR is the list of links
// of that last upload, which found no file: the list is empty, a note
// on stderr says why, and it exits 0 (an empty folder's whole list is
// empty). The last upload made no share, so the first one stayed the
// folder's latest: its links, to files no longer in the folder, were
// listed as the folder's whole list, exit 0.
func TestFolderUploadedAgainEmptyListsNoFile(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 2)
	for _, f := range files {
		require.NoError(t, os.Remove(f))
	}
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 1, code, "a folder named on the command line that is empty: %s", errOut)
	require.Contains(t, errOut, "folder is empty")

	for _, format := range [][]string{{"--format", "cid"}, {"--json"}} {
		code, out, errOut := runCLI(t, "", append([]string{"history", "--folder", dir}, format...)...)
		assert.Equal(t, 0, code, "%v: %s", format, errOut)
		assert.Equal(t, map[bool]string{false: "", true: "[]"}[format[0] == "--json"], strings.TrimSpace(out), format)
		assert.Contains(t, errOut, "The latest upload of "+dir+" found no file to upload in it", format)
	}
}

// TestFolderAddedThroughALinkIsOneFolder: a folder uploaded by its path,
// then, with a new file, through a symbolic link to it, is one folder:
// the upload records the folder the link leads to, and history --folder
// resolves the link as it does, so DIR and LINK both list the latest
// upload, the one through the link, with the new file.
func TestFolderAddedThroughALinkIsOneFolder(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 2)
	link := filepath.Join(t.TempDir(), "trip-link")
	testfs.SymlinkOrSkip(t, dir, link)
	files = append(files, makeFiles(t, filepath.Join(dir, "later"), 1, func(int) int { return 500 })...)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, link)
	require.Equal(t, 0, code, errOut)

	for _, asked := range []string{dir, link} {
		code, cids, errOut := folderCIDs(t, asked)
		assert.Equal(t, 0, code, "%s: %s", asked, errOut)
		assert.ElementsMatch(t, cidsOf(t, files), cids, asked)
	}
}
