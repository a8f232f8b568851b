//go:build unix

package filelock

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestHoldDoesNotWaitOnAFIFO: a named pipe at a lock's path (made by
// mistake or by another program) is opened without waiting for a writer,
// as a lock file is: Hold, which a window launched beside another asks
// through storage.UpdateUnderWay, once hung there for good, and with it
// the hand-off of the files to the running window. Its lock is told as a
// file's: free, then held by another open file.
func TestHoldDoesNotWaitOnAFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upgrade.lock")
	require.NoError(t, syscall.Mkfifo(path, 0o600))
	t.Cleanup(func() { // frees a Hold still waiting for a writer
		if w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = w.Close()
		}
	})
	hold := func() (*os.File, error) {
		type result struct {
			f   *os.File
			err error
		}
		done := make(chan result, 1)
		go func() {
			f, err := Hold(path)
			done <- result{f, err}
		}()
		select {
		case r := <-done:
			return r.f, r.err
		case <-time.After(10 * time.Second): // a bound on a hang, not a wait for an event
			t.Fatal("Hold of a named pipe still waiting after 10 s")
			return nil, nil
		}
	}
	f, err := hold()
	require.NoError(t, err, "nobody holds it")
	require.NotNil(t, f)
	require.NoError(t, Drop(f))

	other, err := os.OpenFile(path, os.O_RDWR, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	require.NoError(t, TryLock(other))
	_, err = hold()
	require.ErrorIs(t, err, ErrLocked, "another open file holds it")
}
