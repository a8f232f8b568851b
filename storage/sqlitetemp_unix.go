//go:build unix

package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// sqliteTempDir is the folder SQLite makes its temporary files in (a
// sort larger than its cache), as its unixTempFileDir picks it: the first
// of $SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp and /tmp that is a
// folder this process may write in, else the current folder; variable is
// the environment variable that picks another: SQLITE_TMPDIR when it
// picked this one, else TMPDIR (read before the others).
func sqliteTempDir() (dir, variable string) {
	if d := os.Getenv("SQLITE_TMPDIR"); writableDir(d) {
		return d, "SQLITE_TMPDIR"
	}
	for _, d := range []string{os.Getenv("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp"} {
		if writableDir(d) {
			return d, "TMPDIR"
		}
	}
	return ".", "TMPDIR"
}

// writableDir reports a folder this process may make files in.
func writableDir(dir string) bool {
	fi, err := os.Stat(dir)
	return dir != "" && err == nil && fi.IsDir() && unix.Access(dir, unix.W_OK|unix.X_OK) == nil
}
