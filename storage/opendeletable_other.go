//go:build !windows

package storage

import "os"

// openDeletable opens path to read it: elsewhere than on Windows a file
// open is removed by another process all the same.
func openDeletable(path string) (*os.File, error) { return os.Open(path) }
