//go:build !windows

package storage

import "syscall"

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
