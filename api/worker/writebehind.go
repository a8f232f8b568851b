package worker

// writeBehind runs flush on a goroutine of its own each time it is woken,
// and once more when it is closed, so the goroutines that change what is
// to be written never wait for the disk. Wakes while flush runs coalesce
// into one more run: flush takes everything pending at the time it runs.
// The queue has two: the persister (job rows) and the walk saver (walk
// rows).
type writeBehind struct {
	flush func()
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
}

// newWriteBehind makes one; a signal before start is kept for it.
func newWriteBehind(flush func()) *writeBehind {
	return &writeBehind{flush: flush, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
}

// start starts the goroutine; close stops it.
func (w *writeBehind) start() { go w.run() }

func (w *writeBehind) run() {
	defer close(w.done)
	for {
		select {
		case <-w.wake:
			w.flush()
		case <-w.stop:
			w.flush()
			return
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

// close runs a last flush and waits for it. Call it once, after start.
func (w *writeBehind) close() {
	close(w.stop)
	<-w.done
}
