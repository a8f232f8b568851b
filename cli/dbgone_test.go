package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// skipOnWindows skips t on Windows, which refuses to delete a database
// file SQLite holds open (it opens it without FILE_SHARE_DELETE).
func skipOnWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a database file SQLite holds open")
	}
}

// deleteDB deletes the database of the data folder home with its -wal and
// -shm, as another program (a cleanup tool, rm) would.
func deleteDB(t *testing.T, home string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		require.NoError(t, os.Remove(filepath.Join(home, storage.DBFileName+suffix)))
	}
}

// goneMidRun is what an upload run said (uploadWhileGone), with its
// sandbox, its data folder and the files it was given.
type goneMidRun struct {
	code        int
	out, errOut string
	sb          *testutil.Sandbox
	home        string
	files       []string
}

// uploadWhileGone runs `upload` of a folder of 8 files against a sandbox,
// one upload at a time, and calls gone with its data folder while the third
// upload is held (another program deleting the history, or part of it),
// then lets the run finish.
func uploadWhileGone(t *testing.T, gone func(t *testing.T, home string)) goneMidRun {
	t.Helper()
	r := goneMidRun{sb: testutil.StartSandbox(t, sandbox.Config{}), home: t.TempDir()}
	t.Setenv(storage.HomeEnv, r.home)
	t.Setenv(APIKeyEnv, r.sb.Key)
	r.files = makeFiles(t, filepath.Join(t.TempDir(), "data"), 8, func(i int) int { return 3000 + i })
	hold := testutil.NewUploadHold(r.sb.Srv, 2)
	hold.Arm()
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release) // first: a held request must not keep ts.Close waiting

	done := make(chan goneMidRun, 1)
	go func() {
		code, out, errOut := runCLI(t, "", "upload", "--env", ts.URL, "--concurrency", "1", filepath.Dir(r.files[0]))
		done <- goneMidRun{code: code, out: out, errOut: errOut}
	}()
	select {
	case <-hold.Started():
	case d := <-done:
		t.Fatalf("the run ended before its third upload: %d %s %s", d.code, d.out, d.errOut)
	case <-time.After(2 * time.Minute):
		t.Fatal("no third upload within 2 minutes")
	}
	gone(t, r.home)
	hold.Release()
	d := <-done
	r.code, r.out, r.errOut = d.code, d.out, d.errOut
	return r
}

// assertEveryUploadLinked asserts that each upload the sandbox stored has
// its link in the run's output, stdout or stderr: nothing uploaded may be
// left without its link when no history keeps it.
func assertEveryUploadLinked(t *testing.T, sb *testutil.Sandbox, output string) {
	t.Helper()
	ups := sb.Srv.Uploads(sb.Acc.ID)
	require.NotEmpty(t, ups)
	for _, u := range ups {
		assert.Contains(t, output, "/ipfs/"+u.Hash+"?filename="+u.Name, "the link of %s", u.Name)
	}
}

// TestUploadWhileTheDatabaseIsDeletedFails: another program deletes the
// database while an upload runs. SQLite goes on writing to the deleted
// file, so the run must not end as a success: it exits 1, says the history
// was deleted and what to do, and every file it uploaded has its link in
// its output (an upload it could not record on its FAILED line), as no
// history has them.
func TestUploadWhileTheDatabaseIsDeletedFails(t *testing.T) {
	skipOnWindows(t)
	r := uploadWhileGone(t, deleteDB)
	sb, home, files := r.sb, r.home, r.files
	t.Logf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	assert.Equal(t, 1, r.code, "no success: the history the run recorded in is gone")
	assert.Contains(t, r.errOut, "the upload history "+filepath.Join(home, storage.DBFileName)+" was deleted or moved away while this run was uploading")
	assert.Contains(t, r.errOut, "keep these links")
	assert.NotContains(t, r.errOut, "retry to record it", "no retry can record in a history that is gone")
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), len(files))
	assertEveryUploadLinked(t, sb, r.out+r.errOut)
	// Said once, at the end, with what to do: not again on every FAILED
	// line (each repeated a 400-character sentence whose advice, the
	// window's "start dStor Uploader again", is not the command line's).
	assert.Equal(t, 1, strings.Count(r.errOut, "was deleted or moved away"), "the history's fate said once")
	assert.NotContains(t, r.errOut, "start dStor Uploader again")
	failed := 0
	for line := range strings.Lines(r.errOut) {
		if !strings.HasPrefix(line, "FAILED  ") {
			continue
		}
		failed++
		assert.Regexp(t, `^FAILED  \S+: uploaded as Qm\w+, but not recorded: the upload history was deleted or replaced during this run \(see "Not recorded:" below\) — its link: http\S+\n$`, line)
	}
	assert.Positive(t, failed, "uploads the history could not record")
}

// deleteAfter is stdout that deletes the database of home once n result
// lines were printed: each is printed after its upload was recorded, so
// the deletion comes after the run's last write.
type deleteAfter struct {
	t    *testing.T
	home string
	n    int
	mu   sync.Mutex
	buf  bytes.Buffer
	once sync.Once
}

func (w *deleteAfter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	if strings.Count(w.buf.String(), "\n") >= w.n {
		w.once.Do(func() { deleteDB(w.t, w.home) })
	}
	return n, err
}

// TestUploadWhoseDatabaseIsDeletedAfterItsLastWriteFails: a database
// deleted after the run's last write is found before the run ends, not
// taken for a history that keeps the uploads.
func TestUploadWhoseDatabaseIsDeletedAfterItsLastWriteFails(t *testing.T) {
	skipOnWindows(t)
	sb := testutil.StartSandbox(t, sandbox.Config{})
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(APIKeyEnv, sb.Key)
	files := makeFiles(t, t.TempDir(), 3, func(i int) int { return 100 + i })
	out := &deleteAfter{t: t, home: home, n: len(files)}
	var errOut bytes.Buffer
	code := Run(context.Background(), append([]string{"upload", "--env", sb.URL}, files...), IO{In: strings.NewReader(""), Out: out, Err: &errOut})
	t.Logf("stdout:\n%s\nstderr:\n%s", out.buf.String(), errOut.String())
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut.String(), "the upload history "+filepath.Join(home, storage.DBFileName)+" was deleted or moved away while this run was uploading")
	assertEveryUploadLinked(t, sb, out.buf.String())
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), len(files))
}

// TestNotRecordedSaysWhereTheLinksAre: the end of a run whose history
// was deleted says where the links of its uploads were printed. With
// --json there are no FAILED lines: every upload is an object on stdout,
// those not recorded with "state":"failed" and their "link".
func TestNotRecordedSaysWhereTheLinksAre(t *testing.T) {
	gone := &storage.ReplacedError{Path: "/data/" + storage.DBFileName, Deleted: true}
	tests := []struct {
		json    bool
		where   string
		missing string
	}{
		{json: false, where: "printed above (1 on stdout, 5 on the FAILED lines)"},
		{json: true, where: `printed above, one JSON object each on stdout (5 of them with "state":"failed" and their "link")`, missing: "FAILED lines"},
	}
	for _, tt := range tests {
		s := historyGone(gone, &reporter{json: tt.json, done: 1, unrecorded: 5})
		assert.Contains(t, s, "dStor has the 6 file(s) uploaded: keep these links, "+tt.where+". ", "--json %v", tt.json)
		if tt.missing != "" {
			assert.NotContains(t, s, tt.missing, "--json %v", tt.json)
		}
	}
}
