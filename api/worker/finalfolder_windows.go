package worker

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// finalFolder is the folder path leads to once the junctions on it are
// followed too, which filepath.EvalSymlinks does not do since Go 1.23, so
// that a junction and its real path named in one upload are one folder,
// as a link and its target are. Only on a local volume: a mapped network
// drive's final path is the server's (\\?\UNC\server\share\…), not the
// drive the person named. Else, or when it cannot be read, path as it is.
func finalFolder(path string) string {
	if !onLocalVolume(path) {
		return path
	}
	final, err := finalPathName(path)
	if err != nil || strings.HasPrefix(final, `\\?\UNC\`) {
		return path
	}
	return api.SpelledOnDisk(final) // the plain form where it names the same folder
}

// onLocalVolume reports whether path is on a drive of this computer (not
// a network drive, not a UNC path).
func onLocalVolume(path string) bool {
	vol := strings.TrimPrefix(filepath.VolumeName(path), `\\?\`)
	if len(vol) != 2 || vol[1] != ':' {
		return false
	}
	root, err := windows.UTF16PtrFromString(vol + `\`)
	if err != nil {
		return false
	}
	switch windows.GetDriveType(root) {
	case windows.DRIVE_FIXED, windows.DRIVE_REMOVABLE, windows.DRIVE_RAMDISK, windows.DRIVE_CDROM:
		return true
	}
	return false
}

// finalPathName is GetFinalPathNameByHandle of the folder at path, a
// drive's absolute path (its \\?\ form, every link and junction on it
// followed). It is opened in the \\?\ form, so a path past 260
// characters is too.
func finalPathName(path string) (string, error) {
	if !strings.HasPrefix(path, `\\?\`) {
		path = `\\?\` + path
	}
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return "", err
	}
	h, err := windows.CreateFile(name, windows.FILE_READ_ATTRIBUTES,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
	if err != nil {
		return "", err
	}
	defer func() { _ = windows.CloseHandle(h) }()
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n, err := windows.GetFinalPathNameByHandle(h, &buf[0], uint32(len(buf)), 0) // VOLUME_NAME_DOS
	if err != nil {
		return "", err
	}
	if int(n) > len(buf) {
		return "", windows.ERROR_INSUFFICIENT_BUFFER
	}
	return windows.UTF16ToString(buf[:n]), nil
}
