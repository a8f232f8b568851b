package api

import (
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/windows"
)

// Windows errors a person can act on when a local file cannot be read
// (winerror.h). syscall names only a few of them.
const (
	errSharingViolation   syscall.Errno = 32   // ERROR_SHARING_VIOLATION
	errLockViolation      syscall.Errno = 33   // ERROR_LOCK_VIOLATION
	errNotReady           syscall.Errno = 21   // ERROR_NOT_READY
	errBadNetPath         syscall.Errno = 53   // ERROR_BAD_NETPATH
	errNetNameDeleted     syscall.Errno = 64   // ERROR_NETNAME_DELETED
	errBadNetName         syscall.Errno = 67   // ERROR_BAD_NET_NAME
	errInvalidName        syscall.Errno = 123  // ERROR_INVALID_NAME
	errFilenameTooLong    syscall.Errno = 206  // ERROR_FILENAME_EXCED_RANGE
	errNetworkUnreachable syscall.Errno = 1231 // ERROR_NETWORK_UNREACHABLE
	// ERROR_CANT_ACCESS_FILE: a reparse point Windows cannot open, such as
	// a symbolic link made in WSL (IO_REPARSE_TAG_LX_SYMLINK), which
	// os.Stat reports so.
	errCantAccessFile syscall.Errno = 1920
)

// cloudFileErrors are the ERROR_CLOUD_FILE_* errors (winerror.h) of an
// online-only file (OneDrive's, say) that could not be downloaded when it
// was opened or read.
var cloudFileErrors = []syscall.Errno{
	windows.ERROR_CLOUD_FILE_PROVIDER_NOT_RUNNING, windows.ERROR_CLOUD_FILE_AUTHENTICATION_FAILED,
	windows.ERROR_CLOUD_FILE_INSUFFICIENT_RESOURCES, windows.ERROR_CLOUD_FILE_NETWORK_UNAVAILABLE,
	windows.ERROR_CLOUD_FILE_UNSUCCESSFUL, windows.ERROR_CLOUD_FILE_IN_USE,
	windows.ERROR_CLOUD_FILE_REQUEST_ABORTED, windows.ERROR_CLOUD_FILE_ACCESS_DENIED,
	windows.ERROR_CLOUD_FILE_REQUEST_CANCELED, windows.ERROR_CLOUD_FILE_PROVIDER_TERMINATED,
	windows.ERROR_CLOUD_FILE_REQUEST_TIMEOUT, windows.ERROR_CLOUD_FILE_NOT_IN_SYNC,
}

// fileErrnos are the Windows errors a person can act on when a local file
// cannot be read, with the Problem each one is.
var fileErrnos = append(problemErrnos(ProblemOnlineOnly, cloudFileErrors...),
	FileErrno{errSharingViolation, ProblemLocked}, FileErrno{errLockViolation, ProblemLocked},
	FileErrno{errNotReady, ProblemDriveNotReady},
	FileErrno{errBadNetPath, ProblemShareUnreachable}, FileErrno{errBadNetName, ProblemShareUnreachable},
	FileErrno{errNetNameDeleted, ProblemShareUnreachable}, FileErrno{errNetworkUnreachable, ProblemShareUnreachable},
	FileErrno{errFilenameTooLong, ProblemPathTooLong},
	FileErrno{errInvalidName, ProblemInvalidPath},
	FileErrno{errCantAccessFile, ProblemCannotAccess},
)

// problemErrnos are errnos, each the Problem p.
func problemErrnos(p Problem, errnos ...syscall.Errno) []FileErrno {
	fe := make([]FileErrno, len(errnos))
	for i, e := range errnos {
		fe[i] = FileErrno{e, p}
	}
	return fe
}

// reservedDeviceNames are the names Windows keeps for devices, in any
// folder and with any extension ("nul.txt" is the NUL device too).
var reservedDeviceNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
	"COM1": true, "COM2": true, "COM3": true, "COM4": true, "COM5": true, "COM6": true, "COM7": true, "COM8": true, "COM9": true,
	"COM¹": true, "COM²": true, "COM³": true,
	"LPT1": true, "LPT2": true, "LPT3": true, "LPT4": true, "LPT5": true, "LPT6": true, "LPT7": true, "LPT8": true, "LPT9": true,
	"LPT¹": true, "LPT²": true, "LPT³": true,
}

// reservedNameSentence refuses a path whose last name Windows keeps for a
// device: opening "CON" or "C:\data\nul.txt" reaches the device, not a file.
// A path in the \\?\ form names the file itself and is let through.
func reservedNameSentence(q, path string) string {
	if strings.HasPrefix(path, `\\?\`) {
		return ""
	}
	base := filepath.Base(path)
	stem, _, _ := strings.Cut(base, ".")
	stem = strings.ToUpper(strings.TrimRight(stem, " "))
	if !reservedDeviceNames[stem] {
		return ""
	}
	subject := q + ` is named "` + base + `",`
	if base == path {
		subject = q + " is"
	}
	return subject + ` a name Windows keeps for the ` + stem + ` device, so it cannot be read as a file — rename it (for example to "_` + base + `"), then try again`
}
