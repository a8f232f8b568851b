//go:build unix

package cli

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestUploadThroughAFileSaysToCheckThePath: a path typed through a file
// ('upload notes.txt/x', a file's name taken for a folder's) never led to
// a file, yet its FAILED line said a folder on its path "is now a file"
// and to "put it back, then retry it", as for a folder replaced since.
// It now says the path goes through that file and to check it; exit 1.
func TestUploadThroughAFileSaysToCheckThePath(t *testing.T) {
	sb := keyedSandbox(t)
	notes := testutil.WriteFile(t, filepath.Join(t.TempDir(), "notes.txt"), 10)
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, filepath.Join(notes, "x"))
	require.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, `"`+filepath.Join(notes, "x")+`" does not exist — its path goes through "`+notes+`", a file, not a folder: check the path`)
	assert.NotContains(t, errOut, "put it back")
	assert.NotContains(t, errOut, "is now a file")
	assert.Equal(t, 0, sb.Uploads())
}
