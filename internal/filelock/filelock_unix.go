//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

// TryLock takes an exclusive advisory lock (flock) on f without waiting;
// ErrLocked when another holder has it.
func TryLock(f *os.File) error { return flock(f, syscall.LOCK_EX) }

// TryLockShared takes a shared lock on f without waiting: other shared
// holders are no obstacle, an exclusive one is (ErrLocked), and it keeps
// out an exclusive holder while held.
func TryLockShared(f *os.File) error { return flock(f, syscall.LOCK_SH) }

// flock takes the lock how (LOCK_EX or LOCK_SH) on f without waiting.
func flock(f *os.File, how int) error {
	err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return ErrLocked
	}
	return err
}

// Unlock releases the lock TryLock took on f.
func Unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// noFollow keeps Keep from following a symbolic link put at a lock's path.
const noFollow = syscall.O_NOFOLLOW

// removableWhileOpen: a file held open can be removed, so Take checks it still is at the path once locked.
const removableWhileOpen = true

// nonBlock keeps Hold from waiting for a writer on a named pipe put at a
// lock's path (an open for reading waits for one); a file ignores it.
const nonBlock = syscall.O_NONBLOCK
