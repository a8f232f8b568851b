//go:build !windows

package storage

import (
	"errors"
	"os"
)

// fileID is the identity of the database file this process opened
// (CheckFile), as the file's device and inode number.
type fileID struct{ fi os.FileInfo }

// fileIDOf is the identity of the open file f.
func fileIDOf(f *os.File) (fileID, error) {
	fi, err := f.Stat()
	return fileID{fi}, err
}

// isAt reports whether path names the file id is of: one stat of the path.
func (id fileID) isAt(path string) (bool, error) {
	now, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return os.SameFile(id.fi, now), nil
}

// journalAt is the identity of the journal file at path (the database's
// -wal, or its -shm), as the writer opened it, to be watched by CheckFile:
// another program may delete or replace it while SQLite uses it. false
// when it is not there.
func journalAt(path string) (fileID, bool) {
	fi, err := os.Stat(path)
	return fileID{fi}, err == nil
}

// lookSaysGone reports whether err, from a look at a path (isAt), says
// nothing is there: the history deleted or moved. Any other failure (a
// network file system that stopped answering: EIO, ESTALE, ETIMEDOUT)
// tells nothing, and is left to the write itself.
func lookSaysGone(err error) bool { return errors.Is(err, os.ErrNotExist) }
