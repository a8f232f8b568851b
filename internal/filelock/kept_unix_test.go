//go:build unix

package filelock

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeptIsPutBack: a lock file removed while held is put back and locked
// again, so a later taker is refused; one another holder took while it was
// gone is left alone; a plain file or a link put in its place that nobody
// holds is taken (the link not followed); after Close the path is free.
func TestKeptIsPutBack(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.lock")
	k, err := Take(p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	_, err = Take(p)
	require.ErrorIs(t, err, ErrLocked)
	assert.False(t, k.Keep(), "in place: nothing to do")

	require.NoError(t, os.Remove(p))
	require.True(t, k.Keep(), "removed: put back")
	_, err = Take(p)
	require.ErrorIs(t, err, ErrLocked, "and locked again")

	require.NoError(t, os.Remove(p))
	other, err := Take(p)
	require.NoError(t, err, "a taker that came while it was gone")
	assert.False(t, k.Keep(), "another holder's file is left alone")
	require.NoError(t, other.Close()) // that holder ended; its file stays
	require.True(t, k.Keep(), "a file nobody holds is taken")
	_, err = Take(p)
	require.ErrorIs(t, err, ErrLocked)

	target := filepath.Join(dir, "elsewhere")
	require.NoError(t, os.Remove(p))
	require.NoError(t, os.Symlink(target, p))
	assert.False(t, k.Keep(), "a link is not followed")
	_, err = os.Lstat(target)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing made where the link points")

	require.NoError(t, os.Remove(p))
	require.True(t, k.Keep())
	require.NoError(t, k.Close())
	require.NoError(t, k.Close(), "twice is fine")
	assert.False(t, k.Keep(), "a closed lock is not kept")
	again, err := Take(p)
	require.NoError(t, err, "free once closed")
	require.NoError(t, again.Close())
}

// TestTakeRefusesAFileReplacedBeforeItsLock: a taker that opened the lock
// file just before a cleaner removed it, and the holder's Keep put a new
// one in its place (dropping its lock on the old one), must not lock the
// old file, which is in no folder any more: it would run beside the holder.
func TestTakeRefusesAFileReplacedBeforeItsLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	k, err := Take(p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })

	beforeLock = func() {
		beforeLock = nil
		require.NoError(t, os.Remove(p)) // a cleaner
		require.True(t, k.Keep(), "the holder puts its file back")
	}
	t.Cleanup(func() { beforeLock = nil })
	other, err := Take(p)
	if err == nil {
		_ = other.Close()
	}
	require.ErrorIs(t, err, ErrLocked, "took the lock of a file no longer at the path")
	assert.Nil(t, beforeLock, "the hook ran")
}

// TestTakeThroughALink: a lock file reached through a symbolic link (a
// data folder whose files a dotfiles tool links one by one) is taken, and
// refuses a second taker. (A link to nothing is refused: a lock makes no
// file where a link points, TestTakeMakesNoFileThroughALink.)
func TestTakeThroughALink(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.lock")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "target"), nil, 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "target"), p))
	k, err := Take(p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	_, err = Take(p)
	require.ErrorIs(t, err, ErrLocked)
}

// TestKeepPutsBackALockedFile: the file Keep puts back at the path is
// locked from the moment it is there. A taker that comes just then (a
// second run's queue) is refused, not given the file before Keep locks it,
// which would leave both runs holding "the" lock.
func TestKeepPutsBackALockedFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	k, err := Take(p)
	require.NoError(t, err)
	t.Cleanup(func() { _ = k.Close() })
	require.NoError(t, os.Remove(p)) // a cleaner

	var takeErr error
	afterPutBack = func() {
		afterPutBack = nil
		var other *Kept
		other, takeErr = Take(p)
		if takeErr == nil {
			_ = other.Close()
		}
	}
	t.Cleanup(func() { afterPutBack = nil })
	put := k.Keep()
	assert.Nil(t, afterPutBack, "the hook ran")
	require.ErrorIs(t, takeErr, ErrLocked, "a taker got the file Keep put back before Keep locked it")
	assert.True(t, put, "Keep reports it put the file back")
	_, err = Take(p)
	require.ErrorIs(t, err, ErrLocked, "and it holds that file")
	entries, err := os.ReadDir(filepath.Dir(p))
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the lock file is left in the folder")
}
