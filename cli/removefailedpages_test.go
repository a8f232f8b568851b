package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// failUploads uploads a file once to sb (so the history names the
// environment and account of the queue), then fails the upload of n
// files, and returns them and that environment and account.
func failUploads(t *testing.T, sb *testutil.Sandbox, n int) (files []string, env, account string) {
	t.Helper()
	dir := t.TempDir()
	seed := testutil.WriteFile(t, filepath.Join(dir, "seed.txt"), 10)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, seed)
	require.Equal(t, 0, code, errOut)
	recs := historyJSON(t)
	require.Len(t, recs, 1)
	files = makeFiles(t, filepath.Join(dir, "failing"), n, func(i int) int { return 400 + i })
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400, Count: n})
	code, _, errOut = runCLI(t, "", append([]string{"upload", "--env", sb.URL}, files...)...)
	require.Equal(t, 1, code, errOut)
	require.Equal(t, n, failedInQueue(t, recs[0].Env, recs[0].Account), errOut)
	return files, recs[0].Env, recs[0].Account
}

// useFailedPage makes failedGone and removeFailed read n failed uploads
// at a time until the test ends.
func useFailedPage(t *testing.T, n int) {
	t.Helper()
	failedPage = n
	t.Cleanup(func() { failedPage = 1000 })
}

// replaceRemoveFailedJob has removeFailed call remove instead of
// worker.Queue.RemoveFailed (which remove gets) until the test ends.
func replaceRemoveFailedJob(t *testing.T, remove func(real func(*worker.Queue, string) (worker.Job, bool, error), q *worker.Queue, id string) (worker.Job, bool, error)) {
	t.Helper()
	real := removeFailedJob
	removeFailedJob = func(q *worker.Queue, id string) (worker.Job, bool, error) { return remove(real, q, id) }
	t.Cleanup(func() { removeFailedJob = real })
}

// TestRemoveFailedCountsWhatIsLeftPastAPage: resume --remove-failed
// reads the failed uploads a page at a time; a failed upload RemoveFailed
// does not remove (a job that left the failed state meanwhile, or one in
// memory) stays in the queue, and resume says how many failed uploads wait
// there, whatever page it was on. It used to subtract the uploads removed
// on every page before again at each page, and say "Nothing to resume: the
// queue is empty." while failed uploads waited in it.
func TestRemoveFailedCountsWhatIsLeftPastAPage(t *testing.T) {
	useFailedPage(t, 2) // 5 failed uploads: pages of 2, 2 and 1
	tests := []struct {
		name    string
		refused []int // the calls of RemoveFailed (from 0) that remove nothing
		want    string
	}{
		{"none refused", nil, "Removed 5 failed upload(s) from the queue (the history is unchanged).\n" +
			"Nothing to resume: the queue is empty.\n"},
		{"one on the first page", []int{1}, "Removed 4 failed upload(s) from the queue (the history is unchanged).\n" +
			"Nothing to resume; 1 failed upload(s) can be tried again with --retry-failed (or taken out of the queue with --remove-failed).\n"},
		{"one on the last page", []int{4}, "Removed 4 failed upload(s) from the queue (the history is unchanged).\n" +
			"Nothing to resume; 1 failed upload(s) can be tried again with --retry-failed (or taken out of the queue with --remove-failed).\n"},
		{"one on each page", []int{0, 3, 4}, "Removed 2 failed upload(s) from the queue (the history is unchanged).\n" +
			"Nothing to resume; 3 failed upload(s) can be tried again with --retry-failed (or taken out of the queue with --remove-failed).\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb := keyedSandbox(t)
			_, env, account := failUploads(t, sb, 5)
			calls := 0
			replaceRemoveFailedJob(t, func(real func(*worker.Queue, string) (worker.Job, bool, error), q *worker.Queue, id string) (worker.Job, bool, error) {
				defer func() { calls++ }()
				for _, n := range tt.refused {
					if n == calls {
						return worker.Job{}, false, nil // as for a job no longer failed
					}
				}
				return real(q, id)
			})

			code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
			require.Equal(t, 0, code, errOut)
			assert.Empty(t, out)
			assert.Equal(t, 5, calls, "each failed upload once")
			assert.Equal(t, 5-len(tt.refused), strings.Count(errOut, "REMOVED  "), errOut)
			assert.True(t, strings.HasSuffix(errOut, tt.want), errOut)
			assert.Equal(t, len(tt.refused), failedInQueue(t, env, account), "the failed uploads not removed wait")
		})
	}
}

