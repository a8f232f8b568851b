//go:build !unix && !windows

package filelock

import "os"

// TryLock is a no-op where neither flock nor LockFileEx exists: there, two
// holders of the same file are not kept apart.
func TryLock(*os.File) error { return nil }

// TryLockShared is a no-op, as TryLock is.
func TryLockShared(*os.File) error { return nil }

// Unlock is a no-op, as TryLock is.
func Unlock(*os.File) error { return nil }

// noFollow is none here, as locking is.
const noFollow = 0

// removableWhileOpen: locking is a no-op here.
const removableWhileOpen = false

// nonBlock is none here, as locking is.
const nonBlock = 0
