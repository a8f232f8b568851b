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

// TestSharedHoldersMeetOnlyAnExclusiveOne: lookers (HoldShared) do not
// find each other's lock held, find an exclusive holder's (ErrLocked), and
// keep an exclusive holder out while they hold theirs.
func TestSharedHoldersMeetOnlyAnExclusiveOne(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	require.NoError(t, os.WriteFile(p, nil, 0o600))
	first, err := HoldShared(p)
	require.NoError(t, err)
	require.NotNil(t, first)
	second, err := HoldShared(p)
	require.NoError(t, err, "a second look is no obstacle")
	require.NotNil(t, second)
	_, err = Hold(p)
	require.ErrorIs(t, err, ErrLocked, "an exclusive holder waits for the looks")
	require.NoError(t, Drop(first))
	require.NoError(t, Drop(second))

	excl, err := Hold(p)
	require.NoError(t, err)
	_, err = HoldShared(p)
	require.ErrorIs(t, err, ErrLocked, "a look finds the exclusive holder")
	require.NoError(t, Drop(excl))
}

// TestHeldExclusivelyTellsAnExclusiveHolderFromLooks: an exclusive holder,
// another open file of this process included, is told from shared ones.
func TestHeldExclusivelyTellsAnExclusiveHolderFromLooks(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	assert.False(t, HeldExclusively(p), "no file")
	require.NoError(t, os.WriteFile(p, nil, 0o600))
	assert.False(t, HeldExclusively(p), "nobody holds it")
	look, err := HoldShared(p)
	require.NoError(t, err)
	assert.False(t, HeldExclusively(p), "a look only")
	require.NoError(t, Drop(look))
	k, err := Take(p)
	require.NoError(t, err)
	assert.True(t, HeldExclusively(p), "this process's Kept")
	require.NoError(t, k.Close())
	assert.False(t, HeldExclusively(p), "let go")
}
