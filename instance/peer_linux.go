package instance

import (
	"net"
	"os"
	"syscall"
)

// sameUser reports whether the process at the other end of c runs as this
// process's user (SO_PEERCRED): the socket's mode already keeps others
// out, this holds even in a data folder others can write to.
func sameUser(c *net.UnixConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil || credErr != nil {
		return false
	}
	return int(cred.Uid) == os.Getuid()
}
