package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestResumeReportsLeftoversAndListsSavedFolders: what "resume" has to do is
// read from the saved queue before it starts, so a leftover that fails at
// once is still reported (exit 1), and a folder saved but never listed (its
// walk row, with no job yet) is uploaded rather than "nothing to resume".
func TestResumeReportsLeftoversAndListsSavedFolders(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, sb.Key)
	first := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, first)
	require.Equal(t, 0, code, errOut)
	recs := historyJSON(t)
	require.Len(t, recs, 1)
	envKey, account := recs[0].Env, recs[0].Account

	dir, err := storage.DataDir()
	require.NoError(t, err)
	db, err := storage.Open(dir)
	require.NoError(t, err)
	folder := filepath.Join(t.TempDir(), "saved")
	files := makeFiles(t, folder, 3, func(i int) int { return 200 + i })
	require.NoError(t, db.InsertWalks([]storage.WalkRow{{
		ID: "walk-1", BatchID: "batch-1", Env: envKey, Account: account, Path: folder,
	}}))
	require.NoError(t, db.Close())

	code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, errOut, "Nothing to resume")
	for _, f := range files {
		assert.Contains(t, out, testutil.CIDOf(t, f))
	}
	assert.Len(t, historyJSON(t), 4)

	// A leftover job that fails: reported, and the exit status says so.
	db, err = storage.Open(dir)
	require.NoError(t, err)
	bad := makeFiles(t, t.TempDir(), 1, func(int) int { return 300 })[0]
	require.NoError(t, db.InsertJobs([]storage.JobRow{{
		BatchID: "batch-2", Env: envKey, Account: account, LocalPath: bad, Name: filepath.Base(bad), Size: 300,
	}}))
	require.NoError(t, db.Close())
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400})
	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, bad)
}

func TestHistoryCSVDefusesFormulas(t *testing.T) {
	var b strings.Builder
	e := storage.HistoryEntry{ID: 1, Name: "=HYPERLINK(\"x\")", Comment: "+1", Hash: "Qm", Env: "production"}
	require.NoError(t, writeHistoryCSV(&b, []storage.HistoryEntry{e}, storage.Settings{}))
	assert.Contains(t, b.String(), `'=HYPERLINK`)
	assert.Contains(t, b.String(), `'+1`)
}
