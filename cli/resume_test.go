package cli

import (
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestResumeReportsLeftoversAndListsSavedFolders: what "resume" has to do is
// read from the saved queue before it starts, so a leftover that fails at
// once is still reported (exit 1), and a folder saved but never listed (its
// walk row, with no job yet) is uploaded rather than "nothing to resume".
func TestResumeReportsLeftoversAndListsSavedFolders(t *testing.T) {
	sb := keyedSandbox(t)
	_, envKey, account := uploadFirst(t, sb)

	db := openDataDB(t)
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
	db = openDataDB(t)
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

// TestHistoryExports: --csv and --json are the window's export (one
// exporter), with the link in the person's style, formulas defused, and
// --search and --limit applied.
func TestHistoryExports(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	writeHistory(t, "=HYPERLINK(\"x\")", "notes.txt", "report.pdf")

	code, out, errOut := runCLI(t, "", "history", "--csv", "--search", "hyperlink")
	require.Equal(t, 0, code, errOut)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2)
	assert.Equal(t, "link", records[0][len(records[0])-1])
	assert.Contains(t, records[1], `'=HYPERLINK("x")`, "formula defused")
	link := records[1][len(records[1])-1]
	assert.True(t, strings.HasPrefix(link, "https://api.dstor.cloud/ipfs/QmHash0?filename=%3DHYPERLINK"), "the link names the file, escaped: %s", link)

	code, out, errOut = runCLI(t, "", "history", "--json", "--limit", "2")
	require.Equal(t, 0, code, errOut)
	recs := testutil.ParseHistory(t, out)
	require.Len(t, recs, 2)
	assert.Equal(t, "report.pdf", recs[0].Name, "newest first")
	assert.Equal(t, "https://api.dstor.cloud/ipfs/QmHash2?filename=report.pdf", recs[0].Link)
}

// TestHistoryFormat: --format prints the links alone, one per line, in
// each style (newest first), sets the JSON link's style, and refuses an
// unknown style with the choices.
func TestHistoryFormat(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	writeHistory(t, "old notes.txt", "[draft] <b>.md")
	const gw = "https://api.dstor.cloud/ipfs/"
	want := map[string]string{
		"gateway":  gw + "QmHash1?filename=%5Bdraft%5D%20%3Cb%3E.md\n" + gw + "QmHash0?filename=old%20notes.txt\n",
		"ipfs":     "ipfs://QmHash1\nipfs://QmHash0\n",
		"cid":      "QmHash1\nQmHash0\n",
		"markdown": `[\[draft\] \<b>.md](` + gw + "QmHash1?filename=%5Bdraft%5D%20%3Cb%3E.md)\n[old notes.txt](" + gw + "QmHash0?filename=old%20notes.txt)\n",
		"html": `<a href="` + gw + `QmHash1?filename=%5Bdraft%5D%20%3Cb%3E.md">[draft] &lt;b&gt;.md</a>` + "\n" +
			`<a href="` + gw + `QmHash0?filename=old%20notes.txt">old notes.txt</a>` + "\n",
	}
	for style, w := range want {
		code, out, errOut := runCLI(t, "", "history", "--format", style)
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, w, out, style)
	}
	code, out, errOut := runCLI(t, "", "history", "--format", "markdown", "--json", "--limit", "1")
	require.Equal(t, 0, code, errOut)
	recs := testutil.ParseHistory(t, out)
	require.Len(t, recs, 1)
	assert.Equal(t, `[\[draft\] \<b>.md](`+gw+"QmHash1?filename=%5Bdraft%5D%20%3Cb%3E.md)", recs[0].Link)

	code, _, errOut = runCLI(t, "", "history", "--format", "qr")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--format must be one of gateway, ipfs, cid, markdown, html")
}

