//go:build unix

package instance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// The data folder's channel on Unix: a socket only its owner may open
// (mode 0600; on Linux the peer's user is checked too). A socket a crashed
// window left behind is simply replaced by the next window.
const socketName = "window.sock"

// maxSocketPath is the longest socket path every Unix accepts (sun_path
// is 104 bytes on the BSDs and macOS, 108 on Linux, with its NUL).
const maxSocketPath = 103

type socketListener struct {
	ln   *net.UnixListener
	path string
}

// listenChannel listens on the socket, which only the owner can connect
// to: it is made under a temporary name, set to mode 0600, then renamed
// into place, so there is no moment when another user could connect.
func listenChannel(dir string) (listener, error) {
	path := filepath.Join(dir, socketName)
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("the data folder's path is too long for a local socket (%d bytes, at most %d)", len(path), maxSocketPath)
	}
	_ = os.Remove(path) // a crashed window's socket: nobody holds the lock
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
	return &socketListener{ln: ln, path: path}, nil
}

func (l *socketListener) Accept() (io.ReadWriteCloser, error) {
	for {
		c, err := l.ln.AcceptUnix()
		if err != nil {
			return nil, err
		}
		if sameUser(c) {
			return c, nil
		}
		c.Close()
	}
}

// Close removes the socket (the lock is still held, so it is this
// window's) and stops listening.
func (l *socketListener) Close() error {
	err := l.ln.Close()
	_ = os.Remove(l.path)
	return err
}

func dialChannel(ctx context.Context, dir string) (io.ReadWriteCloser, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", filepath.Join(dir, socketName))
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		return nil, errNoWindow
	}
	if err != nil {
		return nil, fmt.Errorf("reach the running window: %w", err)
	}
	return c, nil
}
