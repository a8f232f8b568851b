package storage

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDataDirRelativeOverrideIsMadeAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(HomeEnv, "portable-data")
	got, err := DataDir()
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(got), got)
	assert.Equal(t, "portable-data", filepath.Base(got))
}
