package ui

import (
	"syscall"

	"golang.org/x/sys/windows"
)

// platformErrnos are the Windows errors (winerror.h) os returns that
// amount to one of the Unix errors the window words (systemErrors), and
// are worded as that one: on Windows syscall.EACCES and most other Unix
// names are values Go made up, which os returns for few errors (EISDIR).
// Two are Windows' own: ENOENT is ERROR_FILE_NOT_FOUND, and ENOTDIR is
// ERROR_PATH_NOT_FOUND, a folder on the path that is not there, worded
// as ENOENT here (these come first). The Windows errors api names a
// problem of their own (a file another program has open, a drive not
// ready, …: api.FileErrnos) are worded by that problem.
var platformErrnos = []errnoAlias{
	{windows.ERROR_ACCESS_DENIED, syscall.EACCES},
	{windows.ERROR_FILE_NOT_FOUND, syscall.ENOENT},
	{windows.ERROR_PATH_NOT_FOUND, syscall.ENOENT}, // syscall.ENOTDIR on Windows
	{windows.ERROR_WRITE_PROTECT, syscall.EROFS},
	{windows.ERROR_DISK_FULL, syscall.ENOSPC},
	{windows.ERROR_HANDLE_DISK_FULL, syscall.ENOSPC},
	{windows.ERROR_FILE_EXISTS, syscall.EEXIST},
	{windows.ERROR_ALREADY_EXISTS, syscall.EEXIST},
	{windows.ERROR_CRC, syscall.EIO},
	{windows.ERROR_TOO_MANY_OPEN_FILES, syscall.EMFILE},
	{windows.ERROR_DEV_NOT_EXIST, syscall.ENOTCONN}, // a network drive or device no longer there
	{windows.ERROR_SEM_TIMEOUT, syscall.ETIMEDOUT},  // a network share that did not answer
	{windows.ERROR_BUSY, syscall.EBUSY},
	{windows.ERROR_CANT_RESOLVE_FILENAME, syscall.ELOOP}, // too many links in its path
	{windows.ERROR_DIRECTORY, syscall.ENOTDIR},
}
