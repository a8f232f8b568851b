// Package offlocal runs a look at the person's own files (a stat, an
// open, a read) on a goroutine of its own, so that what waits for it can
// give up: on a network share or a USB disk that stopped answering, or a
// OneDrive "online-only" file being fetched, the system call blocks for
// minutes or for good, and nothing in Go can interrupt it. The window's
// quit (ui) and the upload queue's Close and Cancel (api's upload body)
// give up this one way. Imports nothing of the project.
package offlocal

import (
	"context"
	"sync/atomic"
)

// Until runs look on a goroutine of its own and returns what it returns;
// ok is false when stop is closed or ctx is done first (a nil stop leaves
// it to ctx alone), and the result is then dropped. The goroutine is then
// the one left behind: it ends when its system call returns (its result
// goes into a buffer nobody reads), or with the process. look must
// therefore touch nothing the caller closes, frees or reuses once it gave
// up: no lock, no widget, no database, no buffer given back to a pool.
func Until[T any](ctx context.Context, stop <-chan struct{}, look func() T) (res T, ok bool) {
	return UntilOr(ctx, stop, look, nil)
}

// Until's result, once look returned: which side takes it.
const (
	undecided  int32 = iota
	caller           // the caller gets it (ok true)
	leftBehind       // the caller gave up: drop gets it
)

// UntilOr is Until for a look whose result holds something to give back,
// an open file above all: when the caller gave up first, the goroutine
// left behind calls drop (when not nil) with the result once look
// returns, so a file opened late is closed, not leaked (on Windows an
// open handle keeps the person from deleting or moving the file, for as
// long as the process lives). Exactly one of the caller and drop gets
// the result: a look that returned by the time the caller would give up
// is taken as in time (ok true).
func UntilOr[T any](ctx context.Context, stop <-chan struct{}, look func() T, drop func(T)) (res T, ok bool) {
	l := Start(look, drop)
	select {
	case res = <-l.Done():
		return res, true
	case <-stop:
	case <-ctx.Done():
	}
	return l.GiveUp()
}

// Look is a look running on a goroutine of its own (Start), for a caller
// that does more while it waits than Until's wait does: a folder's
// listing saves the files it found so far while a look at the next entry
// keeps it waiting, for good perhaps.
type Look[T any] struct {
	done  chan T // never blocks the goroutine
	taker atomic.Int32
	drop  func(T)
}

// Start runs look on a goroutine of its own. The caller either takes its
// result from Done, or gives up (GiveUp): then drop, when not nil, gets
// the result once look returns, as UntilOr's. The same rules as Until's
// hold for look.
func Start[T any](look func() T, drop func(T)) *Look[T] {
	l := &Look[T]{done: make(chan T, 1), drop: drop}
	go func() {
		res := look()
		if l.taker.CompareAndSwap(undecided, caller) {
			l.done <- res
		} else if l.drop != nil {
			l.drop(res)
		}
	}()
	return l
}

// Done delivers the look's result, once, when it returned: the caller
// that receives it has it, and must not give up after that.
func (l *Look[T]) Done() <-chan T { return l.done }

// GiveUp leaves the look behind: ok is false, and the result is drop's
// once it comes. A look that returned meanwhile is taken as in time: its
// result, and ok true. Called once at most, and not once Done delivered.
func (l *Look[T]) GiveUp() (res T, ok bool) {
	if l.taker.CompareAndSwap(undecided, leftBehind) {
		return res, false
	}
	return <-l.done, true // look returned meanwhile: its send is under way
}
