package testutil

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestHoldWriteLockWaitsForAWriteInProgress: a test takes the lock while
// the app may be writing (a sign-in's settings, a queue's rows). It must
// wait for that write, as the app's own connections do, not fail at once
// with "database is locked".
func TestHoldWriteLockWaitsForAWriteInProgress(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	first := HoldWriteLock(t, dir)
	type held struct {
		release func()
		err     error
	}
	taken := make(chan held, 1)
	go func() {
		release, err := holdWriteLock(dir)
		taken <- held{release, err}
	}()
	waiting := func() bool {
		for _, g := range strings.Split(stacks(), "\n\n") {
			if strings.Contains(g, "testutil.holdWriteLock(") && strings.Contains(g, "(*Tx).Exec") {
				return true
			}
		}
		return len(taken) > 0 // it answered without waiting: checked below
	}
	require.Eventually(t, waiting, time.Minute, 5*time.Millisecond, "the second hold is writing")
	first()
	second := <-taken
	require.NoError(t, second.err, "waited for the first hold instead of failing")
	second.release()
}
