package filelock

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// TryLock takes an exclusive lock on f's first byte (LockFileEx) without
// waiting; ErrLocked when another holder has it.
func TryLock(f *os.File) error { return lockFileEx(f, windows.LOCKFILE_EXCLUSIVE_LOCK) }

// TryLockShared takes a shared lock on f's first byte without waiting:
// other shared holders are no obstacle, an exclusive one is (ErrLocked),
// and it keeps out an exclusive holder while held.
func TryLockShared(f *os.File) error { return lockFileEx(f, 0) }

// lockFileEx locks f's first byte with flags (exclusive or not) without
// waiting.
func lockFileEx(f *os.File, flags uint32) error {
	err := windows.LockFileEx(windows.Handle(f.Fd()),
		flags|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, new(windows.Overlapped))
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) {
		return ErrLocked
	}
	return err
}

// Unlock releases the lock TryLock took on f.
func Unlock(f *os.File) error {
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, new(windows.Overlapped))
}

// noFollow is none: Windows has no O_NOFOLLOW, and a file held open there
// cannot be removed or renamed, so Keep finds it in place.
const noFollow = 0

// removableWhileOpen: a file held open cannot be removed or renamed (Go opens without delete sharing), so Take has nothing to check.
const removableWhileOpen = false

// nonBlock is none: Windows has no named pipe in a folder to wait on.
const nonBlock = 0
