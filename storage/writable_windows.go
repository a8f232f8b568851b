package storage

import (
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/windows"
)

// notWritable is why this process may not write path: a file with the
// Read-only attribute; nil otherwise, or when path does not exist. (A
// folder's Read-only attribute does not stop writes to its files.)
func notWritable(path string) error {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() || fi.Mode().Perm()&0o200 != 0 {
		return nil
	}
	return syscall.ERROR_ACCESS_DENIED
}

// readOnlyDisk reports whether err says the disk is read-only: Windows
// says so of write-protected media (a USB stick's or an SD card's
// switch, a volume made read-only) with ERROR_WRITE_PROTECT; Go's
// syscall.EROFS is a value of its own there, which no call returns.
func readOnlyDisk(err error) bool {
	return errors.Is(err, windows.ERROR_WRITE_PROTECT)
}
