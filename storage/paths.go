package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AppName is the directory name under the XDG data home and the OS keyring
// service name, kept in one place so the data and the secrets of one
// installation are always found together.
const AppName = "dstor-uploader"

// HomeEnv is the environment variable that overrides the data directory, for
// tests, portable installs and running several isolated profiles side by side.
const HomeEnv = "DSTOR_UPLOADER_HOME"

// DataDir returns the directory where the database lives, creating it with
// mode 0700 when missing so that nobody else on the machine can list it.
//
// The first of these wins: $DSTOR_UPLOADER_HOME (made absolute);
// $XDG_DATA_HOME/dstor-uploader when XDG_DATA_HOME is an absolute path (the
// XDG spec says relative values must be ignored); ~/.local/share/dstor-uploader.
func DataDir() (string, error) {
	dir, err := dataDirPath()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
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
	if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" && filepath.IsAbs(xdg) {
		return filepath.Join(xdg, AppName), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the data directory (set %s or XDG_DATA_HOME): %w", HomeEnv, err)
	}
	if home == "" {
		return "", errors.New("find the data directory: home directory is empty (set " + HomeEnv + ")")
	}
	return filepath.Join(home, ".local", "share", AppName), nil
}
