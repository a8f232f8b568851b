package cli

import (
	"database/sql"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// failedInQueue counts the failed uploads in the queue of env and account.
func failedInQueue(t *testing.T, env, account string) int {
	t.Helper()
	db := openDataDB(t)
	defer func() { require.NoError(t, db.Close()) }()
	counts, err := db.JobCounts(env, account)
	require.NoError(t, err)
	return counts[storage.JobFailed].Jobs
}

// failTwo uploads path once to url (so the history has an upload of it),
// then fails an upload of it again and of a file that is not there, and
// returns that file and the environment and account of the queue.
func failTwo(t *testing.T, sb *testutil.Sandbox, url, path string) (missing, env, account string) {
	t.Helper()
	code, _, errOut := runCLI(t, "", "upload", "--env", url, path)
	require.Equal(t, 0, code, errOut)
	recs := historyJSON(t)
	require.Len(t, recs, 1)
	// A path named that is not there is never queued: this file fails
	// with the other, then goes.
	missing = testutil.WriteFile(t, filepath.Join(filepath.Dir(path), "gone-since.txt"), 10)
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400, Count: 2})
	code, _, errOut = runCLI(t, "", "upload", "--env", url, "--again", path, missing)
	require.Equal(t, 1, code, errOut)
	require.Equal(t, 2, failedInQueue(t, recs[0].Env, recs[0].Account), errOut)
	require.NoError(t, os.Remove(missing))
	return missing, recs[0].Env, recs[0].Account
}

// TestResumeRemoveFailedUsageErrors: --remove-failed is resume's, takes
// no value but a switch's, and does not go with --retry-failed; each
// mistake is a usage error (exit 2) that removes nothing.
func TestResumeRemoveFailedUsageErrors(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 310 })[0]
	_, env, account := failTwo(t, sb, sb.URL, f)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"with --retry-failed", []string{"resume", "--env", sb.URL, "--retry-failed", "--remove-failed"},
			"--retry-failed and --remove-failed do not go together"},
		{"with an argument", []string{"resume", "--env", sb.URL, "--remove-failed", f}, "unexpected argument"},
		{"not a switch's value", []string{"resume", "--env", sb.URL, "--remove-failed=maybe"}, "--remove-failed is a switch"},
		{"upload's flag", []string{"upload", "--env", sb.URL, "--remove-failed", f}, "unknown flag: --remove-failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			assert.Equal(t, 2, code, errOut)
			assert.Contains(t, errOut, tt.want)
			assert.Empty(t, out)
			assert.NotContains(t, errOut, "REMOVED")
			assert.Equal(t, 2, failedInQueue(t, env, account), "nothing removed")
		})
	}
}

// TestResumeRemovesFailedUploadsWhoseFilesAreGone: a failed upload whose
// file is gone can only fail again, and resume mentioned it at every run;
// resume --remove-failed takes it out of the queue, as the window's Remove
// does, says which and how many it removed, and resume says no more of
// it. The history keeps the earlier upload of a file whose upload again
// failed.
func TestResumeRemovesFailedUploadsWhoseFilesAreGone(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 320 })[0]
	missing, env, account := failTwo(t, sb, sb.URL, f)
	require.NoError(t, os.Rename(f, f+".away"))

	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Nothing to resume; the files of the 2 failed upload(s) are no longer there: "+
		"put them back, then run \"dstor-uploader resume --retry-failed\", "+
		"or take them out of the queue with \"dstor-uploader resume --remove-failed\".\n", errOut)

	code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "REMOVED  "+f+": taken out of the queue; it had failed: ")
	assert.Contains(t, errOut, "REMOVED  "+missing+": taken out of the queue; it had failed: ")
	assert.Contains(t, errOut, "Removed 2 failed upload(s) from the queue (the history is unchanged).\n")
	assert.Zero(t, failedInQueue(t, env, account))

	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Nothing to resume: the queue is empty.\n", errOut)
	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "No failed upload to remove.\nNothing to resume: the queue is empty.\n", errOut)
	recs := historyJSON(t)
	require.Len(t, recs, 1, "the history keeps the upload")
	assert.Equal(t, f, recs[0].LocalPath)
}

