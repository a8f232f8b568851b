//go:build !windows

package storage

import "os"

// linkNoReplace renames from to to unless a file of that name is there
// (an error that is fs.ErrExist then), by a hard link, which never
// replaces a file, then the remove of from; when from cannot be removed,
// the link goes too, so the file is in one place only.
func linkNoReplace(from, to string) error {
	if err := os.Link(from, to); err != nil {
		return err
	}
	if err := os.Remove(from); err != nil {
		_ = os.Remove(to)
		return err
	}
	return nil
}
