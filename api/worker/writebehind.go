package worker

import "time"

// writeBehind runs flush on a goroutine of its own each time it is woken,
// and once more when it is closed, so the goroutines that change what is
// to be written never wait for the disk. Wakes while flush runs coalesce
// into one more run: flush takes everything pending at the time it runs.
// A flush that reports false (rows met a full disk and are still pending)
// is run again after retryEvery even if nothing wakes it; the last one, at
// close, is told it is final. The queue has two: the persister (job rows)
// and the walk saver (walk rows).
type writeBehind struct {
	flush      func(final bool) (done bool)
	retryEvery time.Duration
	gap        time.Duration // settle's least time between the starts of two rounds
	wake       chan struct{}
	hurry      chan struct{} // ends a settle early (hurryUp)
	stop       chan struct{}
	done       chan struct{}
}

// newWriteBehind makes one; a signal before start is kept for it.
func newWriteBehind(flush func(final bool) bool, retryEvery time.Duration) *writeBehind {
	return &writeBehind{flush: flush, retryEvery: retryEvery,
		wake: make(chan struct{}, 1), hurry: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// start starts the goroutine; close stops it.
func (w *writeBehind) start() { go w.run() }

func (w *writeBehind) run() {
	defer close(w.done)
	var retry <-chan time.Time
	for {
		select {
		case <-w.wake:
		case <-retry:
		case <-w.stop:
			w.flush(true)
			return
		}
		retry = nil
		if !w.flush(false) {
			retry = time.After(w.retryEvery)
		}
	}
}

// signal asks for a flush; it never blocks.
func (w *writeBehind) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// settle waits, after a round of flush that began at start, until gap has
// passed since then (or until close or hurryUp), so what arrives meanwhile
// is written in the next round together rather than in many small ones.
func (w *writeBehind) settle(start time.Time) {
	d := w.gap - time.Since(start)
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-w.hurry:
	case <-w.stop:
	}
}

// hurryUp ends the settle under way, or the next one, at once: nothing
// more is coming to gather (no upload runs), or what waits holds uploads
// back. It never blocks.
func (w *writeBehind) hurryUp() {
	select {
	case w.hurry <- struct{}{}:
	default:
	}
}

// close runs a last flush and waits for it. Call it once, after start.
func (w *writeBehind) close() {
	close(w.stop)
	<-w.done
}
