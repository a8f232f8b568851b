//go:build !windows

package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// defaultDataDir is $XDG_DATA_HOME/dstor-uploader when XDG_DATA_HOME is an
// absolute path (the XDG spec says relative values must be ignored), else
// ~/.local/share/dstor-uploader.
func defaultDataDir() (string, error) {
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
