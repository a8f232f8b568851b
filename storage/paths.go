package storage

import (
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
// private to the user when missing (mode 0700; on Windows an access list for
// the user alone) so that nobody else on the machine can list it.
//
// $DSTOR_UPLOADER_HOME (made absolute) wins; otherwise the platform's place
// for per-user application data (see defaultDataDir): on Linux and the BSDs
// $XDG_DATA_HOME/dstor-uploader or ~/.local/share/dstor-uploader, on Windows
// %LOCALAPPDATA%\dStor Uploader.
func DataDir() (string, error) {
	dir, err := dataDirPath()
	if err != nil {
		return "", err
	}
	if err := makePrivateDir(dir); err != nil {
		return "", fmt.Errorf("create data directory %s: %w", dir, err)
	}
	return dir, nil
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
