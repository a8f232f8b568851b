package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestFolderListOfAPathNoUploadHadSaysWhatItIs: history --folder PATH with
// no upload of a folder there told the person to upload PATH, also when
// PATH is a file (whose uploads are in the history: --folder takes
// folders) or names nothing (a typo, or a folder since moved: uploading
// it cannot work). Each says what PATH is and what to do; all exit 1. The
// command to upload a folder never uploaded is one to paste: the path as
// it is when the shell needs no quotes, else quoted as the system's shell
// takes it (on Windows, cmd's and PowerShell's double quotes). Nothing is
// printed on stdout, as JSON or CSV either.
func TestFolderListOfAPathNoUploadHadSaysWhatItIs(t *testing.T) {
	_, files, dir := uploadedTrip(t, 2)
	other := t.TempDir()
	spaced := filepath.Join(t.TempDir(), "Trip photos")
	require.NoError(t, os.Mkdir(spaced, 0o700))
	quoted := "'" + spaced + "'"
	if runtime.GOOS == "windows" {
		quoted = `"` + spaced + `"`
	}
	tests := []struct {
		name, path string
		says       []string
	}{
		{"a file the folder's upload holds", files[0], []string{
			files[0] + " is a file, not a folder", "--search " + filepath.Base(files[0])}},
		{"a path that names nothing", filepath.Join(dir, "nope"), []string{
			"no upload of the folder " + filepath.Join(dir, "nope") + " is in the history, and there is no folder there now",
			"check the path"}},
		{"a folder never uploaded", other, []string{
			"no upload of the folder " + other + " is in the history: upload it with `dstor-uploader upload " + other + "`"}},
		{"a folder never uploaded, with a space in its name", spaced, []string{
			"no upload of the folder " + spaced + " is in the history: upload it with `dstor-uploader upload " + quoted + "`"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, as := range []string{"--format=gateway", "--json", "--csv"} { // no JSON array, no CSV header
				code, out, errOut := runCLI(t, "", "history", "--folder", tt.path, as)
				assert.Equal(t, 1, code, "%s: %s%s", as, out, errOut)
				assert.Empty(t, out, as)
				for _, s := range tt.says {
					assert.Contains(t, errOut, s, as)
				}
				if tt.path != other && tt.path != spaced {
					assert.NotContains(t, errOut, "upload it with", "uploading it cannot list it")
				}
			}
		})
	}
	_, err := os.Stat(dir)
	require.NoError(t, err)
}

// TestFolderListThroughALinkToNothingNamesTheLink: history --folder of a
// path whose way goes through a symbolic link that leads to nothing
// ("dead/v1", or "dead/../v1", which the system cannot follow either)
// said only "there is no folder there now: check the path", where upload
// and verify name the link and where it leads. Each names them now (a
// chain of links too: the first, the last, and where that leads), says
// to point the link at the folder, and exits 1.
func TestFolderListThroughALinkToNothingNamesTheLink(t *testing.T) {
	keyedSandbox(t)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "v1"), 0o700))
	dead := filepath.Join(dir, "dead")
	testfs.SymlinkOrSkip(t, filepath.Join(dir, "nowhere"), dead)
	for _, given := range []string{filepath.Join(dead, "v1"), dead + string(filepath.Separator) + ".." + string(filepath.Separator) + "v1"} {
		code, out, errOut := runCLI(t, "", "history", "--folder", given)
		assert.Equal(t, 1, code, "%s: %s%s", given, out, errOut)
		assert.Empty(t, out, given)
		assert.Contains(t, errOut, "its path goes through "+dead+", a symbolic link to "+filepath.Join(dir, "nowhere")+", which does not exist", given)
		assert.Contains(t, errOut, "point the link at the folder", given)
	}

	// A chain: the link on the way leads to nothing through another.
	chain := filepath.Join(dir, "chain")
	testfs.SymlinkOrSkip(t, dead, chain)
	code, out, errOut := runCLI(t, "", "history", "--folder", filepath.Join(chain, "v1"))
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, "its path goes through "+chain+", a symbolic link that leads to "+dead+", a symbolic link to "+
		filepath.Join(dir, "nowhere")+", which does not exist: point the link at the folder", "through a chain")
}
