package api

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// fileAttributeTagInfo is FILE_ATTRIBUTE_TAG_INFO (GetFileInformationByHandleEx's
// FileAttributeTagInfo class).
type fileAttributeTagInfo struct {
	FileAttributes uint32
	ReparseTag     uint32
}

// errNotADirectory is ERROR_DIRECTORY, for a name below the chosen folder
// that should be a folder and is not.
const errNotADirectory windows.Errno = 267

// openBeneath opens root/rel for reading without following a link at any
// component of rel: each name is opened relative to the handle of the folder
// before it (NtCreateFile with RootDirectory, the openat of Windows) with
// FILE_OPEN_REPARSE_POINT, and a component that is a name surrogate — a
// symbolic link, a junction (mount point), a WSL link — fails with
// errSymlinkBelow. Since every step goes through a handle, renaming or
// swapping a folder above once it is open changes nothing. Links in root's
// own path are followed: the person chose root. Files are shared fully
// (read, write, delete), so an upload never keeps the person from saving,
// renaming or deleting their file; the identity checks catch a change.
// rootID is the ID (as FolderID gives it) of the folder root led to as it
// was opened, read from the handle every name below is opened from.
func openBeneath(root, rel string) (f *os.File, rootID string, err error) {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	dir, err := os.Open(root)
	if err != nil {
		return nil, "", err
	}
	info, err := handleInfo(dir)
	if err != nil {
		_ = dir.Close()
		return nil, "", err
	}
	rootID = indexID(info)
	p := root
	for i, name := range parts {
		if name == "" || name == "." || name == ".." || strings.ContainsRune(name, ':') {
			_ = dir.Close()
			return nil, "", fmt.Errorf("%w: %q", errSymlinkBelow, rel)
		}
		p = filepath.Join(p, name)
		last := i == len(parts)-1
		f, err := openNoReparse(dir, name, p, last)
		_ = dir.Close()
		if err != nil || last {
			return f, rootID, err
		}
		dir = f
	}
	return nil, "", fmt.Errorf("%w: empty path", errSymlinkBelow)
}

// FolderID is the ID of the folder path leads to (links followed), as
// ListedFile gives the ID of the chosen folder it opened a file through:
// "volume:file index", read from a handle opened as openBeneath opens the
// chosen folder; "" when the file system has no file index. A folder walk
// compares the two, so that a file opened through another folder put at
// the chosen folder's path is not taken for one of the chosen folder's,
// without opening the path again per file.
func FolderID(path string) (string, error) {
	dir, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = dir.Close() }()
	info, err := handleInfo(dir)
	if err != nil {
		return "", err
	}
	return indexID(info), nil
}

// openNoReparse opens name in dir, path being its whole path: for reading
// when it is the last component, else as a folder to open the next one
// from. A name surrogate fails with errSymlinkBelow. Any other reparse point
// (a deduplicated file, say) is the file itself, not a way to another one:
// it is opened again normally, so that its file system filter serves it,
// and must be the same file.
func openNoReparse(dir *os.File, name, path string, last bool) (*os.File, error) {
	access := uint32(windows.FILE_READ_ATTRIBUTES | windows.FILE_LIST_DIRECTORY)
	if last {
		access = windows.FILE_GENERIC_READ
	}
	f, err := ntOpen(dir, name, path, access, windows.FILE_OPEN_REPARSE_POINT)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*os.File, error) {
		_ = f.Close()
		return nil, err
	}
	if link, err := listedAsLink(dir, name); err != nil {
		return fail(err)
	} else if link {
		return fail(errSymlinkBelow)
	}
	info, err := handleInfo(f)
	if err != nil {
		return fail(err)
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		var tag fileAttributeTagInfo
		err := windows.GetFileInformationByHandleEx(windows.Handle(f.Fd()), windows.FileAttributeTagInfo,
			(*byte)(unsafe.Pointer(&tag)), uint32(unsafe.Sizeof(tag)))
		if err != nil || isNameSurrogate(tag.ReparseTag) {
			return fail(errSymlinkBelow)
		}
		g, err := ntOpen(dir, name, path, access, 0)
		if err != nil {
			return fail(err)
		}
		again, err := handleInfo(g)
		if err != nil || !sameFileIndex(info, again) {
			_ = g.Close()
			return fail(errSymlinkBelow)
		}
		_ = f.Close()
		f = g
	}
	if !last && info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY == 0 {
		return fail(&os.PathError{Op: "open", Path: path, Err: errNotADirectory})
	}
	return f, nil
}

// fileFullDirInfo is the fixed part of FILE_FULL_DIR_INFORMATION, one
// entry of a folder's listing (NtQueryDirectoryFile); the name follows it.
type fileFullDirInfo struct {
	NextEntryOffset, FileIndex                              uint32
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	EndOfFile, AllocationSize                               int64
	FileAttributes, FileNameLength                          uint32
	EaSize                                                  uint32 // a reparse point's tag
}

// fileFullDirectoryInformation is FileFullDirectoryInformation, the
// FILE_INFORMATION_CLASS of fileFullDirInfo.
const fileFullDirectoryInformation = 2

var procNtQueryDirectoryFile = windows.NewLazySystemDLL("ntdll.dll").NewProc("NtQueryDirectoryFile")

