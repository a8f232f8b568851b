//go:build unix

package storage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRemovedQueueLockIsPutBack: a queue lock file another program removes
// while a run holds it (a cleaner of old files in /tmp, the locks folder
// with it) is put back and locked again, so a second run of the same
// account is still refused, and once the first releases it the second
// runs. (A lock on a removed file keeps nobody out: the next taker makes
// a new file and locks that.)
func TestRemovedQueueLockIsPutBack(t *testing.T) {
	d := openTestDB(t)
	l, err := d.LockQueue("testnet", "a@example.com", "352457c0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Release() })
	dir := filepath.Join(filepath.Dir(d.Path()), "locks")
	files, err := filepath.Glob(filepath.Join(dir, "*.lock"))
	require.NoError(t, err)
	require.Len(t, files, 2, "a lock file per name")

	for round, remove := range []func(){
		func() { require.NoError(t, os.Remove(files[0])) },
		func() { require.NoError(t, os.RemoveAll(dir)) },
	} {
		remove()
		require.Eventually(t, func() bool {
			for _, f := range files {
				if _, err := os.Lstat(f); err != nil {
					return false
				}
			}
			return true
		}, 2*time.Minute, 10*time.Millisecond, "round %d: the lock files are put back", round) // a hang guard: it looks every lockCheckInterval
		_, err = d.LockQueue("testnet", "a@example.com")
		require.ErrorIs(t, err, ErrQueueInUse, "round %d: by the account's name", round)
		_, err = d.LockQueue("testnet", "352457c0")
		require.ErrorIs(t, err, ErrQueueInUse, "round %d: by its id", round)
	}

	require.NoError(t, l.Release())
	l2, err := d.LockQueue("testnet", "352457c0", "a@example.com")
	require.NoError(t, err, "free once released")
	require.NoError(t, l2.Release())
}
