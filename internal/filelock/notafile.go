package filelock

import (
	"io/fs"
	"os"
)

// NotAFileError reports a lock's path where something else is than what
// belongs there: a folder, a socket or a device, or a symbolic link to
// nothing, to a folder or to a file of another user's, where a lock file
// belongs (a lock makes no file where a link points: it could be any file
// of the user's), or a file where a folder of lock files does. Only the
// person can tell what it is and whether to keep it, so the sentence
// names the path and says to move it away.
type NotAFileError struct {
	Path  string      // the lock file's, or the folder of lock files'
	Found fs.FileMode // what is there: fs.ModeDir, fs.ModeSymlink, fs.ModeSocket or fs.ModeDevice, or 0 for a file
	// Folder is set when what belongs at Path is the folder of lock
	// files (NotAFolder), not a lock file.
	Folder bool
}

// special is what no lock file can be because no process can open it as
// one: a socket (another program's, bound there) or a device.
const special = fs.ModeSocket | fs.ModeDevice

// Error names the path, what is in the way, and what to do.
func (e *NotAFileError) Error() string {
	switch {
	case e.Folder && e.Found&fs.ModeSymlink != 0:
		return e.Path + " is a symbolic link where a folder of lock files belongs, leading to no folder (to nothing, to a file, or round in a loop), " +
			"and a lock never makes a folder where a link points — remove the link, or make the folder it points to, then try again"
	case e.Found&fs.ModeSymlink != 0:
		return e.Path + " is a symbolic link where a lock file belongs, pointing to no file of yours (to nothing, to a folder, or to another user's file), " +
			"and a lock never makes a file where a link points — remove the link (what it points to is left as it is), then try again"
	case e.Found.IsDir():
		return e.Path + " is a folder where a lock file belongs — move it away or rename it, then try again"
	case e.Found&special != 0:
		return e.Path + " is a special file (a socket or a device) where a lock file belongs — move it away or rename it, then try again"
	}
	return e.Path + " is a file where a folder of lock files belongs — move it away or rename it, then try again"
}

// notALockFile is the *NotAFileError of path, where a lock file belongs,
// when a folder, a socket or a device is there, or a symbolic link that
// names no file; nil otherwise (a file, a link to one, or nothing yet).
func notALockFile(path string) *NotAFileError {
	fi, err := os.Lstat(path)
	switch {
	case err != nil:
		return nil
	case fi.IsDir():
		return &NotAFileError{Path: path, Found: fs.ModeDir}
	case fi.Mode()&special != 0:
		return &NotAFileError{Path: path, Found: fi.Mode() & special}
	case fi.Mode()&fs.ModeSymlink == 0:
		return nil
	}
	if target, err := os.Stat(path); err == nil && !target.IsDir() {
		return nil
	}
	return &NotAFileError{Path: path, Found: fs.ModeSymlink}
}

// NotAFolder is the *NotAFileError of dir, where a folder of lock files
// belongs, when a symbolic link that leads to no folder is there (to
// nothing, a drive not plugged in say: a lock makes no folder where a link
// points, as it makes no file), or a file (or anything but a folder, or a
// link to one); nil otherwise, nothing there included.
func NotAFolder(dir string) *NotAFileError {
	fi, err := os.Stat(dir)
	if err == nil && fi.IsDir() {
		return nil
	}
	if li, lerr := os.Lstat(dir); lerr == nil && li.Mode()&fs.ModeSymlink != 0 {
		return &NotAFileError{Path: dir, Found: fs.ModeSymlink, Folder: true}
	}
	if err != nil {
		return nil
	}
	return &NotAFileError{Path: dir, Folder: true} // whatever it is, the sentence of a file
}