// listedAsLink reports whether the folder dir lists name as a link to
// another place: a reparse point whose tag is a name surrogate (see
// isNameSurrogate), or one with no tag at all. Windows gives every reparse
// point a tag; Wine lists a Unix symbolic link to a folder as a reparse
// point without one, and opening it gives the folder itself with no sign
// of a link, so only the listing shows it. The listing is read from dir's
// handle, as the open is.
func listedAsLink(dir *os.File, name string) (bool, error) {
	mask, err := windows.NewNTUnicodeString(name)
	if err != nil {
		return false, err
	}
	var buf [4096]byte // one entry: the fixed part and a name of up to 255 UTF-16 units
	var iosb windows.IO_STATUS_BLOCK
	const returnSingleEntry, restartScan = 1, 1
	r, _, _ := procNtQueryDirectoryFile.Call(dir.Fd(), 0, 0, 0, uintptr(unsafe.Pointer(&iosb)),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), fileFullDirectoryInformation,
		returnSingleEntry, uintptr(unsafe.Pointer(mask)), restartScan)
	runtime.KeepAlive(dir)
	if st := windows.NTStatus(r); st != windows.STATUS_SUCCESS {
		return false, &os.PathError{Op: "list", Path: filepath.Join(dir.Name(), name), Err: st.Errno()}
	}
	entry := (*fileFullDirInfo)(unsafe.Pointer(&buf[0]))
	if entry.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT == 0 {
		return false, nil
	}
	return entry.EaSize == 0 || isNameSurrogate(entry.EaSize), nil
}

// IsLinkEntry reports whether the folder holding path lists it as a link
// of Windows' own kinds, which os.Lstat reports as neither a symbolic link
// nor a folder: a junction (a mount point) or another name surrogate, or
// what Wine shows for a Unix symbolic link to a folder (see listedAsLink).
// A folder walk does not follow them, as it does not follow symbolic links.
func IsLinkEntry(path string) bool {
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return false
	}
	defer func() { _ = dir.Close() }()
	link, err := listedAsLink(dir, filepath.Base(path))
	return err == nil && link
}

// platformReparseTag reads the reparse tag of the file at path itself (a
// link's own, not its target's) through a handle that asks only for attributes and does not
// follow the file's own reparse point, so that no file system filter acts
// (an online-only file is not downloaded): 0 when it is no reparse point.
func platformReparseTag(path string) (uint32, error) {
	f, err := openAt(path, windows.FILE_READ_ATTRIBUTES|windows.SYNCHRONIZE, windows.FILE_OPEN_REPARSE_POINT)
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }()
	return handleReparseTag(f)
}

// regularOpen reports whether the open file f, of stat st, is a file to
// upload (see IsRegularFile), its reparse tag read from its handle.
func regularOpen(f *os.File, st os.FileInfo) bool {
	return regularWith(st.Mode(), func() (uint32, error) { return handleReparseTag(f) })
}

// handleReparseTag is the reparse tag of an open file, 0 when none.
func handleReparseTag(f *os.File) (uint32, error) {
	var tag fileAttributeTagInfo
	err := windows.GetFileInformationByHandleEx(windows.Handle(f.Fd()), windows.FileAttributeTagInfo,
		(*byte)(unsafe.Pointer(&tag)), uint32(unsafe.Sizeof(tag)))
	if err != nil {
		return 0, &os.PathError{Op: "read the attributes of", Path: f.Name(), Err: err}
	}
	if tag.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT == 0 {
		return 0, nil
	}
	return tag.ReparseTag, nil
}

// isNameSurrogate reports whether a reparse tag makes its file stand for
// another named file or folder (IsReparseTagNameSurrogate in winnt.h).
func isNameSurrogate(tag uint32) bool { return tag&0x20000000 != 0 }

// handleInfo is GetFileInformationByHandle of an open file.
func handleInfo(f *os.File) (windows.ByHandleFileInformation, error) {
	var info windows.ByHandleFileInformation
	err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info)
	if err != nil {
		return info, &os.PathError{Op: "read the attributes of", Path: f.Name(), Err: err}
	}
	return info, nil
}

// sameFileIndex reports whether two handles' information is of one file.
func sameFileIndex(a, b windows.ByHandleFileInformation) bool {
	return a.VolumeSerialNumber == b.VolumeSerialNumber &&
		a.FileIndexHigh == b.FileIndexHigh && a.FileIndexLow == b.FileIndexLow
}

// openShared opens the file at path for reading, following links (the
// person chose this path), shared fully with other programs (see
// openBeneath).
func openShared(path string) (*os.File, error) {
	return openAt(path, windows.FILE_GENERIC_READ, 0)
}

// ntOpen opens the existing name in the folder dir (one name, no
// separators) with NtCreateFile relative to dir's handle, for synchronous
// I/O, shared fully with other programs; path names the result. Names are
// matched without regard to case, as Windows programs expect.
func ntOpen(dir *os.File, name, path string, access, options uint32) (*os.File, error) {
	uname, err := windows.NewNTUnicodeString(name)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	oa := windows.OBJECT_ATTRIBUTES{
		RootDirectory: windows.Handle(dir.Fd()),
		ObjectName:    uname,
		Attributes:    windows.OBJ_CASE_INSENSITIVE,
	}
	oa.Length = uint32(unsafe.Sizeof(oa))
	var h windows.Handle
	var iosb windows.IO_STATUS_BLOCK
	err = windows.NtCreateFile(&h, access|windows.SYNCHRONIZE, &oa, &iosb, nil, 0,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		windows.FILE_OPEN, options|windows.FILE_SYNCHRONOUS_IO_NONALERT, 0, 0)
	runtime.KeepAlive(dir)
	if err != nil {
		if st, ok := err.(windows.NTStatus); ok {
			err = st.Errno() // the Win32 error, which the sentences and errors.Is know
		}
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}
