//go:build !windows

package worker

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// makeFifo creates a named pipe at path.
func makeFifo(t *testing.T, path string) {
	t.Helper()
	require.NoError(t, syscall.Mkfifo(path, 0o644))
}
