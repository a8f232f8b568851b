package storage

import (
	"io/fs"
	"os"
	"path/filepath"
)

// The folders dStor Uploader keeps beside the history database in its data
// folder. InDataFolder guards them at any depth; any other folder under a
// data folder given with --home (the person's home folder, say) is the
// person's own.
const (
	LocksFolder      = "locks"       // the queues' lock files (LockQueue)
	IndexPagesFolder = "index-pages" // the index pages the window makes (IndexPagesDir)
	ThumbnailsFolder = "thumbnails"  // the window's thumbnails of pictures
	SandboxFolder    = "sandbox"     // the window's Local sandbox's store
)

// ownFolders are the folders InDataFolder guards at any depth.
var ownFolders = []string{LocksFolder, IndexPagesFolder, ThumbnailsFolder, SandboxFolder}

// InDataFolder reports whether writing to path could overwrite a file of
// d's data folder: the history database, its journal, a queue's lock, the
// Local sandbox's store or another file dStor Uploader keeps there. That
// is so when path is in the data folder or anywhere in the folders it
// keeps there (found by identity, through links), or when it names, from
// anywhere, the same file as one of those (a hard link). It is the one
// guard of every save the window makes to a file the person picks (an
// export, a QR code's PNG): opening the file truncates it.
func (d *DB) InDataFolder(path string) bool {
	dataDir := filepath.Dir(d.path)
	data, err := os.Stat(dataDir)
	if err != nil {
		return false
	}
	var own []os.FileInfo
	for _, name := range ownFolders {
		if fi, err := os.Stat(filepath.Join(dataDir, name)); err == nil && fi.IsDir() {
			own = append(own, fi)
		}
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	} else if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(dir, filepath.Base(path)) // a new file
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(dir); err == nil {
			if dir == filepath.Dir(path) && os.SameFile(fi, data) {
				return true
			}
			for _, o := range own {
				if os.SameFile(fi, o) {
					return true
				}
			}
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	target, err := os.Stat(path)
	if err != nil || !target.Mode().IsRegular() {
		return false
	}
	found := false
	same := func(p string, e fs.DirEntry, err error) error {
		if err != nil || !e.Type().IsRegular() {
			return nil // a folder that cannot be listed holds nothing to compare
		}
		// os.Stat, not the entry's Info: on Windows that names no file
		// os.SameFile can open, and its size is the listing's, which NTFS
		// does not update for another link of a file being written.
		if fi, err := os.Stat(p); err == nil && os.SameFile(fi, target) {
			found = true
			return fs.SkipAll
		}
		return nil
	}
	entries, _ := os.ReadDir(dataDir)
	for _, e := range entries {
		if found {
			break
		}
		_ = same(filepath.Join(dataDir, e.Name()), e, nil)
	}
	for _, name := range ownFolders {
		if found {
			break
		}
		_ = filepath.WalkDir(filepath.Join(dataDir, name), same)
	}
	return found
}
