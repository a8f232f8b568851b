package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderJSONNamesTheShareOnEveryFile: history --folder DIR --json is
// the list of DIR's latest share, so each object names that share in
// added_folder and batch_id — a script that groups or picks by them gets
// the whole share — and a file the share found already uploaded keeps
// its upload's own data (id, link, times) with the upload that sent it in
// sent_by: the entry's own batch_id is the earlier share's, which history
// --json, a list of uploads, still gives.
func TestFolderJSONNamesTheShareOnEveryFile(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 3)
	require.NoError(t, os.WriteFile(files[1], []byte("changed since the first upload"), 0o600))
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)

	type share struct {
		Folder string `json:"added_folder"`
		Batch  string `json:"batch_id"`
	}
	type row struct {
		ID        int64  `json:"id"`
		LocalPath string `json:"local_path"`
		Link      string `json:"link"`
		share
		SentBy *share `json:"sent_by"`
	}
	rows := func(args ...string) []row {
		t.Helper()
		code, out, errOut := runCLI(t, "", append([]string{"history"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var rs []row
		require.NoError(t, json.Unmarshal([]byte(out), &rs), out)
		return rs
	}
	uploads := map[int64]row{}
	for _, r := range rows("--json", "--limit", "0") {
		uploads[r.ID] = r
	}
	require.Len(t, uploads, 4, "the changed file alone was sent again")

	realDir, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	listed := rows("--folder", dir, "--json")
	require.Len(t, listed, 3)
	batch := listed[0].Batch
	require.NotEmpty(t, batch)
	for _, r := range listed {
		assert.Equal(t, share{realDir, batch}, r.share, "%s names the share listed", r.LocalPath)
		up := uploads[r.ID]
		assert.NotEmpty(t, r.Link, r.LocalPath)
		assert.Equal(t, up.Link, r.Link, "%s keeps its upload's link", r.LocalPath)
		if r.LocalPath == files[1] {
			assert.Nil(t, r.SentBy, "sent by this upload")
			assert.Equal(t, up.share, r.share)
			continue
		}
		require.NotNil(t, r.SentBy, "%s was found already uploaded", r.LocalPath)
		assert.Equal(t, share{realDir, up.Batch}, *r.SentBy, "%s with the upload that sent it", r.LocalPath)
		assert.NotEqual(t, batch, up.Batch, "history --json keeps the upload's own share")
	}
}

// TestFolderJSONSentByOfAFileAddedAlone: a file the folder's upload found
// already uploaded on its own (upload FILE, to the folder's destination)
// was sent by no folder's share: its sent_by names the upload that sent it
// by its batch_id alone, with no added_folder, rather than an empty one.
func TestFolderJSONSentByOfAFileAddedAlone(t *testing.T) {
	sb := keyedSandbox(t)
	files, dir := trip(t, 2)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--folder-path", "/trip/", files[0])
	require.Equal(t, 0, code, errOut)
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "1 already uploaded", "the file sent alone was found, not sent again")

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--json")
	require.Equal(t, 0, code, errOut)
	var listed []struct {
		LocalPath string                     `json:"local_path"`
		SentBy    map[string]json.RawMessage `json:"sent_by"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &listed), out)
	require.Len(t, listed, 2)
	for _, r := range listed {
		if r.LocalPath != files[0] {
			assert.Nil(t, r.SentBy, "%s was sent by the folder's upload", r.LocalPath)
			continue
		}
		require.NotNil(t, r.SentBy, "found already uploaded")
		assert.NotContains(t, r.SentBy, "added_folder", "added alone: no folder sent it")
		assert.NotEmpty(t, r.SentBy["batch_id"], "the upload that sent it")
	}
}
