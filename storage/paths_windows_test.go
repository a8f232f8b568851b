package storage

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataDir(t *testing.T) {
	tmp := t.TempDir()
	env := func(override, local string) map[string]string {
		return map[string]string{HomeEnv: override, "LOCALAPPDATA": local,
			"XDG_DATA_HOME": filepath.Join(tmp, "xdg")} // not a Windows convention: ignored
	}
	testDataDir(t, []dataDirCase{
		{"override wins", env(filepath.Join(tmp, "portable"), filepath.Join(tmp, "local")), filepath.Join(tmp, "portable")},
		{"local app data", env("", filepath.Join(tmp, "local")), filepath.Join(tmp, "local", "dStor Uploader")},
	})
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
