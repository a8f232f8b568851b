// Package linkchain follows the symbolic links on a path as opening it
// with O_CREATE does, to the file that open would write, there or not
// yet: the file a window's save writes, and the one the data folder's
// guard must judge, are both that file.
package linkchain

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// MaxLinks is how many symbolic links Follow follows in a row, as Linux
// does (MAXSYMLINKS) before it gives up on a path.
const MaxLinks = 40

// Target is where a create through a path lands.
type Target struct {
	// Chosen is the path given, in its folder where that really is.
	Chosen string
	// Dest is the file the symbolic link at Chosen (or a chain of them)
	// leads to, there or not yet; Chosen when that is no link.
	Dest string
}

// Follow is the Target of a create through path. A link into a folder
// that is not there is a *MissingFolderError; a chain of more than
// MaxLinks links fails with ELOOP.
func Follow(path string) (Target, error) {
	var t Target
	p := path
	for range MaxLinks {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if errors.Is(err, fs.ErrNotExist) && p != path {
			return t, &MissingFolderError{Link: path, Target: p}
		}
		if err != nil {
			return t, err
		}
		p = filepath.Join(dir, filepath.Base(p))
		if t.Chosen == "" {
			t.Chosen = p
		}
		to, err := os.Readlink(p)
		if err != nil {
			t.Dest = p // no link there: the file to write, or none yet
			return t, nil
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(dir, to)
		}
		p = to
	}
	return t, &fs.PathError{Op: "follow", Path: path, Err: syscall.ELOOP}
}

// MissingFolderError is a path, Link, that is a symbolic link to Target,
// in a folder that is not there: a save through it fails, and the window
// says where the link leads.
type MissingFolderError struct {
	Link, Target string
}

func (e *MissingFolderError) Error() string {
	return fmt.Sprintf("%s is a symbolic link to %s, in a folder that is not there (%s)", e.Link, e.Target, filepath.Dir(e.Target))
}
