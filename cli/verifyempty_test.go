package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestVerifyFolderSaysEachEmptyFolder: verify DIR said nothing of an empty
// folder inside DIR, so a person asking "is all of it uploaded?" could
// not tell it was seen, though `upload DIR` says each ("SKIPPED  PATH:
// folder is empty"). verify now gives each empty folder the line of an
// entry the upload skips, with the upload's sentence, after the files as
// the upload says them; --json an object with "skipped":"empty-folder";
// the closing count has them as skipped, and the exit status is 0 (a skip
// by design, as for the upload). A folder holding only an empty one is
// not empty itself.
func TestVerifyFolderSaysEachEmptyFolder(t *testing.T) {
	sb := keyedSandbox(t)
	dir := filepath.Join(t.TempDir(), "album")
	testutil.WriteFile(t, filepath.Join(dir, "a.txt"), 100)
	for _, sub := range []string{"empty", filepath.Join("nested", "deeper")} {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, sub), 0o755))
	}
	listed := worker.ListedFolder(dir)
	empties := []string{filepath.Join(listed, "empty"), filepath.Join(listed, "nested", "deeper")}
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	for _, e := range empties {
		require.Contains(t, errOut, "SKIPPED  "+e+": folder is empty", "the upload's own words")
	}

	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	assert.Equal(t, 0, code, "%s%s", out, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.True(t, strings.HasPrefix(lines[0], filepath.Join(listed, "a.txt")+": uploaded — "), out)
	assert.Equal(t, empties[0]+": skipped — folder is empty", lines[1])
	assert.Equal(t, empties[1]+": skipped — folder is empty", lines[2])
	assert.NotContains(t, out, filepath.Join(listed, "nested")+": ", "it holds a folder")
	assert.Equal(t, "Verified 1 file(s) against "+sb.URL+": 1 uploaded · 2 skipped\n", errOut)

	code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, "--json", dir)
	assert.Equal(t, 0, code, "%s%s", out, errOut)
	lines = strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	for i, e := range empties {
		var r struct {
			Path, Skipped, Error, CID string
			Matches                   bool
		}
		require.NoError(t, json.Unmarshal([]byte(lines[i+1]), &r), lines[i+1])
		assert.Equal(t, e, r.Path)
		assert.Equal(t, "empty-folder", r.Skipped)
		assert.Equal(t, "folder is empty", r.Error)
		assert.Empty(t, r.CID)
		assert.False(t, r.Matches)
	}
}
