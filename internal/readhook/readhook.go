// Package readhook is where a test steps in while a file is read to be
// hashed (`cid` and `verify`: api.HashFile, api.FileCID) or uploaded (each
// block api.Client.Upload reads), to change the
// file as another program would — write to it, truncate it, replace or move
// it — at a known point of the read rather than in a race with the reader,
// as the Progress callback lets the upload's tests do; before a file to
// be uploaded is opened (BeforeOpen), to make the open hang as one of a
// file on a drive that stopped answering does; and where it learns when
// the upload closes the file it read (Closed), which must not happen
// while a read of it is still under way; before each look of a folder's
// listing at the disk (Listing), before the look that finds the folder
// share an added path makes (ShareLook), before the look that names a path
// given as the queue records it (PathLook), and before an upload looks at its
// file again once dStor answered (Answered), to make those looks hang. Nothing
// outside tests sets them;
// unset, each costs one atomic load per call. Imports nothing of the
// project.
package readhook

import "sync/atomic"

// afterRead is the function Set gave, nil when none.
var afterRead atomic.Pointer[func(path string, read int64)]

// Set makes fn run after each read of a file being hashed, with the path
// as it was named and the bytes read so far, until restore is called. One
// at a time: tests that set it do not run in parallel with others that
// hash files.
func Set(fn func(path string, read int64)) (restore func()) {
	old := afterRead.Swap(&fn)
	return func() { afterRead.Store(old) }
}

// AfterRead calls the function Set gave, if any: the reader of a file
// being hashed calls it after each read that got bytes.
func AfterRead(path string, read int64) {
	if fn := afterRead.Load(); fn != nil {
		(*fn)(path, read)
	}
}

// closed is the hook SetClosed sets.
var closed pathHook

// SetClosed makes fn run each time an upload closes the file it read,
// with the path as it was named, until restore is called: a test then
// knows the file is no longer open without guessing from outside, the
// same way on every system. Same rule as Set: one at a time.
func SetClosed(fn func(path string)) (restore func()) {
	return closed.set(fn)
}

// Closed calls the function SetClosed gave, if any: an upload calls it
// once it closed the file it read.
func Closed(path string) {
	closed.call(path)
}

// beforeOpen is the hook SetOpen sets.
var beforeOpen pathHook

// SetOpen makes fn run before each open of a file to be uploaded (its
// checksum read, when one is expected, and each upload attempt), with the
// path as named, until restore is called: a test that blocks in fn stands
// for an open that a drive that stopped answering never answers. One at a
// time, as Set.
func SetOpen(fn func(path string)) (restore func()) {
	return beforeOpen.set(fn)
}

// BeforeOpen calls the function SetOpen gave, if any: the opener of a
// file to be uploaded calls it first.
func BeforeOpen(path string) {
	beforeOpen.call(path)
}

// listing is the hook SetListing sets.
var listing pathHook

// SetListing makes fn run before each look of a folder's listing at the
// disk (an upload's, and `verify DIR`'s): the look at an entry or a
// folder, and the read of a folder's entries, with the path looked at,
// until restore is called. A test that blocks in fn stands for a look
// that a drive that stopped answering mid-listing never answers. One at
// a time, as Set.
func SetListing(fn func(path string)) (restore func()) {
	return listing.set(fn)
}

// Listing calls the function SetListing gave, if any: a folder's listing
// calls it before it looks at path.
func Listing(path string) {
	listing.call(path)
}

// shareLook is the hook SetShareLook sets.
var shareLook pathHook

// SetShareLook makes fn run before the look at what an added path is, and
// where its links lead, that finds the folder share its saved request
// names (worker.ShareFolder: the queue's walk saver, and the window's
// files kept for a sign-in), with the path as added, until restore is
// called: a test that blocks in fn stands for a drive that stopped
// answering right then. One at a time, as Set.
func SetShareLook(fn func(path string)) (restore func()) {
	return shareLook.set(fn)
}

// ShareLook calls the function SetShareLook gave, if any: worker's
// ShareFolder calls it before it looks at path.
func ShareLook(path string) {
	shareLook.call(path)
}

// pathLook is the hook SetPathLook sets.
var pathLook pathHook

// SetPathLook makes fn run before the look that names a path as the
// queue records it (worker.RequestPath: absolute, a ".." after a link
// followed, and on Windows each name as spelled on disk): a path given to
// `upload`, a request the queue lists, a changed file `verify` looks up,
// with the path as given, until restore is called. That look is the
// system's own on Windows and often none at all on Linux: a test that
// blocks in fn stands, on both, for a drive that stopped answering right
// then. One at a time, as Set.
func SetPathLook(fn func(path string)) (restore func()) {
	return pathLook.set(fn)
}

// PathLook calls the function SetPathLook gave, if any: worker's
// RequestPath calls it before it looks at path.
func PathLook(path string) {
	pathLook.call(path)
}

// answered is the hook SetAnswered sets.
var answered pathHook

// SetAnswered makes fn run, once dStor answered for an upload, before the
// look whether the file is still the version sent (api's
// checkSameVersion), with the path as named, until restore is called: a
// test that blocks in fn stands for a drive that stopped answering right
// then. One at a time, as Set.
func SetAnswered(fn func(path string)) (restore func()) {
	return answered.set(fn)
}

// Answered calls the function SetAnswered gave, if any: an upload calls
// it once dStor answered, before it looks at the file again.
func Answered(path string) {
	answered.call(path)
}

// pathHook is one of the hooks a test sets with a function of the path
// looked at (SetClosed, SetOpen, SetListing, SetShareLook, SetPathLook,
// SetAnswered): unset, a call costs one atomic load.
type pathHook struct {
	fn atomic.Pointer[func(path string)]
}

// set makes fn the hook's function until restore is called.
func (h *pathHook) set(fn func(path string)) (restore func()) {
	old := h.fn.Swap(&fn)
	return func() { h.fn.Store(old) }
}

// call calls the hook's function, if any.
func (h *pathHook) call(path string) {
	if fn := h.fn.Load(); fn != nil {
		(*fn)(path)
	}
}
