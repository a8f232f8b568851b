package api

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once the kernel refused openat2 (older than 5.6, or a
// sandbox filtering it), so later opens go straight to the walk.
var noOpenat2 atomic.Bool

// openBeneath opens root/rel for reading without following a symbolic link
// at any component of rel and without leaving root: openat2 with
// RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH where the kernel has it, else an
// O_NOFOLLOW walk from root's descriptor. A link (or an escape) fails with
// errSymlinkBelow. Links in root's own path are followed: the person chose
// root. rootID is the ID (as FolderID gives it) of the folder root led to
// as it was opened, read from its descriptor: the folder the file was
// opened through, whatever root's path leads to a moment later.
func openBeneath(root, rel string) (f *os.File, rootID string, err error) {
	if noOpenat2.Load() {
		return openNoFollowWalk(root, rel)
	}
	dir, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, "", &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer func() { _ = unix.Close(dir) }()
	if rootID, err = fdID(dir); err != nil {
		return nil, "", &os.PathError{Op: "stat", Path: root, Err: err}
	}
	fd, err := unix.Openat2(dir, rel, &unix.OpenHow{
		Flags:   openFlags,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
	})
	switch {
	case err == nil:
		return os.NewFile(uintptr(fd), filepath.Join(root, rel)), rootID, nil
	case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) && !isPermissionProblem(root, rel):
		noOpenat2.Store(true)
		return openNoFollowWalk(root, rel)
	case errors.Is(err, unix.ELOOP) || errors.Is(err, unix.EXDEV):
		return nil, "", errSymlinkBelow
	}
	return nil, "", &os.PathError{Op: "open", Path: filepath.Join(root, rel), Err: err}
}

// isPermissionProblem tells a real EPERM of the file (seldom: an immutable
// file) from a seccomp filter refusing the openat2 call itself, by trying
// the walk's way: if it opens, the syscall was the problem.
func isPermissionProblem(root, rel string) bool {
	f, _, err := openNoFollowWalk(root, rel)
	if err == nil {
		_ = f.Close()
		return false
	}
	return true
}
