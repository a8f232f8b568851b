//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderNamedWithDotDotAfterALink: in a release layout (current a
// symbolic link to releases/v2), `upload current/../v1` uploads the
// folder `ls current/../v1` shows, releases/v1, and `history --folder
// current/../v1` lists that upload: both read the path as the system
// does (api.AbsPath), not "current/.." cut as text, which named the v1
// beside current (another folder, here with a file of its own).
func TestFolderNamedWithDotDotAfterALink(t *testing.T) {
	sb := keyedSandbox(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	files := makeFiles(t, filepath.Join(root, "releases", "v1"), 2, func(i int) int { return 700 + i })
	cids := []string{testutil.CIDOf(t, files[0]), testutil.CIDOf(t, files[1])}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "releases", "v2"), 0o700))
	here := filepath.Join(root, "here")
	makeFiles(t, filepath.Join(here, "v1"), 1, func(int) int { return 900 })
	require.NoError(t, os.Symlink(filepath.Join(root, "releases", "v2"), filepath.Join(here, "current")))
	t.Chdir(here)

	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "current/../v1")
	require.Equal(t, 0, code, errOut)
	listed(t, filepath.Join(root, "releases", "v1"), cids)
	listed(t, "current/../v1", cids)
}
