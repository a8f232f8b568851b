package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestVerifyFindsAnUploadMadeThroughALinkedFolder: a file uploaded by
// itself through a linked folder (`upload ~/link/docs/a.txt`, ~/link a
// symbolic link, or on Windows a junction, to /data) is recorded under
// that spelling; changed since, and verified by its own path
// (`verify /data/docs/a.txt`, or `verify /data/docs`), it got no
// changed_since: only the spelling was looked up. verify now also finds
// an upload whose recorded path leads to this very file (both resolved
// the same way) and whose recorded file identity is this file's, so the
// file the path led to when it was uploaded. A link pointed elsewhere
// since does not give the file there, by its own path, the other file's
// upload (by the link's path it is, as before, a file that took the
// uploaded one's place), and a loop of links is no upload and no error.
func TestVerifyFindsAnUploadMadeThroughALinkedFolder(t *testing.T) {
	for _, kind := range []struct {
		name string
		link func(t testing.TB, target, link string)
	}{
		{name: "symbolic link", link: testfs.SymlinkOrSkip},
		{name: "junction", link: testfs.JunctionOrSkip},
	} {
		t.Run(kind.name, func(t *testing.T) {
			sb := keyedSandbox(t)
			root := t.TempDir()
			data := filepath.Join(root, "data")
			f := testutil.WriteFile(t, filepath.Join(data, "docs", "a.txt"), 100)
			link := filepath.Join(root, "link")
			kind.link(t, data, link)
			through := filepath.Join(link, "docs", "a.txt")
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, through)
			require.Equal(t, 0, code, errOut)
			h := historyJSON(t)
			require.Len(t, h, 1)
			require.Equal(t, worker.RequestPath(through), h[0].LocalPath, "the upload records the path as given")
			appendTo(t, f)

			for _, path := range []string{f, filepath.Join(data, "docs"), through} {
				r, out := verifiedJSON(t, sb.URL, path)
				require.NotNil(t, r.ChangedSince, "%s: %s", path, out)
				assert.Equal(t, h[0].Hash, r.ChangedSince.Hash, path)
				assert.Equal(t, h[0].LocalPath, r.ChangedSince.LocalPath, path)
			}
			// Files never uploaded before it, in the listing's order: it
			// is found in the uploads of all read at once (byFileAfter).
			for i := range byFileAfter + 1 {
				testutil.WriteFile(t, filepath.Join(data, "docs", fmt.Sprintf("%d.txt", i)), 300+i)
			}
			code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, "--json", filepath.Join(data, "docs"))
			require.Equal(t, 1, code, "%s%s", out, errOut)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			require.Len(t, lines, byFileAfter+2, out)
			var r verifyResult
			require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &r))
			assert.Equal(t, "a.txt", filepath.Base(r.Path))
			require.NotNil(t, r.ChangedSince, out)
			assert.Equal(t, h[0].Hash, r.ChangedSince.Hash)

			if kind.name != "symbolic link" {
				return // a junction is not pointed elsewhere here (Wine's are Unix links)
			}

			other := testutil.WriteFile(t, filepath.Join(root, "other", "docs", "a.txt"), 200)
			require.NoError(t, os.Remove(link))
			kind.link(t, filepath.Join(root, "other"), link)
			r, out = verifiedJSON(t, sb.URL, other)
			assert.Nil(t, r.ChangedSince, "the link leads to another file now, never uploaded: %s", out)

			if runtime.GOOS == "windows" {
				return
			}
			require.NoError(t, os.Remove(link))
			kind.link(t, link, link) // a loop
			r, out = verifiedJSON(t, sb.URL, f)
			assert.Nil(t, r.ChangedSince, out)
			assert.Empty(t, r.Error, out)
		})
	}
}

// verifiedJSON is verify --json of one file, or of a folder holding one
// file: its result, which must say the file is not uploaded (exit 1).
func verifiedJSON(t *testing.T, url, path string) (verifyResult, string) {
	t.Helper()
	code, out, errOut := runCLI(t, "", "verify", "--env", url, "--json", path)
	require.Equal(t, 1, code, "%s%s", out, errOut)
	var r verifyResult
	require.Equal(t, 1, strings.Count(out, "\n"), out)
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return r, out
}
