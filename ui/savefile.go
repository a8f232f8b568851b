package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
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
	removeStaleParts(filepath.Dir(path))
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

// The name of the file a save writes before it is put in place:
// partPrefix, a number new for each save, partSuffix.
const (
	partPrefix = ".dstor-uploader-"
	partSuffix = ".part"
)

// partStaleAfter is how long a save's part is not written to before a
// later save takes it for one a kill or a crash left: a save under way
// writes to it all along (an export of a million uploads takes seconds).
const partStaleAfter = time.Hour

// removeStaleParts removes from dir the parts of earlier saves that were
// not put in place (the app was killed mid-save) and are stale: regular
// files named as createPart names them, not written to for partStaleAfter.
// Any other file is left alone, and so is a part it cannot remove.
func removeStaleParts(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // the save says what is wrong with dir
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !isPartName(e.Name()) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > partStaleAfter {
			_ = os.Remove(p)
		}
	}
}

// isPartName reports whether name is one createPart gives.
func isPartName(name string) bool {
	n, ok := strings.CutPrefix(name, partPrefix)
	if !ok {
		return false
	}
	if n, ok = strings.CutSuffix(n, partSuffix); !ok {
		return false
	}
	_, err := strconv.ParseUint(n, 10, 64) // digits only: no sign, no _
	return err == nil
}

// createPart creates a new file in dir, named .dstor-uploader-N.part, with
// mode perm under the umask (os.CreateTemp's is always 0600).
func createPart(dir string, perm os.FileMode) (*os.File, error) {
	for {
		name := filepath.Join(dir, partPrefix+strconv.FormatUint(rand.Uint64(), 10)+partSuffix)
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}
