//go:build !windows

package storage

import (
	"errors"
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

// readOnlyDisk reports whether err says the disk is read-only (mounted
// so): EROFS.
func readOnlyDisk(err error) bool {
	return errors.Is(err, syscall.EROFS)
}
