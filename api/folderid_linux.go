package api

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// FolderID is the ID of the folder path leads to (links followed), as
// ListedFile gives the ID of the chosen folder it opened a file through:
// "device:inode:birth". A folder walk compares the two, so that a file
// opened through another folder put at the chosen folder's path is not
// taken for one of the chosen folder's, without a look at the path per
// file. The birth time (statx's, where the file system keeps one: ext4,
// btrfs, xfs) tells the chosen folder from one made after it was removed
// that was given its inode number, as ext4 gives a freed number to the
// next file made in the same place, often at once. On overlayfs the ID
// is "device:inode" (copiesFoldersUp).
func FolderID(path string) (string, error) {
	var st unix.Statx_t
	err := unix.Statx(unix.AT_FDCWD, path, unix.AT_STATX_SYNC_AS_STAT, folderIDMask, &st)
	if noStatx(err) {
		var old unix.Stat_t
		if err = unix.Stat(path, &old); err == nil {
			return statID(&old), nil
		}
	}
	if err != nil {
		return "", &os.PathError{Op: "stat", Path: path, Err: err}
	}
	var sfs unix.Statfs_t
	if unix.Statfs(path, &sfs) == nil && copiesFoldersUp(&sfs) {
		st.Mask &^= unix.STATX_BTIME
	}
	return statxID(&st), nil
}

// fdID is the ID of the open file fd, as FolderID gives it: one statx
// and one fstatfs.
func fdID(fd int) (string, error) {
	var st unix.Statx_t
	err := unix.Statx(fd, "", unix.AT_EMPTY_PATH|unix.AT_STATX_SYNC_AS_STAT, folderIDMask, &st)
	if noStatx(err) {
		var old unix.Stat_t
		if err = unix.Fstat(fd, &old); err == nil {
			return statID(&old), nil
		}
	}
	if err != nil {
		return "", err
	}
	var sfs unix.Statfs_t
	if unix.Fstatfs(fd, &sfs) == nil && copiesFoldersUp(&sfs) {
		st.Mask &^= unix.STATX_BTIME
	}
	return statxID(&st), nil
}

// copiesFoldersUp reports whether sfs is of overlayfs (a container's
// files, a live system), whose folder of a lower layer is copied to the
// upper one as a file is made or changed in it: the same folder, the
// same device and inode number, with the copy's birth time. Its folder
// IDs keep no birth time ("device:inode", as before), so a chosen folder
// copied up while it is listed is still the one chosen.
func copiesFoldersUp(sfs *unix.Statfs_t) bool {
	return int64(sfs.Type) == unix.OVERLAYFS_SUPER_MAGIC
}

// folderIDMask is what FolderID asks statx for.
const folderIDMask = unix.STATX_INO | unix.STATX_BTIME

// noStatx reports whether err says the kernel has no statx (older than
// 4.11) or a sandbox filters it: FolderID then reads "device:inode" with
// stat, every time, so the IDs it compares are of one form.
func noStatx(err error) bool {
	return errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM)
}

// statxID is FolderID's form of a statx buffer: device and inode as stat
// gives them (statID), and the birth time where the file system gave it.
func statxID(st *unix.Statx_t) string {
	id := strconv.FormatUint(unix.Mkdev(st.Dev_major, st.Dev_minor), 10) + ":" + strconv.FormatUint(st.Ino, 10)
	if st.Mask&unix.STATX_BTIME != 0 {
		id += ":" + strconv.FormatInt(st.Btime.Sec, 10) + "." + strconv.FormatUint(uint64(st.Btime.Nsec), 10)
	}
	return id
}

// statID is FolderID's form of a stat buffer where statx cannot be
// called: device and inode.
func statID(st *unix.Stat_t) string {
	return strconv.FormatUint(uint64(st.Dev), 10) + ":" + strconv.FormatUint(uint64(st.Ino), 10)
}
