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
)

// The data folder's channel on Unix: a socket only its owner may open
// (mode 0600; on Linux the peer's user is checked too). A socket a crashed
// window left behind is simply replaced by the next window. One that
// another program removes while the window runs (a cleaner of old files
// in /tmp, a person tidying the folder) is put back by the window within
// socketCheckInterval, so later launches reach it again.
const socketName = "window.sock"

// socketCheckInterval is how often the window looks whether its socket is
// still in the data folder: a launch that finds none while the window
// holds the folder tries again until its HandoffTimeout, so it is handed
// over at most this long after the socket went.
const socketCheckInterval = 250 * time.Millisecond

// maxSocketPath is the longest socket path every Unix accepts (sun_path
// is 104 bytes on the BSDs and macOS, 108 on Linux, with its NUL).
const maxSocketPath = 103

type socketListener struct {
	dir, path string
	stop      chan struct{} // closed by Close: the watch ends
	watched   chan struct{} // closed when the watch has ended

	mu sync.Mutex
	ln *net.UnixListener // the socket in place; replaced when put back
}

// listenChannel listens on the socket, which only the owner can connect
// to, and keeps it in place while the window runs.
func listenChannel(dir string) (listener, error) {
	path := filepath.Join(dir, socketName)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("the data folder's path is too long for a local socket (%d bytes, at most %d)", len(path), maxSocketPath)
	}
	_ = os.Remove(path) // a crashed window's socket: nobody holds the lock
	ln, err := placeSocket(dir, path)
	if err != nil {
		return nil, err
	}
	l := &socketListener{dir: dir, path: path, ln: ln, stop: make(chan struct{}), watched: make(chan struct{})}
	go l.watch()
	return l, nil
}

// placeSocket listens on a new socket at path: it is made under a
// temporary name, set to mode 0600, then renamed into place, so there is
// no moment when another user could connect.
func placeSocket(dir, path string) (*net.UnixListener, error) {
	tmp := filepath.Join(dir, ".window-"+strconv.Itoa(os.Getpid())+".sock")
	_ = os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("listen for other launches: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err != nil {
		ln.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("make the window's socket private: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("put the window's socket in place: %w", err)
	}
	return ln, nil
}

// watch puts a new socket in place whenever the window's is gone from the
// data folder, until Close. It replaces only a missing one: a socket
// another window put there is left alone.
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
		if _, err := os.Lstat(l.path); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		ln, err := placeSocket(l.dir, l.path)
		if err != nil {
			continue // tried again at the next tick
		}
		l.mu.Lock()
		old := l.ln
		l.ln = ln
		l.mu.Unlock()
		old.Close() // its Accept goes on with the new socket
	}
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
	_ = os.Remove(l.path)
	return err
}

func dialChannel(ctx context.Context, dir string) (io.ReadWriteCloser, error) {
	path := filepath.Join(dir, socketName)
	// Looked for first: a dial whose time runs out fails for want of
	// time, and the launch would not say that the socket is missing.
	_, err := os.Lstat(path)
	if err == nil {
		var d net.Dialer
		var c net.Conn
		if c, err = d.DialContext(ctx, "unix", path); err == nil {
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
