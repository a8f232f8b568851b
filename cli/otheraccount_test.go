package cli

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// interruptedUpload signs in to sb's account A with its API key (through a
// front, whose URL it returns) and interrupts (Ctrl+C) a real run of A in
// the middle of uploading a file, which it returns: the file waits in A's
// saved queue.
func interruptedUpload(t *testing.T, sb *testutil.Sandbox) (front, file string) {
	t.Helper()
	hold := testutil.NewUploadHold(sb.Srv, 0)
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release) // the interrupted request stays held, unanswered, till then
	t.Cleanup(func() { runCLI(t, "", "logout", "--env", ts.URL) })

	code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", ts.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	file = makeFiles(t, t.TempDir(), 1, func(int) int { return 2500 })[0]
	hold.Arm()
	run := startHeld(t, hold, "the run", nil, "upload", "--env", ts.URL, file)
	interrupt(t, run.cmd) // Ctrl+C
	_ = run.wait("Ctrl+C")
	require.Contains(t, run.stderr.String(), "Interrupted")
	hold.Disarm()
	return ts.URL, file
}

// TestResumeSaysWhoseUploadsWait: a run of account A (its API key) is
// interrupted with a file still to upload; then the person signs in to
// another account B on the same environment, and resume (which signs in as
// B) has nothing of B's to do. It must not say the queue is empty as if
// nothing were left: it says how many uploads wait for another account
// and how to finish them, and signing in to A again and resuming does.
func TestResumeSaysWhoseUploadsWait(t *testing.T) {
	const emailB, passwordB = "second@example.com", "second-password-123"
	sb, _ := loginSandbox(t)
	b, err := sb.Srv.CreateAccount(emailB, passwordB)
	require.NoError(t, err)
	env, f := interruptedUpload(t, sb)

	code, _, errOut := runCLI(t, passwordB+"\n", "login", "--env", env, "--email", emailB, "--password-stdin")
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "", "resume", "--env", env)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.NotContains(t, errOut, "the queue is empty", "not as if nothing were left")
	assert.Contains(t, errOut, "1 upload(s) wait for another account")
	assert.Contains(t, errOut, "dstor-uploader login --env "+env+" --api-key-stdin")
	assert.Empty(t, sb.Srv.Uploads(b.ID), "nothing of A's uploaded as B")
	assert.Empty(t, sb.Srv.Uploads(sb.Acc.ID))

	// What it says to do finishes them.
	code, _, errOut = runCLI(t, sb.Key+"\n", "login", "--env", env, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	code, out, errOut = runCLI(t, "", "resume", "--env", env)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, f))
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), 1)
}

// TestResumeSaysUploadsWaitOnAnotherEnvironment: as above, but the person
// then signs in to another environment, which resume without --env takes
// (the one signed in to last): it says the upload waits on the first one
// and how to finish it there, which then does.
func TestResumeSaysUploadsWaitOnAnotherEnvironment(t *testing.T) {
	sb, _ := loginSandbox(t)
	env, f := interruptedUpload(t, sb)
	other := testutil.StartSandbox(t, sandbox.Config{})
	code, _, errOut := runCLI(t, other.Key+"\n", "login", "--env", other.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	t.Cleanup(func() { runCLI(t, "", "logout", "--env", other.URL) })

	code, out, errOut := runCLI(t, "", "resume")
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.NotContains(t, errOut, "the queue is empty", "not as if nothing were left")
	assert.Contains(t, errOut, "1 upload(s) wait on "+env)
	assert.Contains(t, errOut, "dstor-uploader resume --env "+env)
	assert.Zero(t, other.Uploads())

	// While another process runs that queue (a window signed in there),
	// it is finishing them: nothing to say.
	db := openDataDB(t)
	waiting, err := db.PendingOfOthers(other.Env.Key(), other.Acc.ID)
	require.NoError(t, err)
	require.Len(t, waiting, 1)
	lock, err := db.LockQueue(waiting[0].Env, waiting[0].Account)
	require.NoError(t, err)
	code, _, errOut = runCLI(t, "", "resume")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, "Nothing to resume: the queue is empty.\n", errOut)
	require.NoError(t, lock.Release())
	require.NoError(t, db.Close())

	code, out, errOut = runCLI(t, "", "resume", "--env", env)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, f))
	assert.Equal(t, 1, sb.Uploads())
}
