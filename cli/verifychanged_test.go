package cli

import (
	"cmp"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestVerifySaysAFileChangedSinceItsUpload: a file uploaded, then written
// to, matched no upload, and verify said only "not uploaded … (no upload
// has this content)": true, but the person who asked "is my file
// uploaded?" was not told what explains it — this path was uploaded, and
// the file has changed since. verify now names that upload (when, its
// link), in its line and in --json's changed_since, however the upload
// recorded the path (the file given alone, or found in a folder given
// through a symbolic link) and however verify is given it (a relative
// path); an upload from the path to another environment is not one.
// The exit status stays 1.
func TestVerifySaysAFileChangedSinceItsUpload(t *testing.T) {
	sb := keyedSandbox(t)
	root := t.TempDir()
	alone := testutil.WriteFile(t, filepath.Join(root, "d", "a.txt"), 100)
	realDir := filepath.Join(root, "real")
	inFolder := testutil.WriteFile(t, filepath.Join(realDir, "b.txt"), 200)
	never := testutil.WriteFile(t, filepath.Join(root, "d", "never.txt"), 300)
	linked := filepath.Join(root, "link")
	symlinks := testfs.Symlink(t, realDir, linked)
	upload := []string{"upload", "--env", sb.URL, alone}
	if symlinks {
		upload = append(upload, linked) // the folder's files are recorded under real
	} else {
		upload = append(upload, realDir)
	}
	code, _, errOut := runCLI(t, "", upload...)
	require.Equal(t, 0, code, errOut)
	before := map[string]string{} // the CID each was uploaded with
	for _, r := range historyJSON(t) {
		before[r.LocalPath] = r.Hash
	}
	require.Len(t, before, 2)
	appendTo(t, alone, inFolder)

	t.Chdir(root)
	tests := []struct {
		name, path, was string
		env             string // default: the sandbox
		changed         bool
		link            bool // through the symbolic link
	}{
		{name: "uploaded alone", path: alone, was: alone, changed: true},
		{name: "given relative", path: filepath.Join("d", "a.txt"), was: alone, changed: true},
		{name: "found in a folder", path: inFolder, was: inFolder, changed: true},
		{name: "found in a folder given through a link", path: filepath.Join(linked, "b.txt"), was: inFolder, changed: true, link: true},
		{name: "never uploaded", path: never},
		{name: "uploaded to another environment", path: alone, env: "testnet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.link && !symlinks {
				t.Skip(testfs.NoSymlinks)
			}
			env := cmp.Or(tt.env, sb.URL)
			code, out, errOut := runCLI(t, "", "verify", "--env", env, "--json", tt.path)
			require.Equal(t, 1, code, "%s%s", out, errOut)
			var r verifyResult
			require.NoError(t, json.Unmarshal([]byte(out), &r), out)
			if !tt.changed {
				assert.Nil(t, r.ChangedSince, out)
				code, out, _ = runCLI(t, "", "verify", "--env", env, tt.path)
				assert.Equal(t, 1, code)
				assert.Contains(t, out, tt.path+": not uploaded to "+env+" (no upload has this content)")
				return
			}
			require.NotNil(t, r.ChangedSince, out)
			assert.Equal(t, before[tt.was], r.ChangedSince.Hash)
			assert.Equal(t, tt.was, r.ChangedSince.LocalPath)
			assert.NotEqual(t, before[tt.was], r.CID)

			code, out, _ = runCLI(t, "", "verify", "--env", env, tt.path)
			assert.Equal(t, 1, code)
			assert.Equal(t, 1, strings.Count(out, "\n"), out)
			assert.Contains(t, out, tt.path+": not uploaded to "+env+" — it changed since it was uploaded from this path on "+
				r.ChangedSince.FinishedAt.Local().Format("2006-01-02 15:04")+" (that upload: "+r.ChangedSince.Link+")  CID "+r.CID)
			assert.Contains(t, r.ChangedSince.Link, sb.URL+"/ipfs/"+before[tt.was])
		})
	}
}

// TestVerifyOfAChangedFileUploadedElsewhere: a file changed since its
// upload to one environment whose new content was uploaded to another
// says both: the change first (it is why the file is not uploaded where
// verify looks), then the other environment's upload.
func TestVerifyOfAChangedFileUploadedElsewhere(t *testing.T) {
	sb := keyedSandbox(t)
	f := testutil.WriteFile(t, filepath.Join(t.TempDir(), "a.txt"), 100)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
	require.Equal(t, 0, code, errOut)
	old := historyJSON(t)[0].Hash
	appendTo(t, f)
	other := testutil.StartSandbox(t, sandbox.Config{})
	t.Setenv(APIKeyEnv, other.Key)
	code, _, errOut = runCLI(t, "", "upload", "--env", other.URL, f)
	require.Equal(t, 0, code, errOut)
	now := testutil.CIDOf(t, f)

	code, out, _ := runCLI(t, "", "verify", "--env", sb.URL, "--json", f)
	assert.Equal(t, 1, code, out)
	var r verifyResult
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	require.NotNil(t, r.ChangedSince, out)
	assert.Equal(t, old, r.ChangedSince.Hash)
	require.Len(t, r.Elsewhere, 1)
	assert.Equal(t, now, r.Elsewhere[0].Hash)

	code, out, _ = runCLI(t, "", "verify", "--env", sb.URL, f)
	assert.Equal(t, 1, code, out)
	assert.Contains(t, out, f+": not uploaded to "+sb.URL+" — it changed since it was uploaded from this path on ")
	assert.Contains(t, out, "(that upload: "+r.ChangedSince.Link+"); an upload to "+other.URL+" has its content now: "+r.Elsewhere[0].Link+"  CID "+now)
}

// appendTo adds a line to each file, so its content is no longer what
// was uploaded.
func appendTo(t *testing.T, files ...string) {
	t.Helper()
	for _, f := range files {
		fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = fh.WriteString("more\n")
		require.NoError(t, err)
		require.NoError(t, fh.Close())
	}
}
