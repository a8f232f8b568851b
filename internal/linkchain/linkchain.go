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
	"runtime"
	"strings"
	"syscall"
)

// MaxLinks is how many symbolic links Follow follows in a row, as Linux
// does (MAXSYMLINKS): one more and it gives up on a path.
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
	for range MaxLinks + 1 { // the path, then each link's target
		parent, name := Split(p)
		dir, err := filepath.EvalSymlinks(parent)
		if errors.Is(err, fs.ErrNotExist) && p != path {
			return t, &MissingFolderError{Link: path, Target: p}
		}
		if err != nil {
			return t, err
		}
		p = filepath.Join(dir, name)
		if t.Chosen == "" {
			t.Chosen = p
		}
		to, err := os.Readlink(p)
		if err != nil {
			t.Dest = p // no link there: the file to write, or none yet
			return t, nil
		}
		if !filepath.IsAbs(to) {
			to = Join(dir, to)
		}
		p = to
	}
	return t, &fs.PathError{Op: "follow", Path: path, Err: syscall.ELOOP}
}

// Split is p's folder and name, as the system reads p: filepath.Dir and
// Base where cleaning p moves nothing (see cleanable), else p cut at its
// last "/", so a ".." after a link is still read where the link leads.
// Callers walking up a path that may hold such a ".." (a link's target)
// use it in place of Dir.
func Split(p string) (dir, name string) {
	if cleanable(p) {
		return filepath.Dir(p), filepath.Base(p)
	}
	i := strings.LastIndexByte(p, '/')
	return p[:i], p[i+1:] // "/" in it, after a name
}

// Join is the path of a link's relative target to, read from dir (the
// link's folder where it really is, no link on its way), as the system
// reads it: cleaned only where that moves nothing (see cleanable). Every
// reader of a link's target uses it, so all read it as Follow does.
func Join(dir, to string) string {
	if cleanable(to) {
		return filepath.Join(dir, to)
	}
	return dir + "/" + to
}

// cleanable reports whether cleaning p (filepath.Clean) leaves where it
// leads as it is: on Unix, unless a ".." follows a name, which the system
// reads in the folder that name leads to when it is a symbolic link
// ("sub/../x.txt" is not "x.txt" then: it is x.txt beside where sub
// leads), and EvalSymlinks too, given p uncleaned. Windows takes ".."
// out of a path given with the name before it, as Clean does; but in a
// relative link's target it follows a symbolic link (not a junction)
// before a ".." after it, which Follow, cleaning there too, does not.
func cleanable(p string) bool {
	if runtime.GOOS == "windows" {
		return true
	}
	named := false
	for _, part := range strings.Split(p, "/") {
		switch part {
		case "", ".":
		case "..":
			if named {
				return false
			}
		default:
			named = true
		}
	}
	return true
}

// MissingFolderError is a path, Link, that is a symbolic link to Target,
// in a folder that is not there: a save through it fails, and the window
// says where the link leads.
type MissingFolderError struct {
	Link, Target string
}

func (e *MissingFolderError) Error() string {
	return fmt.Sprintf("%s is a symbolic link to %s, in a folder that is not there (%s)", e.Link, e.Target, e.Folder())
}

// Folder is the folder of Target that is not there, as the system reads
// Target (Split): a ".." after a link in it is kept ("sub/.."), not
// cleaned away to name a folder that is there. The window names it too.
func (e *MissingFolderError) Folder() string {
	dir, _ := Split(e.Target)
	return dir
}
