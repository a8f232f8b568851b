// Package offlocal runs a look at the person's own files (a stat, an
// open, a read) on a goroutine of its own, so that what waits for it can
// give up: on a network share or a USB disk that stopped answering, or a
// OneDrive "online-only" file being fetched, the system call blocks for
// minutes or for good, and nothing in Go can interrupt it. The window's
// quit (ui) and the upload queue's Close and Cancel (api's upload body)
// give up this one way. Imports nothing of the project.
package offlocal

import "context"

// Until runs look on a goroutine of its own and returns what it returns;
// ok is false when stop is closed or ctx is done first (a nil stop leaves
// it to ctx alone), and the result is then dropped. The goroutine is then
// the one left behind: it ends when its system call returns (its result
// goes into a buffer nobody reads), or with the process. look must
// therefore touch nothing the caller closes, frees or reuses once it gave
// up: no lock, no widget, no database, no buffer given back to a pool.
func Until[T any](ctx context.Context, stop <-chan struct{}, look func() T) (res T, ok bool) {
	done := make(chan T, 1) // never blocks the goroutine
	go func() { done <- look() }()
	select {
	case res = <-done:
		return res, true
	case <-stop:
		return res, false
	case <-ctx.Done():
		return res, false
	}
}
