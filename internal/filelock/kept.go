package filelock

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Kept is an exclusive lock on the file at a path, kept there while it is
// held. A lock on a file another program removed (a cleaner of old files
// in /tmp) keeps nobody out: the next taker makes a new file at the path
// and locks that. So the holder calls Keep now and then, which puts the
// file back, or takes another one put in its place that nobody holds, and
// locks it. The window's claim on its data folder (instance) and the
// queue's locks (storage) are kept this way. On Windows a file held open
// cannot be removed, and Keep finds it in place.
type Kept struct {
	path string

	mu     sync.Mutex
	f      *os.File    // the file whose lock is held; nil once closed
	locked os.FileInfo // f's file, told apart from another at path
}

// Take opens the file at path (made, mode 0600, when missing) and locks it
// without waiting: ErrLocked when another holder has it, a *NotYoursError
// when it may not open the file because another user owns it or its
// folder (a lock file a run under sudo left to root).
//
// A file removed between its open and its lock (a cleaner, then the
// holder's Keep put a new one at the path and dropped its lock on the old
// one) is in no folder once locked, and its lock keeps nobody out nor the
// holder: Take looks again at the path after locking and takes what is
// there now, ErrLocked when it keeps changing.
func Take(path string) (*Kept, error) {
	for try := 0; ; try++ {
		f, err := openLockFile(path)
		if err != nil {
			return nil, err
		}
		fi, err := f.Stat()
		if err == nil {
			if beforeLock != nil {
				beforeLock()
			}
			err = TryLock(f)
		}
		if err == nil && !stillAt(path, fi) {
			err = ErrLocked
			if try < 3 {
				f.Close()
				continue
			}
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		k := &Kept{path: path, f: f, locked: fi}
		held.Store(k, struct{}{})
		return k, nil
	}
}

// openLockFile opens the lock file at path for Take, made when missing. A
// symbolic link there is followed to the file it names (a data folder
// whose files a dotfiles tool links one by one), but never to make one: a
// lock makes no file where a link points (one to a file of the user's
// anywhere). What is in the way (a folder, a link to nothing or to a
// folder) is a *NotAFileError, a file or folder of another user's a
// *NotYoursError.
func openLockFile(path string) (*os.File, error) {
	flags := os.O_RDWR | os.O_CREATE | noFollow
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		flags = os.O_RDWR
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, lockFileRefused(path, err)
	}
	return f, nil
}

// lockFileRefused is the error of the lock file at path whose open failed
// with err, worded when it can be: what is in the way (notALockFile), or
// whose it is (NotYours). A link, in a folder of the user's, to a file of
// another user's is a link to remove, not a file to take back: chown
// follows a link, so its command would give away the file it points to
// (someone else's link to /etc/passwd).
func lockFileRefused(path string, err error) error {
	if e := notALockFile(path); e != nil {
		return e
	}
	if errors.Is(err, syscall.EACCES) { // not EPERM: a file made immutable
		dir := filepath.Dir(path)
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 && Owner(dir) == "" && Owner(path) != "" {
			return &NotAFileError{Path: path, Found: fs.ModeSymlink}
		}
		if e := NotYours(dir, path, err); e != nil {
			return e
		}
	}
	return err
}

// held is every Kept of this process whose lock is held, so that Hold
// tells a lock this process holds from another process's.
var held sync.Map // *Kept → struct{}

// heldHere reports whether a Kept of this process holds the lock of the
// file fi is of.
func heldHere(fi os.FileInfo) bool {
	here := false
	held.Range(func(key, _ any) bool {
		k := key.(*Kept)
		k.mu.Lock()
		here = k.f != nil && os.SameFile(k.locked, fi)
		k.mu.Unlock()
		return !here
	})
	return here
}

// Hold takes the lock of the file at path without waiting, for a caller
// that must know no other process holds it and keep it so while it
// works: another process that would take it (an older version's window
// or queue) is refused until the caller closes the file returned. Unlike
// Take it makes no file and keeps none in place. It returns ErrLocked
// when another holder has the lock; nil and no error when no file is at
// path, or a socket or a device (no process holds its lock), when this
// process holds its lock through a Kept (its window's claim, its queue's
// lock: nobody else can), or when this user may not open it (a lock file
// of root's: no process of this user holds it).
// Release with Unlock and Close, or Drop.
func Hold(path string) (*os.File, error) { return hold(path, TryLock) }

// HoldShared is Hold with a shared lock (TryLockShared), for a caller that
// only looks whether a process holds the lock exclusively: lookers never
// find each other's lock held, and ErrLocked means an exclusive holder.
func HoldShared(path string) (*os.File, error) { return hold(path, TryLockShared) }

