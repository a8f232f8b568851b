package ui

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
)

// lifecycle lets the App own every goroutine it starts and stop touching
// widgets once it is closed: do, goBg and sleep below, and Close.
type lifecycle struct {
	// uiMu serialises every UI change made from a goroutine (see do). The
	// real driver runs them all on one goroutine anyway; Fyne's test driver
	// runs fyne.Do inline on the calling goroutine, and this lock keeps that
	// race-free.
	uiMu sync.Mutex

	// Background goroutines: started by goBg, stopped by Close.
	bgMu    sync.Mutex
	closing bool
	closed  atomic.Bool
	wg      sync.WaitGroup
	// stop is closed by Close (endLife), for goroutines that wait in a
	// select; life is the context it belongs to, for what takes a
	// context (untilClose, a sign-in's request).
	stop    <-chan struct{}
	life    context.Context
	endLife context.CancelFunc
	// quitLooks is closed worker.ShareLookGrace after stop: the looks at
	// the disk that Close waits for and a drive that stopped answering
	// holds for good (the shares of the files kept for a sign-in) are
	// then given up.
	quitLooks chan struct{}

	// loop is the goroutine that runs Fyne's event loop, set by
	// showAndRun; 0 (tests, whose driver runs fyne.Do on the caller) means
	// any goroutine will do. See do.
	loop atomic.Uint64
}

// do runs f on the UI goroutine (fyne.Do). Every UI change made from a
// goroutine goes through here, so nothing touches widgets after Close.
// Once the event loop has ended, Fyne runs f on the caller's goroutine
// instead; f is then dropped even if stopUI has not run yet (Fyne's own
// SIGTERM handler can end the loop before the window's handler gets to
// stopUI, and the queue's updates in between ran off the UI thread).
func (a *lifecycle) do(f func()) {
	if a.closed.Load() {
		return
	}
	fyne.Do(func() {
		a.uiMu.Lock()
		defer a.uiMu.Unlock()
		if a.closed.Load() || !a.onLoop() {
			return
		}
		f()
	})
}

// runLoopHere records that the calling goroutine runs Fyne's event loop,
// so do can tell when the loop has ended (see do).
func (a *lifecycle) runLoopHere() { a.loop.Store(goroutineID()) }

// onLoop reports whether the caller may change widgets: it runs on the
// event loop's goroutine, or no loop was recorded (tests).
func (a *lifecycle) onLoop() bool {
	loop := a.loop.Load()
	return loop == 0 || loop == goroutineID()
}

// goroutineID is the number the runtime gives the calling goroutine in
// its stack traces ("goroutine 7 [running]:"). Go offers no other way to
// tell which goroutine runs a function, and Fyne tells its main goroutine
// apart the same way; 0 if the trace cannot be read.
func goroutineID() uint64 {
	var buf [64]byte
	s := bytes.TrimPrefix(buf[:runtime.Stack(buf[:], false)], []byte("goroutine "))
	end := bytes.IndexByte(s, ' ')
	if end < 0 {
		return 0
	}
	id, err := strconv.ParseUint(string(s[:end]), 10, 64)
	if err != nil {
		return 0
	}
	return id
}

// stopUI makes do run nothing from now on, before the event loop ends (a
// quit, a signal): once the loop has ended, fyne.Do runs its function on
// the caller's goroutine, off the UI thread, where every widget change is
// an error. Close does the rest. Safe from any goroutine, more than once.
func (a *lifecycle) stopUI() { a.closed.Store(true) }

// goBg runs f on a goroutine that Close waits for, so the App owns every
// goroutine it starts. It returns false (and does nothing) after Close.
func (a *lifecycle) goBg(f func()) bool {
	a.bgMu.Lock()
	if a.closing {
		a.bgMu.Unlock()
		return false
	}
	a.wg.Add(1)
	a.bgMu.Unlock()
	go func() {
		defer a.wg.Done()
		f()
	}()
	return true
}

// offLocal runs look, which looks at the person's own files (a stat, an
// open, a read), off the calling goroutine (offlocal.Until), and returns
// what it returns; ok is false when Close came first, or ctx was done
// first (a bound on the look, so what waits behind it need not wait
// longer), and the result is then dropped. Close waits for goBg's
// goroutines, but not for this one: on a drive that stopped answering its
// system call blocks for good, and waiting for it would hold the quit; a
// quit ends the process right after Close. look must therefore touch
// nothing Close needs or closes: no lock of the App's, no widget, not the
// history.
func offLocal[T any](ctx context.Context, a *lifecycle, look func() T) (res T, ok bool) {
	return offlocal.Until(ctx, a.stop, look)
}

// newLifecycle is the lifecycle of an App not yet closed.
func newLifecycle() *lifecycle {
	life, endLife := context.WithCancel(context.Background())
	return &lifecycle{stop: life.Done(), life: life, endLife: endLife, quitLooks: make(chan struct{})}
}

// untilClose is a context that Close cancels, for work a goroutine of
// goBg hands to what takes one (a wait for another program, a long
// delete), so that a quit does not wait for it; cancel releases it.
func (a *lifecycle) untilClose() (context.Context, context.CancelFunc) {
	return context.WithCancel(a.life)
}

// sleep waits d or until Close, reporting whether the full time passed.
func (a *lifecycle) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-a.stop:
		return false
	}
}

// errClosed is returned by background work that found the App closed.
var errClosed = errors.New("the window was closed")
