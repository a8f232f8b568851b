package api

import (
	"os"
	"path/filepath"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// fileBasicInfo is FILE_BASIC_INFO (GetFileInformationByHandleEx's
// FileBasicInfo class): times in 100 ns since 1601, as FILETIME.
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}

// statOpen stats the open file f and reads its identity from its handle:
// the volume serial number and file index (GetFileInformationByHandle)
// name the file, and the change time (FileBasicInfo's ChangeTime), which
// any write or attribute change moves even when the modification time is
// put back. A file system that has no file index (it answers 0) or no
// change time, and a cloud service's file (see cloudFile), leave that part
// empty, as FileIdentity allows.
func statOpen(f *os.File) (os.FileInfo, FileIdentity, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, FileIdentity{}, err
	}
	id := FileIdentity{Size: st.Size(), ModTime: st.ModTime()}
	h := windows.Handle(f.Fd())
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return nil, FileIdentity{}, &os.PathError{Op: "read the file id of", Path: f.Name(), Err: err}
	}
	id.ID = indexID(info)
	var basic fileBasicInfo
	err = windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&basic)), uint32(unsafe.Sizeof(basic)))
	if err == nil && basic.ChangeTime > 0 && !cloudFile(f, basic.FileAttributes) {
		ft := windows.Filetime{LowDateTime: uint32(basic.ChangeTime), HighDateTime: uint32(basic.ChangeTime >> 32)}
		id.ChangeTime = time.Unix(0, ft.Nanoseconds())
	}
	return st, id, nil
}

// indexID is a file's ID ("volume:file index") from its handle's
// information; "" when the file system gives no file index (it answers 0).
func indexID(info windows.ByHandleFileInformation) string {
	index := uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow)
	if index == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(info.VolumeSerialNumber), 10) + ":" + strconv.FormatUint(index, 10)
}

// cloudFile reports whether f, of these attributes, is a cloud service's
// file (OneDrive's, say). Its change time moves when the service downloads
// it or frees its space, with no change to its content, so it is left out
// of the identity: reading such a file to upload it downloads it.
func cloudFile(f *os.File, attrs uint32) bool {
	if attrs&windows.FILE_ATTRIBUTE_REPARSE_POINT == 0 {
		return false
	}
	tag, err := handleReparseTag(f)
	return err == nil && isCloudTag(tag)
}

// statPath is the identity of the file path leads to (links followed), read
// through a handle that asks only for its attributes, so that neither a
// program holding the file without sharing it nor the person deleting or
// renaming it meanwhile is in the way.
func statPath(path string) (FileIdentity, error) {
	f, err := openAt(path, windows.FILE_READ_ATTRIBUTES|windows.SYNCHRONIZE, 0)
	if err != nil {
		return FileIdentity{}, err
	}
	defer func() { _ = f.Close() }()
	_, id, err := statOpen(f)
	return id, err
}

// entryIdentity is the identity of the file path, found in the chosen
// folder beneath, leads to without following a link below beneath: opened
// as the upload opened it, since a file's id on Windows is read through a
// handle.
func entryIdentity(beneath, path string) (FileIdentity, error) {
	f, id, _, err := openListed(beneath, path, FileIdentity{})
	if err != nil {
		return FileIdentity{}, err
	}
	_ = f.Close() // read-only
	return id, nil
}

// openAt opens path with the given access and create options (NtCreateFile's
// FILE_* options), following links, sharing it fully with other programs:
// read, write and delete. It opens the parent folder with Go's os.Open (which
// takes care of long paths and of every form a Windows path can have) and
// the last name relative to it, of path as AbsPath reads it, as Windows does
// ("notes.txt.", "notes.txt\." and "sub\..\notes.txt" are notes.txt), since
// NtCreateFile reads the name as written: `cid` and `verify` then open
// what `upload` does, whose paths AbsPath made.
func openAt(path string, access, options uint32) (*os.File, error) {
	abs, err := AbsPath(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	dir, err := os.Open(filepath.Dir(abs))
	if err != nil {
		return nil, err
	}
	defer func() { _ = dir.Close() }()
	return ntOpen(dir, filepath.Base(abs), path, access, options)
}

// ChangedAt is when what fi describes last changed, as its last write
// time says: os.Lstat's answer holds no change time here (statOpen reads
// one through a handle); see the Linux one.
func ChangedAt(fi os.FileInfo) time.Time { return fi.ModTime() }

// OnDeviceOf would report whether dir is on the volume of the file whose
// identity was id. It is not known here: a drive removed takes its letter
// with it, so the folder a file was listed in is gone too; a volume
// mounted in a folder is not told apart.
func OnDeviceOf(_, _ string) (on, known bool) { return false, false }
