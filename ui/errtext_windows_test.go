package ui

import (
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// windowsSystemErrors are Windows errors (winerror.h) as os returns them,
// in a syscall.Errno, with the words the window gives each: on Windows
// syscall.EACCES and most other Unix names are values Go made up, which
// os never returns for these (syscall.ENOENT is ERROR_FILE_NOT_FOUND, and
// syscall.ENOTDIR ERROR_PATH_NOT_FOUND).
var windowsSystemErrors = []struct {
	errno syscall.Errno
	want  string
}{
	{windows.ERROR_SHARING_VIOLATION, "another program has it open; close that program, then try again"},
	{windows.ERROR_LOCK_VIOLATION, "another program has it open; close that program, then try again"},
	{windows.ERROR_ACCESS_DENIED, "you do not have permission"},
	{windows.ERROR_FILE_NOT_FOUND, "it is not there (any more)"},
	{windows.ERROR_PATH_NOT_FOUND, "it is not there (any more)"},
	{windows.ERROR_WRITE_PROTECT, "the disk it is on is read-only"},
	{windows.ERROR_DISK_FULL, "the disk is full"},
	{windows.ERROR_HANDLE_DISK_FULL, "the disk is full"},
	{windows.ERROR_FILE_EXISTS, "something of that name is already there"},
	{windows.ERROR_ALREADY_EXISTS, "something of that name is already there"},
	{windows.ERROR_FILENAME_EXCED_RANGE, "its name or path is too long for the system"},
	{windows.ERROR_INVALID_NAME, "it is not a valid Windows name: a name cannot contain < > : \" | ? * or end with a dot or a space"},
	{windows.ERROR_NOT_READY, "the drive it is on is not ready; insert the disk or reconnect the drive"},
	{windows.ERROR_DEV_NOT_EXIST, "the drive or share it is on is disconnected"},
	{windows.ERROR_NETNAME_DELETED, "the network share it is on cannot be reached"},
	{windows.ERROR_BAD_NETPATH, "the network share it is on cannot be reached"},
	{windows.ERROR_SEM_TIMEOUT, "the drive or share it is on did not answer in time"},
	{windows.ERROR_CRC, "the disk reported an error reading or writing; it may be failing"},
	{windows.ERROR_TOO_MANY_OPEN_FILES, "too many files are open at once; try again later"},
	{windows.ERROR_BUSY, "the device it is on is busy; try again later"},
	{windows.ERROR_CANT_RESOLVE_FILENAME, "its path goes round a loop of symbolic links"},
	{windows.ERROR_DIRECTORY, "a folder in its path is no longer a folder"},
	{windows.ERROR_CLOUD_FILE_PROVIDER_NOT_RUNNING, "it is an online-only file that could not be downloaded; make it available on this computer"},
	{windows.ERROR_CANT_ACCESS_FILE, "it is a link or special file of a kind Windows cannot read here (a symbolic link made in WSL, say); add the file it leads to instead"},
}

// TestWindowsSystemErrorsAreWorded: a Windows error a person can act on
// is worded as the Unix ones are, in the sentence of a path that cannot be
// used (an export onto a file Excel has open) and of a file that cannot
// be read (the walk keeps the error's text), not shown as "the system
// says: “…”" in Windows' words.
func TestWindowsSystemErrorsAreWorded(t *testing.T) {
	require.Equal(t, "you do not have permission", tr("you do not have permission"), "the test reads the window in English")
	for _, c := range windowsSystemErrors {
		t.Run(fmt.Sprint(uint(c.errno)), func(t *testing.T) {
			err := &fs.PathError{Op: "open", Path: `C:\Users\ann\report.xlsx`, Err: c.errno}
			assert.Equal(t, `Cannot use C:\Users\ann\report.xlsx (`+c.want+`).`, errorText(fmt.Errorf("export: %w", err)), c.errno.Error())
			assert.Equal(t, "This file cannot be read ("+c.want+").", reasonText(worker.ReasonFileUnreadable, c.errno.Error(), fixedNow), c.errno.Error())
		})
	}
}

// TestWindowsFolderSkippedForAPassingReasonSaysAddTheFolderAgain: a folder
// the walk could not list for a Windows error that passes (too many files
// open, a busy device, a share that did not answer or is gone, a drive
// not ready), or for a path too long, says, as for the Unix errors, to add the folder again: nothing
// lists a skipped folder again.
func TestWindowsFolderSkippedForAPassingReasonSaysAddTheFolderAgain(t *testing.T) {
	require.Equal(t, "you do not have permission", tr("you do not have permission"), "the test reads the window in English")
	for _, errno := range []syscall.Errno{windows.ERROR_TOO_MANY_OPEN_FILES, windows.ERROR_BUSY,
		windows.ERROR_SEM_TIMEOUT, windows.ERROR_DEV_NOT_EXIST, windows.ERROR_NETNAME_DELETED, windows.ERROR_NOT_READY} {
		t.Run(fmt.Sprint(uint(errno)), func(t *testing.T) {
			job := worker.Job{State: storage.JobSkipped, Reason: worker.ReasonFolderUnreadable, ReasonArg: errno.Error(),
				Err: "cannot read this folder: " + errno.Error()}
			skipped := jobReasonText(job, fixedNow)
			assert.Contains(t, skipped, "This folder", errno.Error())
			assert.Contains(t, skipped, "add the folder again", errno.Error())
			assert.NotContains(t, skipped, "try again", errno.Error())
		})
	}
	tooLong := worker.Job{State: storage.JobSkipped, Reason: worker.ReasonFolderUnreadable, ReasonArg: windows.ERROR_FILENAME_EXCED_RANGE.Error()}
	assert.Equal(t, "This folder's path is longer than the system allows. Move it to a folder with a shorter path, then add it again.",
		jobReasonText(tooLong, fixedNow))
}
