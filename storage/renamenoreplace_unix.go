//go:build !windows

package storage

import (
	"errors"
	"io/fs"
	"os"
)

// linkNoReplace renames from to to unless a file of that name is there
// (an error that is fs.ErrExist then), by a hard link, which never
// replaces a file, then the remove of from; when from cannot be removed,
// the link goes too, so the file is in one place only. A file system
// that refuses hard links (FAT, exFAT, many FUSE ones) takes
// reserveAndRename instead.
func linkNoReplace(from, to string) error {
	err := linkFile(from, to)
	switch {
	case errors.Is(err, fs.ErrExist), errors.Is(err, fs.ErrNotExist):
		return err
	case err != nil:
		return reserveAndRename(from, to)
	}
	if err := os.Remove(from); err != nil {
		_ = os.Remove(to)
		return err
	}
	return nil
}

// reserveAndRename renames from to to unless a file of that name is
// there (fs.ErrExist), where the file system has neither a rename that
// keeps a file there nor hard links: it takes the name with a new empty
// file (O_EXCL, which every file system has), then renames from over that
// file of its own, which no other quit or start replaces; when the rename
// fails (from gone: another start placed it), the empty file goes.
func reserveAndRename(from, to string) error {
	f, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(to)
		return err
	}
	if err := os.Rename(from, to); err != nil {
		_ = os.Remove(to)
		return err
	}
	return nil
}

// linkFile is the hard link linkNoReplace makes. A variable so that a
// test can refuse it as a file system without hard links does (FAT,
// exFAT, many FUSE ones: EPERM, ENOSYS).
var linkFile = os.Link
