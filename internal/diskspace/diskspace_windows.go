package diskspace

import (
	"errors"

	"golang.org/x/sys/windows"
)

// Free is how many bytes the user can still write on the disk holding dir
// (quotas counted), or -1 when unknown.
func Free(dir string) int64 {
	free, _ := space(dir)
	return free
}

// Size is how many bytes the disk holding dir holds in all for the user
// (quotas counted), or -1 when unknown: what can be asked of it is bounded
// by that.
func Size(dir string) int64 {
	_, size := space(dir)
	return size
}

// space reads the disk's free bytes and its size for the user, both -1
// when unknown.
func space(dir string) (free, size int64) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return -1, -1
	}
	var avail, total, all uint64
	if err := windows.GetDiskFreeSpaceEx(p, &avail, &total, &all); err != nil {
		return -1, -1
	}
	return int64(avail), int64(total)
}

// Full reports whether err says the disk has no room left: Windows says
// so with ERROR_DISK_FULL, or ERROR_HANDLE_DISK_FULL for a write through
// a handle.
func Full(err error) bool {
	return errors.Is(err, windows.ERROR_DISK_FULL) || errors.Is(err, windows.ERROR_HANDLE_DISK_FULL)
}
