package storage

import (
	"os"

	"golang.org/x/sys/windows"
)

// openDeletable opens path to read it, shared with a process that
// deletes it meanwhile (FILE_SHARE_DELETE, which os.Open does not give):
// a window and a command carrying the same file of uploads not recorded
// at once, the one done first removes it while the other reads it.
func openDeletable(path string) (*os.File, error) {
	p, err := longPathPtr(path)
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
