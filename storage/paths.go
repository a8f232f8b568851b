package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
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
	return what + " — move or rename that file, or choose another data folder with --home or " + HomeEnv
}

// Is makes errors.Is(err, ErrNotAFolder) hold.
func (e *NotAFolderError) Is(target error) bool { return target == ErrNotAFolder }

// MakeDataDir creates the data folder dir when missing, private to the
// user (mode 0700; on Windows an access list for the user alone) so that
// nobody else on the machine can list it. Every way in runs it before
// anything else uses dir (the window's lock, the database), so a file in
// the way is told as such (*NotAFolderError), not as whatever failed first.
func MakeDataDir(dir string) error {
	if file := fileInTheWay(dir); file != "" {
		return &NotAFolderError{Dir: dir, File: file}
	}
	if err := makePrivateDir(dir); err != nil {
		return fmt.Errorf("create the data folder %s: %w", dir, err)
	}
	return nil
}

// fileInTheWay returns dir or the nearest of its parents that exists and
// is not a folder; "" when the nearest existing one is a folder.
func fileInTheWay(dir string) string {
	for p := dir; ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			if fi.IsDir() {
				return ""
			}
			return p
		}
		if filepath.Dir(p) == p {
			return ""
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
