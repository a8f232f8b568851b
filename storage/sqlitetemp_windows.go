package storage

import "os"

// sqliteTempDir is the folder SQLite makes its temporary files in (a
// sort larger than its cache): the system's temporary folder
// (GetTempPath), as its winGetTempname picks it; variable is the
// environment variable GetTempPath reads first, which picks another.
func sqliteTempDir() (dir, variable string) { return os.TempDir(), "TMP" }
