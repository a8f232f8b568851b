//go:build !windows

package filelock

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// Owner is the name (or, without one, the number) of the user path
// belongs to when that is not this process's effective user; "" otherwise.
func Owner(path string) string {
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
