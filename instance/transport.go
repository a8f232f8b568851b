package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// The channel between a second launch and the running window is the only
// part that differs between systems: a Unix socket (mode 0600, in the data
// folder) in transport_unix.go, a named pipe with an access list for the
// user alone in transport_windows.go. Each system file provides
//
//	listenChannel(dir string, lock *filelock.Kept) (listener, error)
//	dialChannel(ctx context.Context, dir string) (io.ReadWriteCloser, error)
//
// dialChannel fails with errNoWindow when nothing listens. The claim on the
// data folder is a lock on the file lockName in it (takeLock, through
// internal/filelock: flock, LockFileEx): the system drops it when the
// process ends, however it ends, so a window that crashed never stands in
// the way of the next one.

// takeLock claims the data folder dir through its lock file without
// waiting: errRunning when another process holds it.
func takeLock(dir string) (*filelock.Kept, error) {
	k, err := filelock.Take(filepath.Join(dir, lockName))
	if err != nil {
		return nil, lockError(err)
	}
	return k, nil
}

// tryLock claims the data folder through its lock file f without waiting:
// errRunning when another process holds it.
func tryLock(f *os.File) error { return lockError(filelock.TryLock(f)) }

// lockError is errRunning for filelock.ErrLocked, else err in words.
func lockError(err error) error {
	if errors.Is(err, filelock.ErrLocked) {
		return errRunning
	}
	if err != nil {
		return fmt.Errorf("lock the window lock: %w", err)
	}
	return nil
}

// lockName is the lock file in the data folder whose holder is its window.
const lockName = "window.lock"

// listener accepts the connections of later launches.
type listener interface {
	// Accept waits for the next launch; it fails once Close was called.
	Accept() (io.ReadWriteCloser, error)
	// Close stops listening.
	Close() error
}

var (
	// errRunning: another process holds the data folder.
	errRunning = errors.New("another window holds the data folder")
	// errNoWindow: no window holds the data folder.
	errNoWindow = errors.New("no window listens on the data folder")
	// errBusy: a window holds the data folder but takes no connection.
	errBusy = errors.New("the window takes no connection")
)

// channelError is errNoWindow or errBusy with what the launch found, in
// words that end the sentence "… could not be reached: ".
type channelError struct {
	kind  error
	found string
}

func (e *channelError) Error() string { return e.kind.Error() + ": " + e.found }
func (e *channelError) Unwrap() error { return e.kind }

// claimedListener is a channel listener and the claim it was opened under.
type claimedListener struct {
	listener
	lock *filelock.Kept
}

// Close stops listening, then gives up the claim (in that order, so a
// window never removes the channel of the window after it).
func (l *claimedListener) Close() error {
	err := l.listener.Close()
	if cerr := l.lock.Close(); err == nil {
		err = cerr
	}
	return err
}

// listen claims the data folder dir and listens on its channel; it fails
// with errRunning when another process holds dir.
func listen(dir string) (listener, error) {
	lock, err := takeLock(dir)
	if err != nil {
		return nil, err
	}
	ln, err := listenChannel(dir, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	return &claimedListener{listener: ln, lock: lock}, nil
}

// dial connects to the window of dir: errNoWindow when none holds dir,
// errBusy when one does but takes no connection (it is starting, or its
// socket was removed and it has not put it back yet).
func dial(ctx context.Context, dir string) (io.ReadWriteCloser, error) {
	c, err := dialChannel(ctx, dir)
	if errors.Is(err, errNoWindow) && claimed(dir) {
		found := "it is not listening yet"
		if ce, ok := errors.AsType[*channelError](err); ok {
			found = ce.found
		}
		return nil, &channelError{kind: errBusy, found: found}
	}
	return c, err
}

// claimed reports whether a process holds the lock of dir.
func claimed(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return false
	}
	defer f.Close() // drops a lock taken here
	return errors.Is(tryLock(f), errRunning)
}