// TestRemoveFailedLeavesUploadsNotFailed: while another run holds the
// account's queue, resume --remove-failed removes nothing (that run may be
// retrying them); once it is killed with an upload in flight, the failed
// uploads are removed, each a JSON object with --json, and the upload it
// left is not: the run uploads it.
func TestRemoveFailedLeavesUploadsNotFailed(t *testing.T) {
	sb := keyedSandbox(t)
	hold := testutil.NewUploadHold(sb.Srv, 0)
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release)
	files := makeFiles(t, t.TempDir(), 2, func(i int) int { return 330 + i })
	missing, env, account := failTwo(t, sb, ts.URL, files[0])
	hold.Arm()
	run := startHeld(t, hold, "the held run", nil, "upload", "--env", ts.URL, files[1])

	code, out, errOut := runCLI(t, "", "resume", "--env", ts.URL, "--remove-failed")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "already running this account's upload queue")
	assert.Empty(t, out)
	assert.Equal(t, 2, failedInQueue(t, env, account), "nothing removed while another run holds the queue")

	require.NoError(t, run.cmd.Process.Signal(syscall.SIGKILL))
	_ = run.wait("its kill")
	hold.Disarm()
	code, out, errOut = runCLI(t, "", "resume", "--env", ts.URL, "--remove-failed", "--json")
	require.Equal(t, 0, code, errOut)
	states := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec struct{ Path, State, Error string }
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		states[rec.Path] = rec.State
		if rec.State == "removed" {
			assert.NotEmpty(t, rec.Error, "why it had failed")
		}
	}
	assert.Equal(t, map[string]string{files[0]: "removed", missing: "removed", files[1]: "done"}, states)
	assert.Contains(t, errOut, "Removed 2 failed upload(s) from the queue")
	assert.NotContains(t, errOut, "REMOVED", "--json says it on stdout")
	assert.Zero(t, failedInQueue(t, env, account))
	assert.Len(t, historyJSON(t), 2, "the earlier upload and the one the killed run left")
}

// TestRemovedFailedFileOfAFolderLeavesItsListNotWhole: a folder's file
// whose upload failed, taken out of the queue by resume --remove-failed,
// is missing from the folder's list of links for good, as after the
// window's Remove: history --folder says so, not that the list is whole.
func TestRemovedFailedFileOfAFolderLeavesItsListNotWhole(t *testing.T) {
	sb := keyedSandbox(t)
	_, dir := trip(t, 2)
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400, Count: 1})
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--concurrency", "1", dir)
	require.Equal(t, 1, code, errOut)

	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "Removed 1 failed upload(s) from the queue")
	useByDefault(t, sb.URL)
	code, cids, errOut := folderCIDs(t, dir)
	assert.Equal(t, 1, code, errOut)
	assert.Len(t, cids, 1, "the file uploaded")
	assert.Contains(t, errOut, "Not the whole folder: 1 file(s) of this upload of")
	assert.Contains(t, errOut, "removed from the queue")
}

// refuseDeletingFailedJobs makes the data folder's database refuse to
// delete a failed upload's row (a trigger), until the test ends.
func refuseDeletingFailedJobs(t *testing.T) {
	t.Helper()
	dir, err := storage.DataDir()
	require.NoError(t, err)
	db, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	_, err = db.Exec(`CREATE TRIGGER refuse_removal BEFORE DELETE ON jobs WHEN OLD.state = 'failed'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
	require.NoError(t, err)
}

// TestRemoveFailedThatTheDatabaseRefusesSaysSo: resume --remove-failed
// whose deletions the database refuses does not say it removed uploads
// and stop there with exit 0: it says the queue could not be saved and
// that the uploads may come back, and exits 1; they do come back.
func TestRemoveFailedThatTheDatabaseRefusesSaysSo(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 340 })[0]
	_, env, account := failTwo(t, sb, sb.URL, f)
	refuseDeletingFailedJobs(t)

	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "The queue could not be saved")
	assert.Contains(t, errOut, "refused by the test")
	assert.Contains(t, errOut, "the 2 failed upload(s) removed may still be in it")
	assert.Equal(t, 2, failedInQueue(t, env, account), "the database kept them")
}
