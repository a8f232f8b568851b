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
	sb := keyedSandbox(t)
	files := makeFiles(t, filepath.Join(t.TempDir(), "trip"), 3, func(i int) int { return 800 + i })
	dir := filepath.Dir(files[0])
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile(files[1], []byte("changed since the first upload"), 0o600))
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
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
