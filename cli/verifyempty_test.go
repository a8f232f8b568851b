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
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
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

// TestVerifyFolderFilledWhileVerifiedIsNotSaidEmpty: verify DIR says
// each empty folder inside after the whole walk, after every file was
// hashed (minutes, for a big folder); a file put into an "empty" folder
// meanwhile was neither verified nor said, yet verify said "folder is
// empty" and exited 0 with a file in DIR never uploaded. The folder is
// now looked at again as it is said: one that holds an entry then is
// said to have been empty when listed, with entries not verified — verify
// it again — and counts as not verified (exit 1), in its place in the
// output; --json says it as an error, not a skip. The file is put in
// while the folder's one file, listed after both folders, is read
// (readhook).
func TestVerifyFolderFilledWhileVerifiedIsNotSaidEmpty(t *testing.T) {
	sb := keyedSandbox(t)
	dir := filepath.Join(t.TempDir(), "album")
	testutil.WriteFile(t, filepath.Join(dir, "z.txt"), 100)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "empty"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "still"), 0o755))
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	listed := worker.ListedFolder(dir)
	late := filepath.Join(dir, "empty", "late.txt")
	filled := false
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if filled || filepath.Base(p) != "z.txt" {
			return
		}
		filled = true
		testutil.WriteFile(t, late, 10)
	}))

	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	require.True(t, filled, "the hook ran: %s%s", out, errOut)
	assert.Equal(t, 1, code, "late.txt was never uploaded nor verified: %s%s", out, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.True(t, strings.HasPrefix(lines[0], filepath.Join(listed, "z.txt")+": uploaded — "), out)
	assert.Equal(t, filepath.Join(listed, "empty")+": cannot verify: "+msgFilledSinceListed, lines[1])
	assert.Equal(t, filepath.Join(listed, "still")+": skipped — folder is empty", lines[2], "still empty: said as before")
	assert.Equal(t, "Verified 2 file(s) against "+sb.URL+": 1 uploaded · 1 could not be verified · 1 skipped\n", errOut)

	require.NoError(t, os.Remove(late))
	filled = false
	code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, "--json", dir)
	require.True(t, filled, "the hook ran: %s%s", out, errOut)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	lines = strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	var r struct {
		Path, Skipped, Error string
	}
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &r), lines[1])
	assert.Equal(t, filepath.Join(listed, "empty"), r.Path)
	assert.Empty(t, r.Skipped, "not a skip by design")
	assert.Equal(t, msgFilledSinceListed, r.Error)
}
