//go:build !unix

package storage

import "os"

// tryLock is a no-op where flock does not exist: there, running the window
// and a command-line upload of the same account at once is not prevented.
func tryLock(*os.File) error { return nil }

func unlock(*os.File) error { return nil }
