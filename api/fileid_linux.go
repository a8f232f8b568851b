package api

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// identityOf reads a file's identity from its FileInfo: on Linux the
// device and inode, and the change time, from the stat buffer.
func identityOf(fi os.FileInfo) FileIdentity {
	id := FileIdentity{Size: fi.Size(), ModTime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.ID = strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(st.Ino, 10)
		id.ChangeTime = time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return id
}

// ChangedAt is when what fi describes (os.Lstat, os.Stat) last changed:
// its change time (ctime), which any change to it moves and no program
// can put back: a link's is when it was made; a folder's moves when an
// entry is made, removed or renamed in it, and when its modification time
// is set, put back included (touch -d). throughNewLink and a folder
// walk's look again (worker's changedSinceListed) go by it.
func ChangedAt(fi os.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
	}
	return fi.ModTime()
}

// OnDeviceOf reports whether dir is on the device of the file whose
// identity was id (FileIdentity.ID, "device:inode"): a folder where a
// drive was mounted (a memory card, a network share) is on the device
// below once the drive is removed. known is false when id names no
// device or dir cannot be looked at.
func OnDeviceOf(dir, id string) (on, known bool) {
	device, _, ok := strings.Cut(id, ":")
	if !ok {
		return false, false
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return false, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false, false
	}
	return strconv.FormatUint(uint64(st.Dev), 10) == device, true
}
