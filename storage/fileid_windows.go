package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// fileID is the identity of the database file this process opened
// (CheckFile): its volume's serial number and its file index, read through
// a handle.
type fileID struct {
	volume uint32
	index  uint64
}

// fileIDOf is the identity of the open file f.
func fileIDOf(f *os.File) (fileID, error) {
	id, err := handleID(windows.Handle(f.Fd()))
	if err != nil {
		return fileID{}, &os.PathError{Op: "read the file id of", Path: f.Name(), Err: err}
	}
	return id, nil
}

func handleID(h windows.Handle) (fileID, error) {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return fileID{}, err
	}
	return fileID{info.VolumeSerialNumber, uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow)}, nil
}

// isAt reports whether path names the file id is of. It opens path for
// its attributes alone, shared fully, which no other program's handle
// refuses (os.SameFile opens it again without sharing it, and takes any
// failure to do so for another file).
func (id fileID) isAt(path string) (bool, error) {
	p, err := longPathPtr(path)
	if err != nil {
		return false, err
	}
	h, err := windows.CreateFile(p, windows.FILE_READ_ATTRIBUTES,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return false, &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer func() { _ = windows.CloseHandle(h) }()
	now, err := handleID(h)
	if err != nil {
		return false, &os.PathError{Op: "read the file id of", Path: path, Err: err}
	}
	return now == id, nil
}

// journalAt reports nothing to watch: Windows refuses to delete or replace
// the journal (-wal) or its index (-shm) SQLite holds open, as it shares
// them without FILE_SHARE_DELETE, so no look at them is spent on each
// write.
func journalAt(string) (fileID, bool) { return fileID{}, false }

// longPathPtr is path, made absolute, in the \\?\ form Windows takes
// beyond 260 characters, for a call of the system's API.
func longPathPtr(path string) (*uint16, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(abs, `\\?\`):
	case strings.HasPrefix(abs, `\\`):
		abs = `\\?\UNC\` + abs[2:]
	default:
		abs = `\\?\` + abs
	}
	p, err := windows.UTF16PtrFromString(abs)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return p, nil
}

// lookSaysGone reports whether err, from a look at a path (isAt), says
// nothing is there: the history deleted or moved (the file, or a folder
// on its path, not found, on a volume that is there). Not
// errors.Is(err, os.ErrNotExist), which counts ERROR_BAD_NETPATH too: a
// data folder on a network share that drops for a moment would be
// declared deleted for good, and the window stop every upload and tell
// the person to quit. That and any other failure (the share's name gone,
// the network unreachable, a drive not ready, a timeout, a sharing
// violation) tells nothing, and is left to the write itself.
//
// So too a file or folder not found whose volume is not there (volumeThere):
// a USB stick pulled, a mapped or subst drive taken away. Every path on
// its letter is then not found, as a folder deleted is, but nothing was
// deleted, and plugging the stick back in is the fix.
func lookSaysGone(err error) bool {
	var errno windows.Errno
	if !errors.As(err, &errno) || (errno != windows.ERROR_FILE_NOT_FOUND && errno != windows.ERROR_PATH_NOT_FOUND) {
		return false
	}
	var pathErr *os.PathError
	return errors.As(err, &pathErr) && volumeThere(pathErr.Path)
}

// volumeThere reports whether the volume path is on is there: the root of
// its drive letter, or of its share (filepath.VolumeName), answers a look
// at its attributes. Made only once a look at path found nothing.
func volumeThere(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil || filepath.VolumeName(abs) == "" {
		return false
	}
	root, err := longPathPtr(filepath.VolumeName(abs) + `\`)
	if err != nil {
		return false
	}
	_, err = windows.GetFileAttributes(root)
	return err == nil
}
