package instance

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// A window killed (SIGKILL, or TerminateProcess on Windows) gives the data
// folder up with its process: the next launch becomes the window, and
// launches after it hand their files to that one.
func TestClaimAfterTheWindowIsKilled(t *testing.T) {
	dir := t.TempDir()
	cmd, _ := startHolder(t, dir)
	_, handed, err := Claim(t.Context(), dir, Request{})
	require.NoError(t, err)
	assert.True(t, handed, "the running window takes the hand-off")

	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	srv := claimOrFail(t, dir)
	got := make(chan Request, 1)
	go func() { h := <-srv.Requests(); h.Done(); got <- h.Request }()
	_, handed, err = Claim(t.Context(), dir, Request{Paths: []string{"/x"}})
	require.NoError(t, err)
	assert.True(t, handed, "the new window takes hand-offs")
	assert.Equal(t, []string{"/x"}, (<-got).Paths)
}

// Between a window's claim and its listening, a launch waits for it
// instead of taking the folder or failing; if that window goes away
// without listening, the launch becomes the window.
func TestLaunchWhileTheWindowStarts(t *testing.T) {
	dir := t.TempDir()
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	require.NoError(t, filelock.TryLock(lock))

	type result struct {
		srv    *Server
		handed bool
		err    error
	}
	done := make(chan result, 1)
	go func() {
		srv, handed, err := Claim(context.Background(), dir, Request{})
		done <- result{srv, handed, err}
	}()
	// Until the lock goes, the launch can neither hand over nor claim:
	// an early answer would be an error, caught below.
	require.NoError(t, lock.Close()) // the starting window went away
	r := <-done
	require.NoError(t, r.err)
	require.NotNil(t, r.srv, "the launch became the window")
	require.NoError(t, r.srv.Close())
}

// TestWindowLockIsTheOneStorageLooksFor: before it migrates a history of
// an older schema, storage looks whether another process (an older
// version's window) holds the window lock, which it names itself.
func TestWindowLockIsTheOneStorageLooksFor(t *testing.T) {
	assert.Equal(t, lockName, storage.WindowLockFile)
}
