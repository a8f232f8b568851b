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
		name  string
		home  string // DSTOR_UPLOADER_HOME
		local string // LOCALAPPDATA
		want  string
	}{
		{"override wins", filepath.Join(tmp, "portable"), filepath.Join(tmp, "local"), filepath.Join(tmp, "portable")},
		{"local app data", "", filepath.Join(tmp, "local"), filepath.Join(tmp, "local", "dStor Uploader")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(HomeEnv, tt.home)
			t.Setenv("LOCALAPPDATA", tt.local)
			t.Setenv("XDG_DATA_HOME", filepath.Join(tmp, "xdg")) // not a Windows convention: ignored

			got, err := DataDir()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assertPrivate(t, got)
		})
	}
}

func TestDataDirWithoutLocalAppData(t *testing.T) {
	for _, local := range []string{"", `relative\dir`} {
		t.Setenv(HomeEnv, "")
		t.Setenv("LOCALAPPDATA", local)
		_, err := DataDir()
		require.Error(t, err, "LOCALAPPDATA=%q", local)
		assert.Contains(t, err.Error(), "%LOCALAPPDATA% is not set to a full path (set "+HomeEnv+")")
	}
}
