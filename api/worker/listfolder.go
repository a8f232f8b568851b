package worker

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// FolderEntry is one entry of a folder as an upload of the folder lists
// it (ListFolder): a regular file it uploads, or an entry it skips, with
// why, so that `verify DIR` checks the very files `upload DIR` sends.
type FolderEntry struct {
	// Path is the entry's path under the folder's real path
	// (ListedFolder), as an upload's rows record it.
	Path string
	// Reason is why an upload skips the entry ("" for a regular file it
	// uploads), with its detail (ReasonArg), and Why the sentence the
	// upload says of it on the command line.
	Reason    ReasonCode
	ReasonArg string
	Why       string
}

// ListFolder calls fn with each regular file and each skipped entry of
// the folder at path, in the order and by the rules an upload of it
// lists them (sortEntry): path's symbolic link followed, none inside;
// the history's own data folder (db's) left out. Folders are listed
// into, not given; each empty one inside (no entry at all, and not one
// that could not be read) is given last, in the order met, as the upload
// says them (folderWalk.addEmptyDirs, causeEmptyDir): empty when listed,
// which may be long before they are given, after every file was given
// (and, for verify, read), so the caller looks again as it says one
// (EmptyNow); the folder itself, empty, is not given (the caller says it). Nothing is held but the entries of
// the folder being read and, per folder, its path and whether it has an
// entry, so a folder of any size streams. It returns fn's first error,
// or ctx's once ctx ends (nothing more is listed then): at once, also
// while a look at the disk hangs (a drive that stopped answering: see
// ListingLook), fn being called on the caller's goroutine all the same.
func ListFolder(ctx context.Context, db *storage.DB, path string, fn func(FolderEntry) error) error {
	root, ok := ListingLook(ctx, path, func() string { return ListedFolder(path) })
	if !ok {
		return ctx.Err()
	}
	w := &walk{ownData: statOrNil(filepath.Dir(db.Path())), indexPages: statOrNil(db.IndexPagesDir())}
	own, ok := w.inOwnData(ctx, root, false)
	if !ok {
		return ctx.Err()
	}
	if own {
		return fn(entryOf(root, causeOwnData))
	}
	isOwn := func(p string) bool { return isFolder(p, w.ownData) }
	var dirs []string             // the folders inside, in the order met
	notEmpty := map[string]bool{} // folders with an entry, or that could not be read
	err := walkDir(ctx, nil, root, func(p string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if p != root {
			notEmpty[filepath.Dir(p)] = true
		}
		if err != nil && (d == nil || d.IsDir()) {
			notEmpty[p] = true // said as a folder that could not be read
		}
		e, ok := ListingLook(ctx, p, func() listedEntry { return sortListed(p, d, err, root, isOwn) })
		if !ok {
			return ctx.Err()
		}
		if e.dir {
			if p != root {
				dirs = append(dirs, p)
			}
			return nil
		}
		if err := fn(entryOf(p, e.c)); err != nil {
			return err
		}
		return e.next
	})
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if notEmpty[dir] {
			continue
		}
		if err := fn(entryOf(dir, causeEmptyDir)); err != nil {
			return err
		}
	}
	return nil
}

// RootAt is what `verify` finds of a path it is given, before it lists
// anything (LookAtRoot): whether it is a folder, and, for one, the folder
// it leads to (ListedFolder), what stat says of that folder (nil when it
// cannot: ListFolder then says why) and its ID (FolderIDAt), which each
// file's folder is compared with as it is verified.
type RootAt struct {
	IsDir bool
	Root  string
	Info  os.FileInfo
	ID    string
}

// LookAtRoot is that look at path, off the calling goroutine (ListingLook),
// as ListFolder's own looks are: ok is false once ctx ended first (the
// first Ctrl+C), so a drive that stopped answering does not hold it.
func LookAtRoot(ctx context.Context, path string) (at RootAt, ok bool) {
	return ListingLook(ctx, path, func() RootAt {
		if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
			return RootAt{}
		}
		root := ListedFolder(path)
		info, _ := os.Stat(root) // nil: ListFolder says why
		return RootAt{IsDir: true, Root: root, Info: info, ID: FolderIDAt(root, info)}
	})
}

// EmptyNow reports whether the folder at dir, which a listing found
// empty (ListFolder), still holds no entry: one read of one entry, after
// the look (os.Lstat) that the walk takes at a folder before it lists it
// (sortEntryNow), so a folder swapped for a link or a file meanwhile is
// not empty. A folder gone holds nothing; one that cannot be read now is
// not known to be empty, so it is not (whatever it holds was not listed).
// Used by `verify DIR`, which says an empty folder only after reading
// every file, and by an upload, which says one once the whole folder is
// listed (folderWalk.listAgain, addEmptyDirs), so that a file put into
// one meanwhile is never passed over as "folder is empty".
func EmptyNow(dir string) bool {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return true
	}
	if err != nil || !fi.IsDir() {
		return false
	}
	f, err := os.Open(dir)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	defer func() { _ = f.Close() }() // read only
	_, err = f.Readdirnames(1)
	return errors.Is(err, io.EOF)
}

// MsgFilledSinceListed is what an upload and `verify DIR` say of a
// folder found empty that holds an entry when they say it (EmptyNow
// false), before what they did not do with what it holds.
const MsgFilledSinceListed = "this folder was empty when it was listed and is not now (or can no longer be read)"

// entryOf is the entry at p, skipped for c (none: a file uploaded).
func entryOf(p string, c cause) FolderEntry {
	return FolderEntry{Path: p, Reason: c.code, ReasonArg: c.arg, Why: c.text}
}
