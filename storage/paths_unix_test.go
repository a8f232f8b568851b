//go:build !windows

package storage

import (
	"path/filepath"
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

			got, err := DataDir()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assertPrivate(t, got)
		})
	}
}
