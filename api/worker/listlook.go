package worker

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// A folder's listing (an upload's walk, `verify DIR`'s ListFolder) looks
// at the disk for every entry: a stat, a read of a folder's entries, an
// open of a file. On a network share or a USB disk that stopped answering
// mid-listing, such a look blocks for good, and nothing in Go can
// interrupt it: it ran on the walker's goroutine, so the queue's Close
// (the window's quit, the CLI's Ctrl+C) waited for it, and Cancel all
// left "Listing folders…" for good, with every folder added after it
// never listed. Each look now runs off that goroutine, which gives up
// when the listing's ctx ends: the listing then ends as stopped (Close:
// its walk row stays, and the next queue lists what is left; Cancel all:
// its share says it was stopped before its end). What a look left behind
// finds once the drive answers is dropped; it touches nothing but the
// disk and what the listing never changes (paths, the FileInfo of the
// queue's own data folder), and ends when its system call returns, or
// with the process. While a look keeps an upload's listing waiting, the
// listing saves the files it found so far once they waited flushEvery
// (awaitLook, walk.saveDue), so their uploads start meanwhile and a crash
// loses none of them: a folder whose next entry hangs for good still
// uploads the files listed before it.

// ListingLook runs look, a look of a listing at path on the disk, off the
// calling goroutine (offlocal.Start, as offlocal.Until runs it); ok is
// false once ctx ended first, and the caller then stops listing.
// Exported for `verify DIR`, whose looks between the entries ListFolder
// gives it (is an empty folder still empty, is the folder still at its
// path) hang alike, and for `resume`'s look at whether the files of
// failed uploads are still there.
func ListingLook[T any](ctx context.Context, path string, look func() T) (res T, ok bool) {
	return awaitLook(ctx, nil, offlocal.Start(listingLook(path, look), nil))
}

// walkLook is ListingLook for the upload's listing w, until its ctx ends,
// saving meanwhile what it listed (awaitLook).
func walkLook[T any](w *walk, path string, look func() T) (res T, ok bool) {
	return awaitLook(w.ctx, w, offlocal.Start(listingLook(path, look), nil))
}

// listingLook is look at path, after the hook by which tests make it
// hang (readhook.Listing).
func listingLook[T any](path string, look func() T) func() T {
	return func() T {
		readhook.Listing(path)
		return look()
	}
}

// awaitLook waits for the result of l until ctx ends (ok false: l is
// left behind, as offlocal.Until leaves a look). Meanwhile, each time the
// rows the listing saving found are due to be saved (walk.saveDue; nil:
// a listing that saves nothing, ListFolder's), it saves them.
func awaitLook[T any](ctx context.Context, saving *walk, l *offlocal.Look[T]) (res T, ok bool) {
	for {
		select {
		case res = <-l.Done():
			return res, true
		case <-ctx.Done():
			return l.GiveUp()
		case <-saving.saveDue():
			saving.flush()
		}
	}
}

// listedEntryAt is what the look at one entry of a folder's upload found
// (lookEntry).
type listedEntryAt struct {
	e listedEntry
	// dir is the folder as it was just before the walk reads it, and
	// when (noteListed), for a folder listed into; its fi is nil when
	// not, or when it could not be looked at.
	dir listedDir
	// file, rootID and fileErr are api.ListedFile's, for a regular file.
	file    api.FileIdentity
	rootID  string
	fileErr error
}

// lookEntry is the one look of the upload of the folder f at its entry
// p (d and err as the walk gives them): what sortListed makes of it;
// for a folder listed into, the folder as it is now, just before the
// walk reads it; for a regular file, the file as the upload will open
// it (api.ListedFile: no link followed below the chosen folder). It
// reads only what the listing never changes (lookEntry may be left
// behind).
func (f *folderWalk) lookEntry(p string, d fs.DirEntry, err error) listedEntryAt {
	var at listedEntryAt
	at.e = sortListed(p, d, err, f.walkRoot, f.isOwnData)
	switch {
	case err != nil || at.e.c.code != "":
	case at.e.dir:
		at.dir = listedDirNow(p)
	default:
		at.file, at.rootID, at.fileErr = api.ListedFile(f.walkRoot, p)
	}
	return at
}

// listedDirNow is the directory p as it is now, and when it was looked at
// (noteListed): one lstat. Its identity is read now (os.SameFile with
// itself): on Windows, lstat leaves it to be read from the path at the
// first comparison, which would read the identity of whatever is at the
// path by then. Its fi is nil when p cannot be looked at.
func listedDirNow(p string) listedDir {
	at := time.Now()
	if fi, err := os.Lstat(p); err == nil && os.SameFile(fi, fi) {
		return listedDir{fi: fi, at: at}
	}
	return listedDir{}
}

// walkDir is filepath.WalkDir(root, fn) for a listing that ctx ends: the
// walk, its reads of folders and its looks at the root included, runs on
// a goroutine of its own (the lister), and fn on the caller's, each entry
// handed over and fn's answer handed back, so the walk goes exactly as
// filepath.WalkDir goes. While the lister waits for the disk, the rows
// the listing saving found are saved once due, as awaitLook saves them
// (nil: ListFolder's, which saves nothing). When ctx ends while the
// lister waits for the disk, walkDir returns ctx's error at once; the
// lister left behind, once its system call returns, is told to stop
// (fs.SkipAll) at the next entry and ends: it holds nothing of the
// caller's.
func walkDir(ctx context.Context, saving *walk, root string, fn fs.WalkDirFunc) error {
	type handed struct {
		p   string
		d   fs.DirEntry
		err error
	}
	entries, answers := make(chan handed), make(chan error)
	gaveUp, done := make(chan struct{}), make(chan error, 1)
	go func() {
		done <- filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			select {
			case entries <- handed{p, d, err}:
			case <-gaveUp:
				return fs.SkipAll
			}
			next := <-answers // fn answers each entry it was handed
			if next == nil && err == nil && d != nil && d.IsDir() {
				readhook.Listing(p) // WalkDir reads its entries next
			}
			return next
		})
	}()
	for {
		select {
		case h := <-entries:
			answers <- fn(h.p, h.d, h.err)
		case err := <-done:
			return err
		case <-ctx.Done():
			close(gaveUp)
			return ctx.Err()
		case <-saving.saveDue():
			saving.flush()
		}
	}
}
