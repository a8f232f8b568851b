package storage

import "os"

// sqliteTempDir is the folder SQLite makes its temporary files in (a
// sort larger than its cache): the system's temporary folder
// (GetTempPath), as its winGetTempname picks it.
func sqliteTempDir() string { return os.TempDir() }
