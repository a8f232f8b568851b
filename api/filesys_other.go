//go:build !windows

package api

import "os"

// statOpen stats the open file f and reads its identity from that.
func statOpen(f *os.File) (os.FileInfo, FileIdentity, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, FileIdentity{}, err
	}
	return st, identityOf(st), nil
}

// statPath is the identity of the file path leads to (links followed).
func statPath(path string) (FileIdentity, error) {
	st, err := os.Stat(path)
	if err != nil {
		return FileIdentity{}, err
	}
	return identityOf(st), nil
}

// entryIdentity is the identity of the entry at path, a file found in the
// chosen folder beneath, without following a link there. It is what the
// check after an upload compares with the file that was sent (opened
// without following any link below beneath): a file put in its place, or
// a link, has another device and inode. One lstat: opening the path again
// as the upload opened it cost about 14 µs of the about 500 µs of CPU a
// small file takes (README, Small files).
func entryIdentity(_, path string) (FileIdentity, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return FileIdentity{}, err
	}
	return identityOf(st), nil
}

// IsLinkEntry reports whether path is a link of a kind os.Lstat does not
// report as a symbolic link: there is none here (Windows has junctions).
func IsLinkEntry(string) bool { return false }

// platformReparseTag is 0: reparse points are Windows' own.
func platformReparseTag(string) (uint32, error) { return 0, nil }

// regularOpen reports whether the open file of stat st is a regular file.
func regularOpen(_ *os.File, st os.FileInfo) bool { return st.Mode().IsRegular() }