// unreadRowAt has the n-th call (from 1) of removeFailedJob fail to read
// the job's row (testutil.HideJobs for that call); it returns the count
// of calls.
func unreadRowAt(t *testing.T, n int) (calls *int) {
	t.Helper()
	dir, err := storage.DataDir()
	require.NoError(t, err)
	calls = new(int)
	replaceRemoveFailedJob(t, func(real func(*worker.Queue, string) (worker.Job, bool, error), q *worker.Queue, id string) (worker.Job, bool, error) {
		*calls++
		if *calls == n {
			restore := testutil.HideJobs(t, dir)
			defer restore()
		}
		return real(q, id)
	})
	return calls
}

// TestRemoveFailedStopsAtARowItCannotRead: when the row of a failed
// upload cannot be read (a flaky drive, another program holding the
// file), resume --remove-failed says how many it removed before, that it
// stopped there and why, how many failed uploads still wait (those of the
// pages before it removed counted out), and to run it again; it exits 1
// without saying the queue could not be saved. The failed uploads it did
// not reach are still in the queue, and the next run removes them. It used
// to end with the read's error, as Go wrote it.
func TestRemoveFailedStopsAtARowItCannotRead(t *testing.T) {
	useFailedPage(t, 2) // 5 failed uploads: the first row of the second page cannot be read
	sb := keyedSandbox(t)
	files, env, account := failUploads(t, sb, 5)
	calls := unreadRowAt(t, 3)

	code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	assert.Equal(t, 1, code, errOut)
	assert.Empty(t, out)
	assert.Equal(t, 3, *calls, "it stops at the row it could not read")
	assert.Equal(t, 2, strings.Count(errOut, "REMOVED  "), errOut)
	assert.Contains(t, errOut, "Removed 2 failed upload(s) from the queue (the history is unchanged).\n"+
		"Stopped: the failed upload "+files[2]+" could not be read from the queue (read the job to change: job ")
	assert.Contains(t, errOut, "no such table: jobs (1)), so it and the failed uploads after it were not removed: "+
		"3 failed upload(s) wait in the queue. Run \"dstor-uploader resume --remove-failed\" again to remove them.\n")
	assert.NotContains(t, errOut, "The queue could not be saved")
	assert.Equal(t, 3, failedInQueue(t, env, account), "the failed uploads not reached wait")

	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 6, *calls)
	assert.Contains(t, errOut, "Removed 3 failed upload(s) from the queue")
	assert.Zero(t, failedInQueue(t, env, account))
}

// TestRemoveFailedStoppedThatTheDatabaseRefusesSaysSo: resume
// --remove-failed stopped by a row it cannot read, whose deletions the
// database then refuses as the queue closes, says the queue could not be
// saved and that the uploads it removed may come back, as a run that was
// not stopped does; they do come back. It used to close the queue without
// a word of it.
func TestRemoveFailedStoppedThatTheDatabaseRefusesSaysSo(t *testing.T) {
	useFailedPage(t, 2)
	sb := keyedSandbox(t)
	_, env, account := failUploads(t, sb, 5)
	refuseDeletingFailedJobs(t)
	unreadRowAt(t, 3)

	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "Removed 2 failed upload(s) from the queue")
	assert.Contains(t, errOut, "Stopped: the failed upload ")
	assert.Contains(t, errOut, "The queue could not be saved (")
	assert.Contains(t, errOut, "refused by the test")
	assert.Contains(t, errOut, "the 2 failed upload(s) removed may still be in it, and come back at the next resume.\n")
	assert.Equal(t, 5, failedInQueue(t, env, account), "the database kept them")
}

// TestRemoveFailedSaysWhetherTheFileOfTheOneLeftIsThere: after resume
// --remove-failed took out of the queue the failed uploads whose files
// are gone and left one whose file is there, resume says that one can be
// tried again, not that its file is no longer there: the rows of the
// uploads it removed, deleted as the queue writes them, are not counted.
func TestRemoveFailedSaysWhetherTheFileOfTheOneLeftIsThere(t *testing.T) {
	sb := keyedSandbox(t)
	files, env, account := failUploads(t, sb, 3)
	require.NoError(t, os.Remove(files[0]))
	require.NoError(t, os.Remove(files[1]))
	calls := 0
	replaceRemoveFailedJob(t, func(real func(*worker.Queue, string) (worker.Job, bool, error), q *worker.Queue, id string) (worker.Job, bool, error) {
		calls++
		if calls == 3 { // files[2], which is there
			return worker.Job{}, false, nil
		}
		return real(q, id)
	})

	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--remove-failed")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 2, strings.Count(errOut, "REMOVED  "), errOut)
	assert.True(t, strings.HasSuffix(errOut, "Removed 2 failed upload(s) from the queue (the history is unchanged).\n"+
		"Nothing to resume; 1 failed upload(s) can be tried again with --retry-failed (or taken out of the queue with --remove-failed).\n"), errOut)
	assert.Equal(t, 1, failedInQueue(t, env, account))
}
