//go:build !unix && !windows

package api

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// openShared opens the file at path for reading (links followed).
func openShared(path string) (*os.File, error) { return os.Open(path) }

// openBeneath opens root/rel for reading without following a symbolic link
// at any component of rel: each component is checked with Lstat, then the
// file is opened and must be the one the last Lstat saw. A platform file
// (open_<os>.go) can replace this with the system's own no-follow open and
// add the platform's own kinds of links (junctions, reparse points).
// rootID is always "": nothing here names a folder (see FolderID).
func openBeneath(root, rel string) (*os.File, string, error) {
	f, err := openBeneathByPath(root, rel)
	return f, "", err
}

// FolderID would be the ID of the folder path leads to; here files have
// no ID (see identityOf), so it is always "", and a folder walk looks at
// the chosen folder's path instead.
func FolderID(string) (string, error) { return "", nil }

// openBeneathByPath is openBeneath's open, by path.
func openBeneathByPath(root, rel string) (*os.File, error) {
	p := root
	parts := strings.Split(filepath.ToSlash(rel), "/")
	var last os.FileInfo
	for _, name := range parts {
		if name == "" || name == "." || name == ".." {
			return nil, fmt.Errorf("%w: %q", errSymlinkBelow, rel)
		}
		p = filepath.Join(p, name)
		st, err := os.Lstat(p)
		if err != nil {
			return nil, err
		}
		if st.Mode()&os.ModeSymlink != 0 {
			return nil, errSymlinkBelow
		}
		last = st
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !os.SameFile(st, last) {
		_ = f.Close()
		return nil, errSymlinkBelow
	}
	return f, nil
}
