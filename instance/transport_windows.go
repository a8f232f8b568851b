package instance

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// The data folder's channel on Windows: a named pipe that only this user
// can open (a protected access list naming the user's SID alone), refused
// to remote clients. Its first instance is created with
// FILE_FLAG_FIRST_PIPE_INSTANCE, so no other process can be serving the
// name already; Windows removes the pipe when the window's process ends.

// pipeBufferSize is the pipe's buffer each way: a request fits at once.
const pipeBufferSize = 64 << 10

type pipeListener struct {
	name *uint16
	sa   *windows.SecurityAttributes

	mu     sync.Mutex
	next   windows.Handle // the instance waiting for the next launch
	closed bool
}

// pipeName is the data folder's pipe: per user (its SID) and per folder.
func pipeName(dir string) (name, sid string, err error) {
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "", "", fmt.Errorf("read this user's identity: %w", err)
	}
	sid = tu.User.Sid.String()
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(abs)))
	return `\\.\pipe\dstor-uploader-` + sid + "-" + hex.EncodeToString(sum[:8]), sid, nil
}

// The lock file cannot be removed while the window holds it open (Go
// opens files without FILE_SHARE_DELETE), so it is not watched.
func listenChannel(dir string, _ *filelock.Kept) (listener, error) {
	name, sid, err := pipeName(dir)
	if err != nil {
		return nil, err
	}
	sd, err := windows.SecurityDescriptorFromString("D:P(A;;GA;;;" + sid + ")")
	if err != nil {
		return nil, fmt.Errorf("make the window's pipe private: %w", err)
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	l := &pipeListener{name: p, sa: sa}
	h, err := l.create(true)
	if err != nil {
		return nil, fmt.Errorf("listen for other launches: %w", err)
	}
	l.next = h
	return l, nil
}

// create makes an instance of the pipe; first claims the name.
func (l *pipeListener) create(first bool) (windows.Handle, error) {
	flags := uint32(windows.PIPE_ACCESS_DUPLEX)
	if first {
		flags |= windows.FILE_FLAG_FIRST_PIPE_INSTANCE
	}
	return windows.CreateNamedPipe(l.name, flags,
		windows.PIPE_TYPE_BYTE|windows.PIPE_READMODE_BYTE|windows.PIPE_WAIT|windows.PIPE_REJECT_REMOTE_CLIENTS,
		windows.PIPE_UNLIMITED_INSTANCES, pipeBufferSize, pipeBufferSize, 0, l.sa)
}

// Accept waits for a launch on the pending instance and makes the next
// one before handing it over, so the pipe's name never lapses (which
// would let another window claim it).
func (l *pipeListener) Accept() (io.ReadWriteCloser, error) {
	l.mu.Lock()
	h, closed := l.next, l.closed
	l.mu.Unlock()
	if closed {
		return nil, net.ErrClosed
	}
	err := windows.ConnectNamedPipe(h, nil)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = windows.CloseHandle(h)
		return nil, net.ErrClosed
	}
	if err != nil && !errors.Is(err, windows.ERROR_PIPE_CONNECTED) {
		// That client went away at once; this instance serves the next.
		_ = windows.DisconnectNamedPipe(h)
		return nil, fmt.Errorf("accept a launch: %w", err)
	}
	nh, err := l.create(false)
	if err != nil {
		_ = windows.CloseHandle(h)
		return nil, fmt.Errorf("listen for the next launch: %w", err)
	}
	l.next = nh
	return &pipeConn{h: h}, nil
}

// Close ends a blocked Accept by connecting to the pending instance
// itself; Accept then closes that instance, and the pipe is gone.
func (l *pipeListener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	if h, err := openPipe(l.name); err == nil {
		_ = windows.CloseHandle(h)
	}
	return nil
}

func openPipe(name *uint16) (windows.Handle, error) {
	return windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil,
		windows.OPEN_EXISTING, windows.SECURITY_SQOS_PRESENT|windows.SECURITY_IDENTIFICATION, 0)
}

func dialChannel(ctx context.Context, dir string) (io.ReadWriteCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	name, _, err := pipeName(dir)
	if err != nil {
		return nil, err
	}
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return nil, err
	}
	h, err := openPipe(p)
	switch {
	case errors.Is(err, windows.ERROR_FILE_NOT_FOUND):
		return nil, errNoWindow
	case errors.Is(err, windows.ERROR_PIPE_BUSY): // every instance serves a launch
		return nil, &channelError{kind: errBusy, found: "every instance of its pipe is busy"}
	case err != nil:
		return nil, fmt.Errorf("reach the running window: %w", err)
	}
	return &pipeConn{h: h}, nil
}

// pipeConn is one end of a pipe connection. Close cancels a read or write
// blocked on another goroutine (CancelIoEx) before closing the handle.
type pipeConn struct {
	h    windows.Handle
	once sync.Once
}

func (c *pipeConn) Read(b []byte) (int, error) {
	var n uint32
	err := windows.ReadFile(c.h, b, &n, nil)
	if errors.Is(err, windows.ERROR_BROKEN_PIPE) || errors.Is(err, windows.ERROR_PIPE_NOT_CONNECTED) {
		return int(n), io.EOF
	}
	return int(n), err
}

func (c *pipeConn) Write(b []byte) (int, error) {
	var n uint32
	err := windows.WriteFile(c.h, b, &n, nil)
	return int(n), err
}

func (c *pipeConn) Close() error {
	var err error
	c.once.Do(func() {
		_ = windows.CancelIoEx(c.h, nil)
		err = windows.CloseHandle(c.h)
	})
	return err
}
