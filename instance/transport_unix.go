//go:build unix

package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// The data folder's channel on Unix: a socket only its owner may open
// (mode 0600; on Linux the peer's user is checked too). A socket a crashed
// window left behind is simply replaced by the next window. One that
// another program removes while the window runs (a cleaner of old files
// in /tmp, a person tidying the folder), or replaces with something else
// (a file, a symbolic link, a socket nobody listens on: a backup restored
// over the folder), is put back by the window within socketCheckInterval,
// so later launches reach it again. So is its lock file (lockName), which
// such a cleaner removes with it: without it, the next launch would make a
// new one, take it and become a second window.
const socketName = "window.sock"

// socketCheckInterval is how often the window looks whether its socket is
// still in the data folder: a launch that finds none while the window
// holds the folder tries again until its HandoffTimeout, so it is handed
// over at most this long after the socket went.
const socketCheckInterval = 250 * time.Millisecond

// maxSocketPath is the longest socket path every Unix accepts (sun_path
// is 104 bytes on the BSDs and macOS, 108 on Linux, with its NUL). A
// longer one goes through socketAddr.
const maxSocketPath = 103

type socketListener struct {
	dir, path string
	stop      chan struct{} // closed by Close: the watch ends
	watched   chan struct{} // closed when the watch has ended

	// Used by the watch alone (set before it starts):
	placed  os.FileInfo    // the socket this window put in place last
	foreign os.FileInfo    // a live socket another window put there, left alone
	lock    *filelock.Kept // the data folder's lock file, which this window holds

	mu sync.Mutex
	ln *net.UnixListener // the socket in place; replaced when put back
}

// listenChannel listens on the socket, which only the owner can connect
// to, and keeps it and lock, the data folder's lock file this window
// holds, in place while the window runs.
func listenChannel(dir string, lock *filelock.Kept) (listener, error) {
	path := filepath.Join(dir, socketName)
	_ = os.Remove(path) // a crashed window's socket: nobody holds the lock
	ln, placed, err := placeSocket(dir, path)
	if err != nil {
		return nil, err
	}
	l := &socketListener{dir: dir, path: path, ln: ln, placed: placed, lock: lock,
		stop: make(chan struct{}), watched: make(chan struct{})}
	go l.watch()
	return l, nil
}

// placeSocket listens on a new socket at path: it is made under a
// temporary name, set to mode 0600, then renamed into place, so there is
// no moment when another user could connect; the rename replaces what
// was at path. It returns the socket's file too, to tell it from another.
func placeSocket(dir, path string) (*net.UnixListener, os.FileInfo, error) {
	tmpName := ".window-" + strconv.Itoa(os.Getpid()) + ".sock"
	tmp := filepath.Join(dir, tmpName)
	_ = os.Remove(tmp)
	addr, done, err := socketAddr(dir, tmpName)
	if err != nil {
		return nil, nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: addr, Net: "unix"})
	done()
	if err != nil {
		return nil, nil, fmt.Errorf("listen for other launches: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	fail := func(what string, err error) (*net.UnixListener, os.FileInfo, error) {
		ln.Close()
		_ = os.Remove(tmp)
		return nil, nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fail("make the window's socket private", err)
	}
	fi, err := os.Lstat(tmp) // the same file once renamed
	if err != nil {
		return fail("look at the window's socket", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail("put the window's socket in place", err)
	}
	return ln, fi, nil
}

// watch puts a new socket in place whenever the window's is gone from the
// data folder or something else took its place, until Close. A socket
// another window put there and listens on is left alone, so two windows
// never take turns replacing each other's.
func (l *socketListener) watch() {
	defer close(l.watched)
	t := time.NewTicker(socketCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		l.keepLock()
		if !l.socketGone() {
			continue
		}
		ln, placed, err := placeSocket(l.dir, l.path)
		if err != nil {
			continue // tried again at the next tick
		}
		l.placed, l.foreign = placed, nil
		l.mu.Lock()
		old := l.ln
		l.ln = ln
		l.mu.Unlock()
		old.Close() // its Accept goes on with the new socket
	}
}

// keepLock puts the data folder's lock file back, and takes its lock,
// when another program removed the one this window holds (or put another
// file in its place that nobody holds). A lock file another window holds
// (a launch that came while it was gone) is left alone, and tried again at
// the next tick: once that window ends, this one holds the folder again,
// and its socket goes back in place too.
func (l *socketListener) keepLock() {
	if l.lock.Keep() {
		l.foreign = nil // no other window holds the folder: its socket is not one
	}
}

// socketGone reports whether no launch can reach a window at the socket's
// path: nothing is there, or something other than the socket this window
// put there, which is not a socket another window listens on. What cannot
// be looked at is left as it is.
func (l *socketListener) socketGone() bool {
	fi, err := os.Lstat(l.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true
	case err != nil, os.SameFile(fi, l.placed), l.foreign != nil && os.SameFile(fi, l.foreign):
		return false
	case fi.Mode().Type() != fs.ModeSocket:
		return true // a file, a symbolic link: a launch cannot connect to it
	}
	c, err := dialSocket(context.Background(), l.dir, socketCheckInterval)
	if err != nil {
		return errors.Is(err, syscall.ECONNREFUSED) // a socket nobody listens on
	}
	c.Close()
	l.foreign = fi
	return false
}

func (l *socketListener) Accept() (io.ReadWriteCloser, error) {
	for {
		l.mu.Lock()
		ln := l.ln
		l.mu.Unlock()
		c, err := ln.AcceptUnix()
		if err != nil {
			l.mu.Lock()
			replaced := l.ln != ln
			l.mu.Unlock()
			if replaced {
				continue
			}
			return nil, err
		}
		if sameUser(c) {
			return c, nil
		}
		c.Close()
	}
}

// Close stops putting the socket back, removes it (the lock is still
// held, so it is this window's) and stops listening.
func (l *socketListener) Close() error {
	select {
	case <-l.stop:
		return nil
	default:
	}
	close(l.stop)
	<-l.watched
	l.mu.Lock()
	defer l.mu.Unlock()
	err := l.ln.Close()
	_ = os.Remove(l.path) // the lock, still held, is claimedListener.Close's
	return err
}

func dialChannel(ctx context.Context, dir string) (io.ReadWriteCloser, error) {
	path := filepath.Join(dir, socketName)
	// Looked for first: a dial whose time runs out fails for want of
	// time, and the launch would not say that the socket is missing.
	_, err := os.Lstat(path)
	if err == nil {
		var c net.Conn
		if c, err = dialSocket(ctx, dir, 0); err == nil {
			return c, nil
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOENT):
		return nil, &channelError{kind: errNoWindow, found: "there is no " + socketName + " in it"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return nil, &channelError{kind: errNoWindow, found: "nothing listens on its " + socketName}
	}
	return nil, fmt.Errorf("reach the running window: %w", err)
}

// dialSocket connects to the window's socket in dir, within ctx and
// timeout (0 for none).
func dialSocket(ctx context.Context, dir string, timeout time.Duration) (net.Conn, error) {
	addr, done, err := socketAddr(dir, socketName)
	if err != nil {
		return nil, err
	}
	defer done()
	d := net.Dialer{Timeout: timeout}
	return d.DialContext(ctx, "unix", addr)
}
