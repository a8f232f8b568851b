package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDebugProfileWritesProfiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "prof")
	code, out, _ := runCLI(t, "", "version", "--debug-profile", dir)
	require.Equal(t, 0, code)
	assert.Contains(t, out, Version)
	for _, name := range []string{"cpu.pprof", "heap.pprof"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err, name)
		assert.Positive(t, fi.Size(), name)
	}

	code, _, errOut := runCLI(t, "", "version", "--debug-profile", "/dev/null/x")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "--debug-profile")
}
