package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dstor-uploader/dstor-uploader/internal/diskspace"
)

// AppName is the directory name under the XDG data home and the OS keyring
// service name (on Windows, the Credential Manager's target prefix), kept in one place so the data and the secrets of one
// installation are always found together.
const AppName = "dstor-uploader"

// HomeEnv is the environment variable that overrides the data directory, for
// tests, portable installs and running several isolated profiles side by side.
const HomeEnv = "DSTOR_UPLOADER_HOME"

// DataDir returns the directory where the database lives, creating it
// private to the user when missing (see MakeDataDir).
//
// $DSTOR_UPLOADER_HOME (made absolute) wins; otherwise the platform's place
// for per-user application data (see defaultDataDir): on Linux and the BSDs
// $XDG_DATA_HOME/dstor-uploader or ~/.local/share/dstor-uploader, on Windows
// %LOCALAPPDATA%\dStor Uploader.
func DataDir() (string, error) {
	dir, err := dataDirPath()
	if err != nil {
		return "", fmt.Errorf("find the data folder: %w", err)
	}
	if err := MakeDataDir(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// DataDirPath is where DataDir is, absolute, without making it: to tell
// whether a folder given for something else (the sandbox command's store)
// is the data folder.
func DataDirPath() (string, error) {
	dir, err := dataDirPath()
	if err != nil {
		return "", fmt.Errorf("find the data folder: %w", err)
	}
	return dir, nil
}

// ErrNotAFolder matches a *NotAFolderError.
var ErrNotAFolder = errors.New("the data folder is a file")

// NotAFolderError reports a data folder that cannot exist because a file
// stands where it, or one of its parents, should be: nothing can be
// stored, and only the person can move the file.
type NotAFolderError struct {
	Dir  string // the data folder asked for
	File string // the file in the way: Dir itself or one of its parents
}

// Error names the file and what to do.
func (e *NotAFolderError) Error() string {
	what := fmt.Sprintf("the data folder %s is a file, not a folder", e.Dir)
	if e.File != e.Dir {
		what = fmt.Sprintf("the data folder %s cannot be created: %s is a file, not a folder", e.Dir, e.File)
	}
	return what + " — move or rename that file, or " + chooseAnotherDataFolder
}

// Is makes errors.Is(err, ErrNotAFolder) hold.
func (e *NotAFolderError) Is(target error) bool { return target == ErrNotAFolder }

// chooseAnotherDataFolder is what to do about a data folder that cannot
// be where it was asked for, said once for every reason it cannot.
const chooseAnotherDataFolder = "choose another data folder with --home or " + HomeEnv

// ErrDataFolderNotMade matches a *DataFolderError.
var ErrDataFolderNotMade = errors.New("the data folder cannot be created")

// DataFolderProblem is why a data folder cannot be created, for the
// sentence that says what to do about it.
type DataFolderProblem int

const (
	// DataFolderReadOnlyDisk: the disk it is on is mounted read-only.
	DataFolderReadOnlyDisk DataFolderProblem = iota + 1
	// DataFolderNoPermission: this user may not create folders in Parent.
	DataFolderNoPermission
	// DataFolderDiskFull: the disk it is on is full (Err is a *DiskFullError).
	DataFolderDiskFull
	// DataFolderNoDrive: its drive (Windows) is not there.
	DataFolderNoDrive
)

// DataFolderError reports a data folder that cannot be created, and why,
// so that the person is told to free space or choose another folder
// instead of reading "mkdir …: read-only file system".
type DataFolderError struct {
	Dir     string            // the data folder asked for
	Parent  string            // the nearest folder above Dir that is there; the drive for DataFolderNoDrive
	Problem DataFolderProblem // why Dir cannot be created
	Err     error             // the system's error, or a *DiskFullError
}

// Error names the folder, what is wrong and what to do.
func (e *DataFolderError) Error() string {
	s := fmt.Sprintf("the data folder %s cannot be created: ", e.Dir)
	var full *DiskFullError
	switch {
	case e.Problem == DataFolderReadOnlyDisk:
		return s + fmt.Sprintf("the disk holding %s is read-only — %s", e.Parent, chooseAnotherDataFolder)
	case e.Problem == DataFolderNoPermission:
		return s + fmt.Sprintf("this user may not create folders in %s — %s", e.Parent, chooseAnotherDataFolder)
	case e.Problem == DataFolderNoDrive:
		return s + fmt.Sprintf("the drive %s is not there — connect it, or %s", e.Parent, chooseAnotherDataFolder)
	case e.Problem == DataFolderDiskFull && errors.As(e.Err, &full):
		return s + full.whatToDo() + ", or " + chooseAnotherDataFolder
	}
	return s + e.Err.Error()
}

// Unwrap gives the system's error, or the *DiskFullError.
func (e *DataFolderError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDataFolderNotMade) hold.
func (e *DataFolderError) Is(target error) bool { return target == ErrDataFolderNotMade }

// MakeDataDir creates the data folder dir when missing, private to the
// user (mode 0700; on Windows an access list for the user alone) so that
// nobody else on the machine can list it. Every way in runs it before
// anything else uses dir (the window's lock, the database), so a file in
// the way is told as such (*NotAFolderError), not as whatever failed first.
func MakeDataDir(dir string) error {
	parent, fi := nearestThere(dir)
	if fi != nil && !fi.IsDir() {
		return &NotAFolderError{Dir: dir, File: parent}
	}
	if err := makePrivateDir(dir); err != nil {
		return dataFolderError(dir, parent, err)
	}
	return nil
}

// dataFolderError is the error of makePrivateDir's err making dir, whose
// nearest existing folder is parent ("" when none is: a drive not there):
// a *DataFolderError for what the person can act on, else err with the
// folder named.
func dataFolderError(dir, parent string, err error) error {
	e := &DataFolderError{Dir: dir, Parent: parent, Err: err}
	switch {
	case parent == "" && filepath.VolumeName(dir) != "":
		e.Problem, e.Parent = DataFolderNoDrive, filepath.VolumeName(dir)
	case readOnlyDisk(err):
		e.Problem = DataFolderReadOnlyDisk
	case diskspace.Full(err):
		free := diskspace.Free(parent)
		e.Problem = DataFolderDiskFull
		e.Err = &DiskFullError{Dir: parent, Free: free, Need: roomToAskFor(free, diskspace.Size(parent)), Err: err}
	case errors.Is(err, fs.ErrPermission):
		e.Problem = DataFolderNoPermission
	default:
		return fmt.Errorf("create the data folder %s: %w", dir, err)
	}
	return e
}

// nearestThere returns dir or the nearest of its parents that exists, and
// what it is; "" and nil when none does (a drive not there).
func nearestThere(dir string) (string, os.FileInfo) {
	for p := dir; ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			return p, fi
		}
		if filepath.Dir(p) == p {
			return "", nil
		}
	}
}

func dataDirPath() (string, error) {
	if home := os.Getenv(HomeEnv); home != "" {
		abs, err := filepath.Abs(home)
		if err != nil {
			return "", fmt.Errorf("resolve %s=%q: %w", HomeEnv, home, err)
		}
		return abs, nil
	}
	return defaultDataDir()
}