// HeldExclusively reports whether a holder holds the lock of the file at
// path exclusively (Take, Hold, TryLock), another open file of this
// process included, not only shared (HoldShared); false when there is no
// file to open.
func HeldExclusively(path string) bool {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	err = TryLockShared(f)
	if err == nil {
		_ = Unlock(f)
	}
	return errors.Is(err, ErrLocked)
}

// hold is Hold, taking the lock with lock.
func hold(path string, lock func(*os.File) error) (*os.File, error) {
	// flock and LockFileEx need no write access; a named pipe put at the
	// path opens without waiting for a writer (nonBlock), as a file does.
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlock, 0)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
		return nil, nil
	}
	if fi, lerr := os.Lstat(path); err != nil && lerr == nil && fi.Mode()&special != 0 {
		return nil, nil // a socket or a device: no process holds it as a lock
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && heldHere(fi) {
		f.Close() // another open file: the Kept's lock stays
		return nil, nil
	}
	if err == nil {
		err = lock(f)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Drop gives up a lock Hold took and closes its file; nil is fine.
func Drop(f *os.File) error {
	if f == nil {
		return nil
	}
	return errors.Join(Unlock(f), f.Close())
}

// beforeLock, when set (by a test), runs in Take between the open and the
// lock.
var beforeLock func()

// afterPutBack, when set (by a test), runs in Keep once a file it makes is
// at the path, before Keep returns: a taker that runs then must be refused.
var afterPutBack func()

// stillAt reports whether the file fi is of is at path (Unix, where a file
// held open can be removed), a link there followed as Take's open follows
// it: a path that cannot be looked at, but not one where nothing is,
// counts as yes.
func stillAt(path string, fi os.FileInfo) bool {
	if !removableWhileOpen {
		return true
	}
	now, err := os.Stat(path)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist)
	}
	return os.SameFile(fi, now)
}

// Keep puts a new file at the path and locks it when the file locked is no
// longer there (removed, or another put in its place that nobody holds),
// and reports whether it did. A file another holder has locked at the path
// by then (a taker that came while it was gone) is left alone, as is a
// path that cannot be looked at; the next Keep tries again. A symbolic
// link at the path is not followed. The file it puts back is locked from
// the moment it is at the path (putBackLocked).
func (k *Kept) Keep() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.f == nil {
		return false
	}
	fi, err := os.Lstat(k.path)
	switch {
	case err == nil && os.SameFile(fi, k.locked):
		return false
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return false
	}
	var f *os.File
	switch {
	case err == nil: // another file in its place, which nobody may hold
		f, err = openLocked(k.path, os.O_RDWR|noFollow)
	case removableWhileOpen:
		f, err = putBackLocked(k.path)
	default: // Windows: a file held open cannot be removed, nor found gone
		f, err = openLocked(k.path, os.O_RDWR|os.O_CREATE|noFollow)
	}
	if err != nil {
		return false
	}
	if fi, err = f.Stat(); err != nil {
		f.Close()
		return false
	}
	k.f.Close() // its lock, on a file no longer at the path, kept nobody out
	k.f, k.locked = f, fi
	return true
}

// putBackLocked makes a file at path that is locked from the moment it is
// there: made and locked under a name of its own in the same folder, then
// linked to path. A file made at path and locked after would be at the
// path unlocked for a moment, and a taker that came then (a second run's
// queue) would lock it first: both would hold "the" lock. It fails when a
// file is at path by then (another taker's: left alone); where a link
// cannot be made (some FUSE or FAT filesystems) it makes the file at path
// and locks it after, as there is no other way there.
func putBackLocked(path string) (*os.File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".new-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name()) // the path keeps the file once linked
	if err = TryLock(f); err == nil {
		err = os.Link(f.Name(), path)
	}
	if linkUnsupported(err) {
		f.Close()
		return openLocked(path, os.O_RDWR|os.O_CREATE|os.O_EXCL|noFollow)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	if afterPutBack != nil {
		afterPutBack()
	}
	return f, nil
}

// linkUnsupported reports whether err is a link refused by the filesystem
// rather than by what is at the path.
func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EPERM)
}

// openLocked opens the file at path with flags (mode 0600 when made) and
// locks it; the file is closed when it cannot be locked. A file it makes
// is at the path unlocked until it is locked (putBackLocked's fallback).
func openLocked(path string, flags int) (*os.File, error) {
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return nil, err
	}
	if afterPutBack != nil && flags&os.O_CREATE != 0 {
		afterPutBack()
	}
	if err = TryLock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close gives up the lock; safe to call twice.
func (k *Kept) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.f == nil {
		return nil
	}
	err := errors.Join(Unlock(k.f), k.f.Close())
	k.f = nil
	held.Delete(k)
	return err
}
