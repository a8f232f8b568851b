// Package filelock takes an exclusive lock on an open file without
// waiting, the one way the queue's lock (storage) and the window's claim on
// its data folder (instance) both take theirs: flock on Unix, LockFileEx
// on the file's first byte on Windows. The system drops the lock when the
// process ends, however it ends. Elsewhere locking is a no-op. Kept holds
// the lock of a file at a path and keeps a file there while it does (one
// another program removed is put back). A lock file, or its folder, that
// belongs to another user (root, after a run under sudo) is named with
// the command that gives it back (NotYoursError), for those two and the
// history's files alike. It imports nothing of the project.
package filelock

import "errors"

// ErrLocked means another holder (another process, or another open file
// of this one) holds the lock.
var ErrLocked = errors.New("another holder has the file locked")
