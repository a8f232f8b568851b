package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// saveReplacing writes a file at path through write, into a new file
// beside it that is renamed over path once whole: a save that fails
// part-way (a full disk, a drive unplugged, the file size limit, the
// history unreadable) leaves no half-written file, and the file it would
// have replaced as it was. The file gets the mode of the one it replaces,
// as a write in place kept it, else perm (under the umask). A symbolic
// link at path is followed, as opening it would: the file it leads to is
// replaced. Export… and a QR code's Save as PNG… save through it.
func saveReplacing(path string, perm os.FileMode, write func(io.Writer) error) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
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
