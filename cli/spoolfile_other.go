//go:build !windows

package cli

import "os"

// newSpoolFile is a new temporary file for a spool that no process finds
// by name and none outlives this one: removed from its folder as soon as
// it is made (the open file stays usable), so a history killed mid-list
// (SIGPIPE from a pager quit on its first page, Ctrl+C) leaves no file.
func newSpoolFile() (*os.File, error) {
	f, err := os.CreateTemp("", "dstor-uploader-history-*.spool")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		_ = f.Close()
		_ = os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}
