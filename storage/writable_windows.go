package storage

import (
	"os"
	"syscall"
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