// TestResumePrintsWhatAKilledRunFinished: an upload a killed run finished
// but never printed (its job done, not marked reported) is printed by the
// next run, once, and counted in its summary; one that a run printed, or
// that the window finished (it shows it), is never printed again.
func TestResumePrintsWhatAKilledRunFinished(t *testing.T) {
	sb := keyedSandbox(t)
	printed, envKey, account := uploadFirst(t, sb)

	db := openDataDB(t)
	finish := func(id, hash string, reported bool) {
		row := storage.JobRow{ID: id, BatchID: "killed", Env: envKey, Account: account,
			LocalPath: "/gone/" + id + ".txt", Name: id + ".txt", Size: 10}
		require.NoError(t, db.InsertJobs([]storage.JobRow{row}))
		row.Hash, row.Verified, row.Reported = hash, true, reported
		require.NoError(t, db.FinishJob(row, storage.HistoryEntry{Env: envKey, Account: account, Name: row.Name, Hash: hash, Verified: true}))
	}
	const unprinted, shown = "QmUnprintedUnprintedUnprintedUnprintedUnprint", "QmShownByTheWindowShownByTheWindowShownByThe"
	finish("killed-run", unprinted, false)
	finish("window-run", shown, true)
	require.NoError(t, db.Close())

	code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 1, strings.Count(out, `"hash":"`+unprinted+`"`), out)
	assert.NotContains(t, out, shown)
	assert.NotContains(t, out, testutil.CIDOf(t, printed), "printed by the upload already")
	assert.Contains(t, errOut, "Uploaded 1 file(s)")

	code, out, errOut = runCLI(t, "", "resume", "--env", sb.URL, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out, "printed once, never again")
	assert.Contains(t, errOut, "Nothing to resume")
}

// TestRunRefusedByALiveRunLeavesItsResults: a run that finds another run
// holding the account's queue prints none of that run's results. The live
// run marks what it printed every 20 ms, so a finished upload it has not
// marked yet is its own to print, not a leftover; `resume` and `upload`
// printed it (and marked it), then said another run holds the queue: one
// result printed by two processes, one of which uploaded nothing.
func TestRunRefusedByALiveRunLeavesItsResults(t *testing.T) {
	sb := keyedSandbox(t)
	_, envKey, account := uploadFirst(t, sb)
	other := makeFiles(t, t.TempDir(), 1, func(int) int { return 50 })[0]
	tests := []struct {
		name string
		args []string
	}{
		{"resume", []string{"resume", "--env", sb.URL, "--json"}},
		{"upload", []string{"upload", "--env", sb.URL, "--json", other}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openDataDB(t)
			defer func() { require.NoError(t, db.Close()) }()
			live := fmt.Sprintf("QmJustFinishedByTheLiveRunNotYetMarked%08d", i)
			row := storage.JobRow{ID: "live-" + tt.name, BatchID: "live", Env: envKey, Account: account,
				LocalPath: "/live/" + tt.name + ".txt", Name: tt.name + ".txt", Size: 10}
			require.NoError(t, db.InsertJobs([]storage.JobRow{row}))
			row.Hash, row.Verified = live, true
			require.NoError(t, db.FinishJob(row, storage.HistoryEntry{Env: envKey, Account: account, Name: row.Name, Hash: live, Verified: true}))
			lock, err := db.LockQueue(envKey, account) // the live run
			require.NoError(t, err)
			defer lock.Release()

			code, out, errOut := runCLI(t, "", tt.args...)
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, errOut, "already running this account's upload queue")
			assert.NotContains(t, out, live, "the live run's result is the live run's to print")
			assert.NotContains(t, errOut, live)
			left, err := db.UnreportedDone(envKey, account)
			require.NoError(t, err)
			require.Len(t, left, 1, "still unprinted, for the live run (or the next one, if it is killed)")
			assert.Equal(t, live, left[0].Hash)
			require.NoError(t, db.MarkReported(row.ID)) // the live run prints it
		})
	}
}

// uploadFirst uploads a file of 100 bytes to sb with the command line, so
// the data folder knows the account, and returns the file and the
// environment key and account its history entry was recorded under.
func uploadFirst(t *testing.T, sb *testutil.Sandbox) (path, envKey, account string) {
	t.Helper()
	path = makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, path)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, testutil.CIDOf(t, path))
	recs := historyJSON(t)
	require.Len(t, recs, 1)
	return path, recs[0].Env, recs[0].Account
}

