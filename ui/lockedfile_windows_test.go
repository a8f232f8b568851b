package ui

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
)

// TestFileAnotherProgramHasOpenSaysSo: a file another program holds open
// without sharing it (Excel with the export's file, Outlook with its .pst)
// makes Windows refuse to open it with ERROR_SHARING_VIOLATION; the window
// says another program has it open, whether it was to be written (an
// export onto it) or read.
func TestFileAnotherProgramHasOpenSaysSo(t *testing.T) {
	require.Equal(t, "you do not have permission", tr("you do not have permission"), "the test reads the window in English")
	path := filepath.Join(t.TempDir(), "report.csv")
	require.NoError(t, os.WriteFile(path, []byte("a,b\n"), 0o600))
	name, err := syscall.UTF16PtrFromString(path)
	require.NoError(t, err)
	h, err := syscall.CreateFile(name, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = syscall.CloseHandle(h) })

	_, err = os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o600)
	require.ErrorIs(t, err, windows.ERROR_SHARING_VIOLATION)
	assert.Equal(t, "Cannot use "+path+" (another program has it open; close that program, then try again).", errorText(err))
	_, err = os.Open(path)
	var pe *fs.PathError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "This file cannot be read (another program has it open; close that program, then try again).",
		reasonText(worker.ReasonFileUnreadable, pe.Err.Error(), fixedNow))
}
