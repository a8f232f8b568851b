//go:build unix && !linux

package api

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// FolderID is the ID of the folder path leads to (links followed), as
// ListedFile gives the ID of the chosen folder it opened a file through:
// "device:inode". A folder walk compares the two, so that a file opened
// through another folder put at the chosen folder's path is not taken for
// one of the chosen folder's, without a look at the path per file.
func FolderID(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", &os.PathError{Op: "stat", Path: path, Err: err}
	}
	return statID(&st), nil
}

// fdID is the ID of the open file fd ("device:inode"), one fstat.
func fdID(fd int) (string, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "", err
	}
	return statID(&st), nil
}

// statID is FolderID's form of a stat buffer's device and inode.
func statID(st *unix.Stat_t) string {
	return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(uint64(st.Ino), 10)
}
