package diskspace

import (
	"errors"

	"golang.org/x/sys/windows"
)

// Free is how many bytes the user can still write on the disk holding dir
// (quotas counted), or -1 when unknown.
func Free(dir string) int64 {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return -1
	}
	var avail, total, free uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &free); err != nil {
		return -1
	}
	return int64(avail)
}

// Full reports whether err says the disk has no room left: Windows says
// so with ERROR_DISK_FULL, or ERROR_HANDLE_DISK_FULL for a write through
// a handle.
func Full(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) || errors.Is(err, windows.ERROR_HANDLE_DISK_FULL)
}
