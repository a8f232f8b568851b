//go:build unix || windows

package filelock

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
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

// TestHoldTellsThisProcesssLocksFromOthers: Hold refuses a lock another
// open file holds (as another process's would be: flock and LockFileEx
// lock an open file, not a process), takes a free one and keeps a taker
// out while held, makes no file where none is, and passes over a lock a
// Kept of this process holds, whose lock stays.
func TestHoldTellsThisProcesssLocksFromOthers(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other.lock")
	f, err := os.OpenFile(other, os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	t.Cleanup(func() { _ = f.Close() })
	require.NoError(t, TryLock(f))
	_, err = Hold(other)
	require.ErrorIs(t, err, ErrLocked, "another holder's lock")
	require.NoError(t, Unlock(f))

	h, err := Hold(other)
	require.NoError(t, err)
	require.NotNil(t, h)
	require.ErrorIs(t, TryLock(f), ErrLocked, "held until dropped")
	require.NoError(t, Drop(h))
	require.NoError(t, TryLock(f), "free once dropped")
	require.NoError(t, Unlock(f))

	none := filepath.Join(dir, "none.lock")
	h, err = Hold(none)
	require.NoError(t, err)
	assert.Nil(t, h)
	assert.NoFileExists(t, none)

	ours := filepath.Join(dir, "ours.lock")
	k, err := Take(ours)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	h, err = Hold(ours)
	require.NoError(t, err, "this process's own Kept")
	assert.Nil(t, h)
	_, err = Take(ours)
	require.ErrorIs(t, err, ErrLocked, "the Kept still holds it")
	require.NoError(t, k.Close())
	h, err = Hold(ours)
	require.NoError(t, err)
	require.NotNil(t, h, "no longer this process's once closed")
	require.NoError(t, Drop(h))
	require.NoError(t, Drop(nil))
}
