//go:build unix

package api

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// A named pipe must be refused without opening it: opening one for reading
// blocks until a writer appears, which would hang the upload.
func TestValidateFileRefusesNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err := ValidateFile(fifo)
	checkValidation(t, err, "file", "is a named pipe, not a regular file")
}
