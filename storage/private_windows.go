package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows has no file modes: privacy is an access-control list. The data
// directory and the database files get a protected DACL (nothing inherited
// from the parent) that lets only the signed-in user and SYSTEM in, the
// Windows counterpart of modes 0700 and 0600. Files SQLite creates later
// (-wal, -shm) inherit the directory's entries. Changing a DACL never
// needs the file closed, unlike os.Chmod of a file SQLite holds open.

// makePrivateDir creates dir (and its parents) when missing, the last one
// with a private DACL. An existing directory keeps its DACL: it may be one
// the person chose and shares (under %LOCALAPPDATA% it is private already).
func makePrivateDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return err
	}
	sa, err := privateAttributes(true)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	err = windows.CreateDirectory(p, sa)
	if err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

// restrictToOwner replaces an existing file's DACL with the private one.
func restrictToOwner(path string) error {
	sd, err := privateSecurityDescriptor(false)
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return fmt.Errorf("read the private access list: %w", err)
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
	if err != nil {
		return &os.PathError{Op: "set the access list of", Path: path, Err: err}
	}
	return nil
}

// makePrivateFile makes the file at path, empty, with the private access
// list when it is missing, and leaves one that exists as it is: the
// counterpart of the mode 0600 filelock.Take gives a lock file it makes on
// Unix. Made by Take, a lock file (the upgrade's, a queue's) would inherit
// its folder's list, as private only as the data folder, which one the
// person chose (--home, DSTOR_UPLOADER_HOME) may not be; and Wine gives a
// new file none of its folder's.
func makePrivateFile(path string) error {
	sa, err := privateAttributes(false)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return &os.PathError{Op: "create", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		sa, windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if errors.Is(err, windows.ERROR_FILE_EXISTS) {
		return nil
	}
	if err != nil {
		return &os.PathError{Op: "create", Path: path, Err: err}
	}
	return windows.CloseHandle(h)
}

// privateAttributes are the security attributes that create a file or
// folder with the private access list (privateSecurityDescriptor).
func privateAttributes(inherit bool) (*windows.SecurityAttributes, error) {
	sd, err := privateSecurityDescriptor(inherit)
	if err != nil {
		return nil, err
	}
	sa := &windows.SecurityAttributes{SecurityDescriptor: sd}
	sa.Length = uint32(unsafe.Sizeof(*sa))
	return sa, nil
}

// privateSecurityDescriptor returns a protected DACL granting full control
// to the current user and SYSTEM only; inherit makes it the default of what
// is created inside a directory.
func privateSecurityDescriptor(inherit bool) (*windows.SECURITY_DESCRIPTOR, error) {
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("find the current Windows user: %w", err)
	}
	flags := ""
	if inherit {
		flags = "OICI"
	}
	sddl := fmt.Sprintf("D:P(A;%s;FA;;;%s)(A;%s;FA;;;SY)", flags, user.User.Sid.String(), flags)
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		return nil, fmt.Errorf("build the private access list: %w", err)
	}
	return sd, nil
}
