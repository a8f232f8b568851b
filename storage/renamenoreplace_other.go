//go:build !linux && !windows

package storage

// renameNoReplace renames from to to unless a file of that name is there
// (an error that is fs.ErrExist then), by a hard link (linkNoReplace), so
// two quits naming their files in the same second never replace each
// other's (os.Rename would).
func renameNoReplace(from, to string) error { return linkNoReplace(from, to) }
