//go:build !windows

package storage

import (
	"path/filepath"
	"testing"
)

func TestDataDir(t *testing.T) {
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	env := func(override, xdg string) map[string]string {
		return map[string]string{HomeEnv: override, "XDG_DATA_HOME": xdg, "HOME": home}
	}
	testDataDir(t, []dataDirCase{
		{"override wins", env(filepath.Join(tmp, "portable"), filepath.Join(tmp, "xdg")), filepath.Join(tmp, "portable")},
		{"xdg data home", env("", filepath.Join(tmp, "xdg")), filepath.Join(tmp, "xdg", AppName)},
		{"relative xdg is ignored", env("", "relative/xdg"), filepath.Join(home, ".local", "share", AppName)},
		{"home fallback", env("", ""), filepath.Join(home, ".local", "share", AppName)},
	})
}
