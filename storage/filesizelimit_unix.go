//go:build unix

package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// maxWritePastEnd is the most SQLite writes past the end of one of the
// database's files at once: a write-ahead log frame of the largest page
// (64 KiB) and its 24-byte header.
const maxWritePastEnd = 64<<10 + 24

// fileSizeLimitReached returns the database file at path, or its -wal,
// -journal or -shm, when it is too close to this process's file size
// limit (RLIMIT_FSIZE) for SQLite's next write to fit, and the limit; ""
// when there is no limit or no file is that close.
func fileSizeLimitReached(path string) (file string, limit int64) {
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_FSIZE, &rl) != nil || rl.Cur == unix.RLIM_INFINITY {
		return "", 0
	}
	limit = int64(rl.Cur)
	for _, f := range []string{path, path + "-wal", path + "-journal", path + "-shm"} {
		if fi, err := os.Stat(f); err == nil && fi.Size()+maxWritePastEnd > limit {
			return f, limit
		}
	}
	return "", 0
}
