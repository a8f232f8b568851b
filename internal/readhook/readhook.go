// Package readhook is where a test steps in while a file is read to be
// hashed (`cid` and `verify`: api.HashFile, api.FileCID) or uploaded (each
// block api.Client.Upload reads), to change the
// file as another program would — write to it, truncate it, replace or move
// it — at a known point of the read rather than in a race with the reader,
// as the Progress callback lets the upload's tests do; before a file to
// be uploaded is opened (BeforeOpen), to make the open hang as one of a
// file on a drive that stopped answering does; and where it learns when
// the upload closes the file it read (Closed), which must not happen
// while a read of it is still under way. Nothing outside tests sets them;
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

// closed is the function SetClosed gave, nil when none.
var closed atomic.Pointer[func(path string)]

// SetClosed makes fn run each time an upload closes the file it read,
// with the path as it was named, until restore is called: a test then
// knows the file is no longer open without guessing from outside, the
// same way on every system. Same rule as Set: one at a time.
func SetClosed(fn func(path string)) (restore func()) {
	old := closed.Swap(&fn)
	return func() { closed.Store(old) }
}

// Closed calls the function SetClosed gave, if any: an upload calls it
// once it closed the file it read.
func Closed(path string) {
	if fn := closed.Load(); fn != nil {
		(*fn)(path)
	}
}

// beforeOpen is the function SetOpen gave, nil when none.
var beforeOpen atomic.Pointer[func(path string)]

// SetOpen makes fn run before each open of a file to be uploaded (its
// checksum read, when one is expected, and each upload attempt), with the
// path as named, until restore is called: a test that blocks in fn stands
// for an open that a drive that stopped answering never answers. One at a
// time, as Set.
func SetOpen(fn func(path string)) (restore func()) {
	old := beforeOpen.Swap(&fn)
	return func() { beforeOpen.Store(old) }
}

// BeforeOpen calls the function SetOpen gave, if any: the opener of a
// file to be uploaded calls it first.
func BeforeOpen(path string) {
	if fn := beforeOpen.Load(); fn != nil {
		(*fn)(path)
	}
}
