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
	done := make(chan T, 1) // never blocks the goroutine
	var taker atomic.Int32
	go func() {
		res := look()
		if taker.CompareAndSwap(undecided, caller) {
			done <- res
		} else if drop != nil {
			drop(res)
		}
	}()
	select {
	case res = <-done:
		return res, true
	case <-stop:
	case <-ctx.Done():
	}
	if taker.CompareAndSwap(undecided, leftBehind) {
		return res, false
	}
	return <-done, true // look returned meanwhile: its send is under way
}
