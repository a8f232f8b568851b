package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
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

// DataFolderPlace is where a path lies for InDataFolder: whether writing
// to it could overwrite a file of the data folder, and why, so that the
// window says which (the folder picked, or the file picked).
type DataFolderPlace int

const (
	// OutsideDataFolder: writing to the path overwrites no file of the
	// data folder.
	OutsideDataFolder DataFolderPlace = iota
	// InsideDataFolder: the path's folder is the data folder or one of the
	// folders dStor Uploader keeps there.
	InsideDataFolder
	// LinkIntoDataFolder: the path is in another folder, but it is the same
	// file as one dStor Uploader keeps (a hard link, a symbolic link to it,
	// or the database or its journal where a link in the data folder leads).
	LinkIntoDataFolder
	// LinkToNewFileInDataFolder: the path is a symbolic link elsewhere (or
	// a chain of them) to a name in the data folder, or in a folder kept
	// there, where no file is yet: a save through it would make that file.
	LinkToNewFileInDataFolder
	// NewJournalBesideDatabase: the path is in the folder the database
	// really is in (the data folder's database is a link to it), under a
	// name SQLite gives a file it keeps beside the database (its -journal,
	// say), where no file is yet: a save would make a file SQLite could
	// take for the database's own.
	NewJournalBesideDatabase
)

// InDataFolder says whether writing to path could overwrite a file of d's
// data folder: the history database, its journal, a queue's lock, the
// Local sandbox's store or another file dStor Uploader keeps there. That
// is so when path is in the data folder or anywhere in the folders it
// keeps there (found by identity, through links), or when it names, from
// anywhere, the same file as one of those (a hard link). It is the one
// guard of every save the window makes to a file the person picks (an
// export, a QR code's PNG): opening the file truncates it.
//
// The database, or a folder dStor Uploader keeps, may be a link to one
// elsewhere (moved to a larger disk): what it leads to is guarded too, and
// so are the database's journal files beside it, where SQLite keeps them,
// also a name of one not there yet (NewJournalBesideDatabase).
func (d *DB) InDataFolder(path string) DataFolderPlace {
	dataDir := filepath.Dir(d.path)
	data, err := os.Stat(dataDir)
	if err != nil {
		return OutsideDataFolder
	}
	var own []os.FileInfo
	var ownRoots []string
	for _, name := range ownFolders {
		root := filepath.Join(dataDir, name)
		if r, err := filepath.EvalSymlinks(root); err == nil {
			root = r // walked where it really is
		}
		if fi, err := os.Stat(root); err == nil && fi.IsDir() {
			own = append(own, fi)
			ownRoots = append(ownRoots, root)
		}
	}
	// The database where it really is: a save into its folder under a name
	// of its journal (-wal, -shm, -journal), or onto one of them, is refused.
	realDB := d.path
	if p, err := filepath.EvalSymlinks(d.path); err == nil {
		realDB = p
	}
	dbDir, dbDirErr := os.Stat(filepath.Dir(realDB))
	// inside: p's folder is the data folder, or p is anywhere in a folder
	// kept there.
	inside := func(p string) bool {
		for dir := filepath.Dir(p); ; dir = filepath.Dir(dir) {
			if fi, err := os.Stat(dir); err == nil {
				if dir == filepath.Dir(p) && os.SameFile(fi, data) {
					return true
				}
				for _, o := range own {
					if os.SameFile(fi, o) {
						return true
					}
				}
			}
			if filepath.Dir(dir) == dir {
				return false
			}
		}
	}
	// journal: p is named as the database or its journal, in the folder
	// the database really is in.
	journal := func(p string) bool {
		fi, err := os.Stat(filepath.Dir(p))
		return err == nil && dbDirErr == nil && os.SameFile(fi, dbDir) && namedAsDBFile(filepath.Base(p), filepath.Base(realDB))
	}
	// The folder picked, through links, and then the file itself: a
	// symbolic link elsewhere that leads into the data folder.
	if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		path = filepath.Join(dir, filepath.Base(path))
	}
	if inside(path) {
		return InsideDataFolder
	}
	if journal(path) {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return NewJournalBesideDatabase
		}
		return LinkIntoDataFolder
	}
	if real, err := filepath.EvalSymlinks(path); err == nil && (inside(real) || journal(real)) {
		return LinkIntoDataFolder
	}
	if to, ok := linkToNothing(path); ok && (inside(to) || journal(to)) {
		return LinkToNewFileInDataFolder
	}
	target, err := os.Stat(path)
	if err != nil || !target.Mode().IsRegular() {
		return OutsideDataFolder
	}
	for _, suffix := range dbFileSuffixes {
		if fi, err := os.Stat(realDB + suffix); err == nil && os.SameFile(fi, target) {
			return LinkIntoDataFolder
		}
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
	for _, root := range ownRoots {
		if found {
			break
		}
		_ = filepath.WalkDir(root, same)
	}
	if found {
		return LinkIntoDataFolder
	}
	return OutsideDataFolder
}

// dbFileSuffixes are what SQLite adds to a database's name for the files
// it keeps beside it: none for the database, then its rollback journal,
// its write-ahead log and that log's shared memory. (A super-journal of a
// transaction over several databases is named "-mj" and more.)
var dbFileSuffixes = []string{"", "-journal", "-wal", "-shm"}

// namedAsDBFile reports whether name is the database's, db, or one SQLite
// gives a file it keeps beside it, letter case aside (a file system may
// not tell them apart): a file there under such a name is, or could be
// taken for, the database's own. Another name that begins with db's is
// not.
func namedAsDBFile(name, db string) bool {
	if len(name) < len(db) || !strings.EqualFold(name[:len(db)], db) {
		return false
	}
	rest := strings.ToLower(name[len(db):])
	return slices.Contains(dbFileSuffixes, rest) || strings.HasPrefix(rest, "-mj")
}

// linkToNothing is the file a save would make through path when path is a
// symbolic link, or a chain of them, that leads to no file yet: opening it
// with O_CREATE follows the link and makes that file (EvalSymlinks finds
// nothing there, and so does not say where). It reports false when path
// is no such link, or leads into a folder that is not there (the save
// fails).
func linkToNothing(path string) (string, bool) {
	t, err := linkchain.Follow(path)
	if err != nil || t.Dest == t.Chosen {
		return "", false
	}
	if _, err := os.Lstat(t.Dest); !errors.Is(err, fs.ErrNotExist) {
		return "", false // a file there, or none that can be made
	}
	return t.Dest, true
}
