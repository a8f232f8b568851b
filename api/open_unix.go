//go:build unix

package api

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// openFlags open a file for reading without blocking on a named pipe put
// in its place (a regular file ignores O_NONBLOCK) and without making a
// terminal the controlling one.
const openFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY

// openShared opens the file at path for reading (links followed), with
// openFlags: a named pipe put at the path after it was stat'ed is opened
// without waiting for a writer, and refused by the check that follows.
func openShared(path string) (*os.File, error) { return os.OpenFile(path, openFlags, 0) }

// openNoFollowWalk opens root/rel by walking rel one component at a time
// from root's descriptor, each with O_NOFOLLOW: a symbolic link at any
// component below root fails with errSymlinkBelow. It is the portable
// form of openat2's RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH. rootID is the ID
// of the folder root led to as it was opened, read from its descriptor.
func openNoFollowWalk(root, rel string) (*os.File, string, error) {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	dir, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, "", &os.PathError{Op: "open", Path: root, Err: err}
	}
	rootID, err := fdID(dir)
	if err != nil {
		_ = unix.Close(dir)
		return nil, "", &os.PathError{Op: "stat", Path: root, Err: err}
	}
	for i, name := range parts {
		if name == "" || name == "." || name == ".." {
			_ = unix.Close(dir)
			return nil, "", fmt.Errorf("%w: %q", errSymlinkBelow, rel)
		}
		last := i == len(parts)-1
		flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		if last {
			flags = openFlags | unix.O_NOFOLLOW
		}
		fd, err := unix.Openat(dir, name, flags, 0)
		if err != nil {
			err = classifyNoFollow(dir, name, err)
		}
		_ = unix.Close(dir)
		if err != nil {
			return nil, "", &os.PathError{Op: "open", Path: filepath.Join(root, filepath.Join(parts[:i+1]...)), Err: err}
		}
		if last {
			return os.NewFile(uintptr(fd), filepath.Join(root, rel)), rootID, nil
		}
		dir = fd
	}
	return nil, "", fmt.Errorf("%w: empty path", errSymlinkBelow)
}

// classifyNoFollow turns the error of an O_NOFOLLOW open of name into
// errSymlinkBelow when name is a symbolic link (ELOOP, or ENOTDIR for a
// link where a folder was expected, depending on the system).
func classifyNoFollow(dir int, name string, err error) error {
	if !errors.Is(err, unix.ELOOP) && !errors.Is(err, unix.ENOTDIR) && !errors.Is(err, unix.EMLINK) {
		return err
	}
	var st unix.Stat_t
	if unix.Fstatat(dir, name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return errSymlinkBelow
	}
	return err
}
