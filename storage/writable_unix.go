//go:build !windows

package storage

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// notWritable is why this process may not write path (the system's error,
// such as EPERM for an immutable file or EROFS for a read-only disk), or
// nil: where it may, or path does not exist.
func notWritable(path string) error {
	const wOK = 2 // W_OK
	if err := syscall.Access(path, wOK); err != nil && err != syscall.ENOENT {
		return err
	}
	return nil
}

// otherOwner is the name (or, without one, the number) of the user path
// belongs to when that is not this process's effective user; "" otherwise.
func otherOwner(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) == os.Geteuid() {
		return ""
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return uid
}
