//go:build unix

package api

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// A named pipe must be refused without opening it: opening one for reading
// blocks until a writer appears, which would hang the upload.
func TestValidateFileRefusesNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err := ValidateFile(fifo)
	checkValidation(t, err, "file", "is a named pipe, not a regular file")
}

// TestValidateFilePathLongerThanTheSystemAllows: a file whose path is
// longer than the system takes (over 4,096 bytes on Linux: folders nested
// deep below a long-named one) cannot be opened by its path; the sentence
// says so and what to do, not the system's bare "file name too long".
func TestValidateFilePathLongerThanTheSystemAllows(t *testing.T) {
	dir := testfs.DeepFolder(t, t.TempDir(), "report.pdf", []byte("deep"))
	_, err := ValidateFile(filepath.Join(dir, "report.pdf"))
	checkValidation(t, err, "file", "has a path longer than this system allows — move it to a folder with a shorter path, then try again")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ProblemPathTooLong, ve.Problem)
}
