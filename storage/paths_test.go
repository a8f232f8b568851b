package storage

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataDir(t *testing.T) {
	tmp := t.TempDir()
	tests := []struct {
		name string
		home string // DSTOR_UPLOADER_HOME
		xdg  string // XDG_DATA_HOME
		want string
	}{
		{"override wins", filepath.Join(tmp, "portable"), filepath.Join(tmp, "xdg"), filepath.Join(tmp, "portable")},
		{"xdg data home", "", filepath.Join(tmp, "xdg"), filepath.Join(tmp, "xdg", AppName)},
		{"relative xdg is ignored", "", "relative/xdg", filepath.Join(tmp, "home", ".local", "share", AppName)},
		{"home fallback", "", "", filepath.Join(tmp, "home", ".local", "share", AppName)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(HomeEnv, tt.home)
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			t.Setenv("HOME", filepath.Join(tmp, "home"))
			t.Setenv("USERPROFILE", filepath.Join(tmp, "home")) // Windows' os.UserHomeDir

			got, err := DataDir()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			info, err := os.Stat(got)
			require.NoError(t, err)
			assert.True(t, info.IsDir())
			if runtime.GOOS != "windows" {
				assert.Equal(t, os.FileMode(0o700), info.Mode().Perm())
			}
		})
	}
}

func TestDataDirRelativeOverrideIsMadeAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(HomeEnv, "portable-data")
	got, err := DataDir()
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(got), got)
	assert.Equal(t, "portable-data", filepath.Base(got))
}
