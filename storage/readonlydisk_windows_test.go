package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// TestHistoryOnWriteProtectedMediaIsReadOnly: a history on write-protected
// media (a USB stick's switch, a volume made read-only) that the system
// refuses to write with ERROR_WRITE_PROTECT is the read-only disk Unix
// calls EROFS: told as such, with what to do, as the data folder is
// (readOnlyDisk), not passed on as "open …: The media is write protected."
// Wine cannot make such media, so the system's error is fed to the
// classifier as an open returns it.
func TestHistoryOnWriteProtectedMediaIsReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, DBFileName)
	err := explainDBError(path, &os.PathError{Op: "open", Path: path, Err: windows.ERROR_WRITE_PROTECT})
	var ro *ReadOnlyError
	require.ErrorAs(t, err, &ro)
	assert.ErrorIs(t, err, ErrDatabaseReadOnly)
	assert.ErrorIs(t, err, windows.ERROR_WRITE_PROTECT, "the system's error is kept")
	assert.Equal(t, "the disk holding "+dir, ro.What)
}
