//go:build unix || windows

package filelock

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSecondHolderIsRefusedUntilUnlock: a second open file of the same
// path is refused with ErrLocked while the first holds the lock, and gets
// it once the first unlocks.
func TestSecondHolderIsRefusedUntilUnlock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	open := func() *os.File {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
		require.NoError(t, err)
		t.Cleanup(func() { _ = f.Close() })
		return f
	}
	first, second := open(), open()
	require.NoError(t, TryLock(first))
	require.ErrorIs(t, TryLock(second), ErrLocked)
	require.NoError(t, Unlock(first))
	require.NoError(t, TryLock(second))
	require.NoError(t, Unlock(second))
}
