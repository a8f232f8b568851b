package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderGoneBeforeItsListingIsNotCalledEmpty: DIR uploaded, then
// added again and saved for later (an upload killed before its listing,
// a window's add before a sign-in, or one saved while another run held
// the queue: the folder's latest from then on), then, before that add is
// listed, DIR removed, replaced by a file, or the add was of the app's
// own data folder: resume lists nothing of the folder, and history
// --folder DIR says the listing could not list the folder, why and what
// to do, and exits 1, not that the upload found no file in the folder
// (exit 0).
func TestFolderGoneBeforeItsListingIsNotCalledEmpty(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string) string // the folder to add and list
		says   string
		todo   string
	}{
		{"removed", func(t *testing.T, dir string) string {
			require.NoError(t, os.RemoveAll(dir))
			return dir
		}, "there was no folder at DIR when it was to be listed", "upload the folder again from where it is now"},
		{"replaced by a file", func(t *testing.T, dir string) string {
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, []byte("now a file"), 0o600))
			return dir
		}, "DIR was not a folder when it was to be listed", "upload the folder again once it is back"},
		{"the app's own data folder", func(t *testing.T, _ string) string {
			home, err := storage.DataDir()
			require.NoError(t, err)
			return home
		}, "DIR is dStor Uploader's own data folder, which is never uploaded", "quit dStor Uploader and upload a copy of the folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb, _, dir := uploadedTrip(t, 2)
			recs := historyJSON(t)
			added := dir
			if tc.name == "the app's own data folder" {
				added = tc.change(t, dir)
			}
			db := openDataDB(t)
			require.NoError(t, worker.SaveForLater(db, recs[0].Env, recs[0].Account, worker.Request{Path: added}))
			require.NoError(t, db.Close())
			if added == dir {
				tc.change(t, dir)
			}
			code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL)
			t.Logf("resume: exit %d: %s", code, errOut)

			code, out, errOut := runCLI(t, "", "history", "--folder", added, "--format", "cid")
			assert.Equal(t, 1, code, errOut)
			assert.Empty(t, strings.TrimSpace(out))
			assert.NotContains(t, errOut, "found no file")
			assert.Contains(t, errOut, strings.ReplaceAll(tc.says, "DIR", added))
			assert.Contains(t, errOut, tc.todo)
		})
	}
}

// TestFolderAddedThroughALinkPointedElsewhereIsNotCalledEmpty: DIR
// uploaded, then added again through a symbolic link to it and saved for
// later (the folder's latest upload from then on), then the link pointed
// at another folder before that add is listed: resume lists and uploads
// the other folder, as an upload of its own, whole; history --folder DIR
// says the add did not list DIR, why and what to do, and exits 1, not that
// the upload found no file in the folder (exit 0).
func TestFolderAddedThroughALinkPointedElsewhereIsNotCalledEmpty(t *testing.T) {
	sb, _, dir := uploadedTrip(t, 2)
	recs := historyJSON(t)
	otherFiles, other := trip(t, 3)
	link := filepath.Join(t.TempDir(), "link")
	testfs.SymlinkOrSkip(t, dir, link)
	db := openDataDB(t)
	require.NoError(t, worker.SaveForLater(db, recs[0].Env, recs[0].Account, worker.Request{Path: link}))
	require.NoError(t, db.Close())
	require.NoError(t, os.Remove(link))
	testfs.SymlinkOrSkip(t, other, link)

	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, errOut)
	assert.Empty(t, strings.TrimSpace(out))
	assert.NotContains(t, errOut, "found no file")
	assert.Contains(t, errOut, "Not the whole folder: the path by which "+dir+" was added led to another folder when it was to be listed")
	assert.Contains(t, errOut, "upload the folder again")

	code, out, errOut = runCLI(t, "", "history", "--folder", other, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Len(t, strings.Fields(out), len(otherFiles), "the other folder, uploaded whole")
}
