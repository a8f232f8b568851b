//go:build unix

package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// sqliteTempDir is the folder SQLite makes its temporary files in (a
// sort larger than its cache), as its unixTempFileDir picks it: the first
// of $SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp and /tmp that is a
// folder this process may write in, else the current folder.
func sqliteTempDir() string {
	for _, dir := range []string{os.Getenv("SQLITE_TMPDIR"), os.Getenv("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp"} {
		if fi, err := os.Stat(dir); dir != "" && err == nil && fi.IsDir() && unix.Access(dir, unix.W_OK|unix.X_OK) == nil {
			return dir
		}
	}
	return "."
}
