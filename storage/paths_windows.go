package storage

import (
	"fmt"
	"os"
	"path/filepath"
)

// WindowsDirName is the data folder's name under %LOCALAPPDATA%: the app's
// name as Windows users see it in Explorer. The installer's uninstaller
// (build/windows/installer.nsi) removes this folder only when asked.
const WindowsDirName = "dStor Uploader"

// defaultDataDir is %LOCALAPPDATA%\dStor Uploader: per user and per machine
// (not roaming, since the history and the queue name local files).
func defaultDataDir() (string, error) {
	local := os.Getenv("LOCALAPPDATA")
	if local == "" || !filepath.IsAbs(local) {
		return "", fmt.Errorf("find the data directory: %%LOCALAPPDATA%% is not set to a full path (set %s)", HomeEnv)
	}
	return filepath.Join(local, WindowsDirName), nil
}
