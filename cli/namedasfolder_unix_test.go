//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// TestFileNamedAsAFolderIsRefused: `cat notes.txt/` fails (not a
// directory: a name ending with a separator names a folder), but
//
//	dstor-uploader upload notes.txt/
//
// uploaded notes.txt (exit 0), and a launch handed the window notes.txt
// to queue: both cleaned the separator away (api.AbsPath). upload now
// refuses it as cid and verify do, its path going through a file (exit
// 1, nothing sent or queued), and the window is handed it with its
// separator, to name it in its notice; a folder named with one uploads.
func TestFileNamedAsAFolderIsRefused(t *testing.T) {
	sb := keyedSandbox(t)
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	notes := testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), 10)
	require.NoError(t, os.Symlink("notes.txt", filepath.Join(dir, "link.txt")))
	folder := makeFiles(t, filepath.Join(dir, "v1"), 1, func(int) int { return 700 })
	t.Chdir(dir)

	for _, typed := range []string{"notes.txt/", "notes.txt/.", notes + "//", "link.txt/", "v1/../notes.txt/"} {
		t.Run(typed, func(t *testing.T) {
			through := filepath.Join(dir, filepath.Base(filepath.Clean(typed)))
			assert.Contains(t, uploadRefused(t, sb, typed), `does not exist — its path goes through "`+through+`", a file, not a folder: check the path`)
		})
	}

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "v1/")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, folder[0]), "a folder named as one")

	t.Setenv(storage.HomeEnv, t.TempDir())
	var opened []string
	openWindow = func(o ui.Options) error { opened = o.Files; return nil }
	windowFaked(t)
	code, out, errOut = runCLI(t, "", "notes.txt/")
	assert.Equal(t, 0, code, out+errOut)
	assert.Equal(t, []string{notes + "/"}, opened, "handed with its separator, for the window to name it not there")
}
