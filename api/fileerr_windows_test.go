package api

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

func TestWindowsFileErrorSentences(t *testing.T) {
	tests := []struct {
		errno   syscall.Errno
		want    string
		problem Problem
	}{
		{errSharingViolation, "is open in another program that does not let others read it", ProblemLocked},
		{errLockViolation, "is open in another program that does not let others read it", ProblemLocked},
		{errNotReady, "is on a drive that is not ready — insert the disk or reconnect the drive", ProblemDriveNotReady},
		{errBadNetPath, "is on a network share that cannot be reached", ProblemShareUnreachable},
		{errBadNetName, "is on a network share that cannot be reached", ProblemShareUnreachable},
		{errNetNameDeleted, "is on a network share that cannot be reached", ProblemShareUnreachable},
		{errNetworkUnreachable, "is on a network share that cannot be reached", ProblemShareUnreachable},
		{errFilenameTooLong, "has a path longer than Windows allows here", ProblemPathTooLong},
		{errInvalidName, "is not a valid Windows path", ProblemInvalidPath},
		{windows.ERROR_CLOUD_FILE_NETWORK_UNAVAILABLE, "is an online-only file (OneDrive or another cloud service) that could not be downloaded — make it available on this computer", ProblemOnlineOnly},
		{windows.ERROR_CLOUD_FILE_PROVIDER_NOT_RUNNING, "is an online-only file (OneDrive or another cloud service) that could not be downloaded", ProblemOnlineOnly},
		{windows.ERROR_CLOUD_FILE_REQUEST_TIMEOUT, "is an online-only file (OneDrive or another cloud service) that could not be downloaded", ProblemOnlineOnly},
		{windows.ERROR_CANT_ACCESS_FILE, "cannot be opened by Windows: it is a link or special file of a kind Windows cannot read here (a symbolic link made in WSL, say) — add the file it leads to instead, or a copy of it", ProblemCannotAccess},
	}
	for _, tt := range tests {
		t.Run(tt.errno.Error(), func(t *testing.T) {
			err := fileAccessError(`"D:\x.bin"`, &fs.PathError{Op: "open", Path: `D:\x.bin`, Err: tt.errno})
			checkValidation(t, err, "file", `"D:\x.bin" `+tt.want)
			assert.ErrorIs(t, err, tt.errno, "the cause stays reachable")
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.problem, ve.Problem, "the window words it by its problem")
		})
	}
}

func TestValidateFileReservedNames(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"CON", "nul", "nul.txt", "Com1", "LPT9.log", "aux .txt", "CONOUT$"} {
		t.Run(name, func(t *testing.T) {
			_, err := ValidateFile(filepath.Join(dir, name))
			checkValidation(t, err, "file", "a name Windows keeps for the "+strings.ToUpper(strings.TrimSpace(strings.Split(name, ".")[0]))+" device")
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, [2]string{string(ProblemReservedName), name}, [2]string{string(ve.Problem), ve.Detail})
		})
	}
	for _, name := range []string{"console.txt", "NULL", "COM10", "con-notes.txt", "lpt.txt"} {
		t.Run(name, func(t *testing.T) {
			_, err := ValidateFile(filepath.Join(dir, name))
			checkValidation(t, err, "file", "does not exist")
		})
	}
}

// A file another program holds open without sharing (as Outlook does with
// its .pst) is refused with a sentence that says what to do.
func TestValidateFileLockedByAnotherProgram(t *testing.T) {
	path := testfs.WriteTemp(t, "mailbox.pst", []byte("busy"))
	p, err := syscall.UTF16PtrFromString(path)
	require.NoError(t, err)
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE, 0, nil, syscall.OPEN_EXISTING, syscall.FILE_ATTRIBUTE_NORMAL, 0)
	require.NoError(t, err)
	_, err = ValidateFile(path)
	checkValidation(t, err, "file", "is open in another program that does not let others read it — close that program")
	require.NoError(t, syscall.CloseHandle(h))
	_, err = ValidateFile(path)
	require.NoError(t, err, "readable again once the other program closes it")
}

// Paths past MAX_PATH (260) work: Go adds the \\?\ prefix to long absolute
// paths, so nothing needs the person to shorten them.
func TestValidateFileLongPath(t *testing.T) {
	dir := t.TempDir()
	for len(dir) < 300 {
		dir = filepath.Join(dir, strings.Repeat("long-folder-name-", 3))
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	path := filepath.Join(dir, "file-past-max-path.txt")
	require.NoError(t, os.WriteFile(path, []byte("deep"), 0o644))
	require.Greater(t, len(path), 260)
	info, err := ValidateFile(path)
	require.NoError(t, err)
	assert.EqualValues(t, 4, info.Size)
	_, err = ValidateFile(`\\?\` + path)
	require.NoError(t, err, "the \\\\?\\ form is accepted as it is")
}

// A read that fails during the upload because the online-only file could
// not be downloaded says what to do; other read errors stay as they are.
func TestReadErrorOfAnOnlineOnlyFile(t *testing.T) {
	err := readError(`C:\OneDrive\report.pdf`, &fs.PathError{Op: "read", Path: `C:\OneDrive\report.pdf`, Err: windows.ERROR_CLOUD_FILE_NETWORK_UNAVAILABLE})
	checkValidation(t, err, "file", `"C:\OneDrive\report.pdf" is an online-only file (OneDrive or another cloud service) that could not be downloaded`)
	assert.ErrorIs(t, err, windows.ERROR_CLOUD_FILE_NETWORK_UNAVAILABLE)
	other := readError(`C:\x.bin`, syscall.Errno(1117)) // ERROR_IO_DEVICE
	assert.ErrorIs(t, other, syscall.Errno(1117))
	assert.Contains(t, other.Error(), "read the file")
}

// TestShareOutOfReachIsNotGone: Go counts ERROR_BAD_NETPATH as
// fs.ErrNotExist, but a file on a network share out of reach may come
// back, so neither the system's error nor the check's sentence for it is
// a file gone; a file or path not found is.
func TestShareOutOfReachIsNotGone(t *testing.T) {
	at := func(errno syscall.Errno) error {
		return &fs.PathError{Op: "open", Path: `\\nas\photos\a.jpg`, Err: errno}
	}
	assert.False(t, Gone(at(errBadNetPath)))
	assert.False(t, Gone(fileAccessError(`"a.jpg"`, at(errBadNetPath))))
	assert.True(t, Gone(at(windows.ERROR_FILE_NOT_FOUND)))
	assert.True(t, Gone(at(windows.ERROR_PATH_NOT_FOUND)))
	assert.True(t, Gone(fileAccessError(`"a.jpg"`, at(windows.ERROR_FILE_NOT_FOUND))))
}
