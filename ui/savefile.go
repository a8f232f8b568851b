package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
)

// saveReplacing writes a file at path through write, into a new file
// beside it that is renamed over path once whole: a save that fails
// part-way (a full disk, a drive unplugged, the file size limit, the
// history unreadable) leaves no half-written file, and the file it would
// have replaced as it was. The file gets the mode of the one it replaces,
// as a write in place kept it, else perm (under the umask). A symbolic
// link at path is followed, as opening it would: the file it leads to is
// replaced, or made (saveDestination), and the link stays. Export… and a
// QR code's Save as PNG… save through it.
func saveReplacing(path string, perm os.FileMode, write func(io.Writer) error) error {
	path, err := saveDestination(path)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	f, err := createPart(filepath.Dir(path), perm)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	if old, serr := os.Stat(path); serr == nil && old.Mode().IsRegular() {
		err = f.Chmod(old.Mode().Perm())
	}
	if err == nil {
		err = write(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("save %s: %w", path, err)
	}
	return nil
}

// maxSaveLinks is how many symbolic links saveDestination follows in a
// row, as Linux does (MAXSYMLINKS) before it gives up on a path.
const maxSaveLinks = 40

// saveDestination is the file a save to path writes: path in its folder
// where that really is, and when path is a symbolic link (or a chain of
// them), the file it leads to, there or not yet, as opening path with
// O_CREATE would write. A link into a folder that is not there is a
// *linkToMissingFolderError.
func saveDestination(path string) (string, error) {
	p := path
	for range maxSaveLinks {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if errors.Is(err, fs.ErrNotExist) && p != path {
			return "", &linkToMissingFolderError{Link: path, Target: p}
		}
		if err != nil {
			return "", err
		}
		p = filepath.Join(dir, filepath.Base(p))
		to, err := os.Readlink(p)
		if err != nil {
			return p, nil // no link there: the file to write, or none yet
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(dir, to)
		}
		p = to
	}
	return "", &fs.PathError{Op: "follow", Path: path, Err: syscall.ELOOP}
}

// linkToMissingFolderError: a save's destination, Link, is a symbolic link
// to Target, in a folder that is not there.
type linkToMissingFolderError struct {
	Link, Target string
}

func (e *linkToMissingFolderError) Error() string {
	return fmt.Sprintf("%s is a symbolic link to %s, in a folder that is not there (%s)", e.Link, e.Target, filepath.Dir(e.Target))
}

// createPart creates a new file in dir, named .dstor-uploader-N.part, with
// mode perm under the umask (os.CreateTemp's is always 0600).
func createPart(dir string, perm os.FileMode) (*os.File, error) {
	for {
		name := filepath.Join(dir, fmt.Sprintf(".dstor-uploader-%d.part", rand.Uint64()))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}
