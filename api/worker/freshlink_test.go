package worker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFileNamedThroughALinkMadeJustBeforeTheAddIsSentWhenEdited: a
// script made a symbolic link and at once named a file through it
// (ln -s build latest && dstor-uploader upload latest/report.txt); the
// file, written to again before its turn, was skipped as "now leads
// through a symbolic link to another file than the one added": the link,
// made a few milliseconds before the add, was within the slack that
// makes a link count as made after it.
func TestFileNamedThroughALinkMadeJustBeforeTheAddIsSentWhenEdited(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.write("build/report.txt", []byte("first"))
	link := filepath.Join(e.files, "latest")
	testfs.SymlinkOrSkip(t, filepath.Join(e.files, "build"), link)
	p := filepath.Join(link, "report.txt")
	assertSentWhenEditedBeforeItsTurn(t, e, p, p)
}

// TestFolderAddedThroughALinkMadeJustBeforeTheAddIsSentWhenEdited: the
// same for a folder (ln -s build latest && dstor-uploader upload latest):
// a file in it, written to again before its turn, was skipped as "now
// leads through a symbolic link put at its folder's path, or on the way
// to it, after the folder was added".
func TestFolderAddedThroughALinkMadeJustBeforeTheAddIsSentWhenEdited(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.write("build/report.txt", []byte("first"))
	link := filepath.Join(e.files, "latest")
	testfs.SymlinkOrSkip(t, filepath.Join(e.files, "build"), link)
	build, err := filepath.EvalSymlinks(link)
	require.NoError(t, err)
	// A folder's files are listed where its link leads.
	assertSentWhenEditedBeforeItsTurn(t, e, link, filepath.Join(build, "report.txt"))
}

// assertSentWhenEditedBeforeItsTurn adds add (file itself, or a folder
// that holds it) to a queue with no sign-in, appends to file once its job
// waits for one (past the clock tick of the add), signs in and checks
// that file's one job is done, not skipped as changed or swapped.
func assertSentWhenEditedBeforeItsTurn(t *testing.T, e *testEnv, add, file string) {
	t.Helper()
	q := e.queue(e.tokenless()) // its job waits for a sign-in
	q.Add(Request{Path: add})
	eventually(t, 0, func() bool {
		jobs := jobsFor(q, file)
		return len(jobs) == 1 && jobs[0].State == storage.JobWaitingSignIn
	}, "waiting for a sign-in")
	waitPastNow(t, e.files)
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(", then more")
	require.NoError(t, err)
	require.NoError(t, f.Close())

	q.SetTokens(e.config().Tokens)
	require.NoError(t, wait(t, q, hangGuard))
	jobs := jobsFor(q, file)
	require.Len(t, jobs, 1)
	assert.Equal(t, storage.JobDone, jobs[0].State, "%+v", jobs[0])
}

// waitPastNow waits until the file system under dir stamps a time after
// now, so what is written next is seen as changed after it.
func waitPastNow(t *testing.T, dir string) {
	t.Helper()
	now := time.Now()
	probe := filepath.Join(dir, ".clock-probe")
	defer func() { _ = os.Remove(probe) }()
	for {
		require.NoError(t, os.WriteFile(probe, nil, 0o600))
		fi, err := os.Stat(probe)
		require.NoError(t, err)
		if fi.ModTime().After(now) {
			return
		}
		time.Sleep(time.Millisecond) // polled: the file system's clock moves on its own
	}
}
