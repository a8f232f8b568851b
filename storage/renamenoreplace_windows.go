package storage

import (
	"os"

	"golang.org/x/sys/windows"
)

// renameNoReplace renames from to to unless a file of that name is there
// (an error that is fs.ErrExist then): MoveFileEx without
// MOVEFILE_REPLACE_EXISTING, one step, so two quits naming their files
// in the same second never replace each other's (os.Rename would).
func renameNoReplace(from, to string) error {
	f, err := longPathPtr(from)
	if err != nil {
		return err
	}
	t, err := longPathPtr(to)
	if err != nil {
		return err
	}
	if err := windows.MoveFileEx(f, t, windows.MOVEFILE_WRITE_THROUGH); err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}