// openDataDB opens the database of the data folder the command line uses;
// the caller closes it before the next run.
func openDataDB(t *testing.T) *storage.DB {
	t.Helper()
	dir, err := storage.DataDir()
	require.NoError(t, err)
	db, err := storage.Open(dir)
	require.NoError(t, err)
	return db
}

// TestHistoryLinkTextIsInert: a name with a bidi override or a terminal
// escape is the text of a Markdown or HTML link escaped where it stands,
// printed (--format) and in the CSV and JSON exports' link, while the
// history keeps the name as it is.
func TestHistoryLinkTextIsInert(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	const hostile = "invoice\u202efdp\x1b]0;owned\a.exe"
	writeHistory(t, hostile)
	const gw = "https://api.dstor.cloud/ipfs/QmHash0?filename=invoice%E2%80%AEfdp%1B%5D0%3Bowned%07.exe"
	tests := []struct {
		name string
		args []string
		want string // in the output
	}{
		{"markdown", []string{"--format", "markdown"}, `[invoice\\u202efdp\\x1b\]0;owned\\a.exe](` + gw + ")\n"},
		{"html", []string{"--format", "html"}, `<a href="` + gw + `">invoice\u202efdp\x1b]0;owned\a.exe</a>` + "\n"},
		{"csv", []string{"--csv", "--format", "html"}, `<a href=""` + gw + `"">invoice\u202efdp\x1b]0;owned\a.exe</a>`},
		{"json", []string{"--json", "--format", "markdown"}, `"link":"[invoice\\\\u202efdp\\\\x1b\\]0;owned\\\\a.exe](` + gw + `)"`},
	}
	for _, tt := range tests {
		code, out, errOut := runCLI(t, "", append([]string{"history"}, tt.args...)...)
		require.Equal(t, 0, code, errOut)
		assert.Contains(t, out, tt.want, tt.name)
		for _, bad := range []string{"\u202e", "\x1b", "\a"} {
			assert.NotContains(t, out, bad, tt.name)
		}
	}
	code, out, errOut := runCLI(t, "", "history", "--json")
	require.Equal(t, 0, code, errOut)
	recs := testutil.ParseHistory(t, out)
	require.Len(t, recs, 1)
	assert.Equal(t, hostile, recs[0].Name, "the history keeps the name as it is")
}

// TestHistoryPrintsJoinedNamesAsTheyAre: a name written with the
// zero-width joiner (an emoji) or non-joiner (Persian) is printed as it
// is, as the window shows it, not quoted with the joiner escaped
// ("\"👩\\u200d💻 notes.md\""), which no one could paste back as the name.
func TestHistoryPrintsJoinedNamesAsTheyAre(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	names := []string{"👩\u200d💻 notes.md", "می\u200cخواهم.txt"}
	writeHistory(t, names...)
	code, out, errOut := runCLI(t, "", "history")
	require.Equal(t, 0, code, errOut)
	for _, name := range names {
		assert.Contains(t, out, name)
	}
	assert.NotContains(t, out, `\u200`)
}

// writeHistory records uploads of the files names, newest last, verified,
// on production for account "me", one second apart.
func writeHistory(t *testing.T, names ...string) {
	t.Helper()
	db := openDataDB(t)
	for i, name := range names {
		_, err := db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("job-", i), Env: "production", Account: "me", Name: name,
			Hash: fmt.Sprint("QmHash", i), Verified: true, FinishedAt: time.Unix(int64(1_700_000_000+i), 0)})
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
}

// TestHistorySearchByLink: a link the app gave (any style), pasted into
// --search, finds its upload by the CID it holds, as the window's search
// does; it looked for the whole link and found nothing.
func TestHistorySearchByLink(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	const mine, other = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
	db := openDataDB(t)
	for i, hash := range []string{mine, other} {
		_, err := db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("job-", i), Env: "production", Account: "me",
			Name: fmt.Sprint("file ", i, ".txt"), Hash: hash, Verified: true, FinishedAt: time.Unix(int64(1_700_000_000+i), 0)})
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())
	for _, style := range api.LinkStyles {
		link := api.Links{}.As(style, "production", mine, "file 0.txt")
		code, out, errOut := runCLI(t, "", "history", "--search", link, "--format", "cid")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, mine+"\n", out, "%s link %q", style, link)
	}
}
