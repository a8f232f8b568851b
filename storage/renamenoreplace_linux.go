package storage

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// renameNoReplace renames from to to unless a file of that name is there
// (an error that is fs.ErrExist then): renameat2 with RENAME_NOREPLACE,
// one step, so two quits naming their files in the same second never
// replace each other's (os.Rename would), and of two processes moving one
// file only one does. A file system without that flag (EINVAL) takes a
// hard link instead (linkNoReplace).
func renameNoReplace(from, to string) error {
	err := renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	switch {
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS):
		return linkNoReplace(from, to)
	case err != nil:
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// renameat2 is the system call renameNoReplace makes. A variable so that
// a test can answer as a file system without RENAME_NOREPLACE does
// (FUSE, NFS, 9p: EINVAL).
var renameat2 = unix.Renameat2
