package ui

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// queueLoop is a loopApp whose fyne.Do and fyne.DoAndWait behave as
// Fyne's GLFW driver's do, where the test driver's run every function in
// place: a function is queued and run on the loop (Run's goroutine, the
// main one), and once the loop has ended, one queued meanwhile is dropped
// unrun and a later one runs in place, on the caller's goroutine. Its
// fields set the order of events Fyne leaves to chance.
type queueLoop struct {
	*loopApp
	// beforeFirst runs on the loop just before the first function queued,
	// as an event (a tap) the loop took first.
	beforeFirst func()
	// afterFirst runs on the loop just after the first function queued,
	// as the person's next event (a tap).
	afterFirst func()
	// runAfterQuit runs the first function queued when the loop ended
	// after all, as Fyne's loop may (its select picks at random).
	runAfterQuit bool
	// holdForLate keeps Run from returning, once the loop ended, until a
	// function is given after that: Fyne's Run returns a while after its
	// loop has ended (it waits for its lifecycle events).
	holdForLate bool
	// loseLate and panicLate make a function given once the loop has ended
	// go as Fyne 2.8.1's may when it is given just as the loop closes its
	// queue: lost (never run, and DoAndWait never returns), or a panic of
	// the send on the closed queue, in place of running it in place.
	loseLate, panicLate bool
	// menu is the tray's menu (desktop.App).
	menu *fyne.Menu

	stop    chan struct{} // closed as the test ends: what a lost DoAndWait waits for
	mu      sync.Mutex
	queue   chan queuedFunc
	drained chan struct{} // closed once the loop has ended
	late    chan struct{} // closed once a function ran in place after the end
	lateOne sync.Once
	onLoop  atomic.Bool // a queued function runs on the loop
}

// queuedFunc is a function given to the loop, and closed once it ran (or
// was dropped).
type queuedFunc struct {
	f    func()
	done chan struct{}
}

// newQueueLoop is a queueLoop made the current app (fyne.Do's) for t.
func newQueueLoop(t *testing.T) *queueLoop {
	q := &queueLoop{loopApp: newLoopApp(t), queue: make(chan queuedFunc, 64), drained: make(chan struct{}), late: make(chan struct{}), stop: make(chan struct{})}
	fyne.SetCurrentApp(q)
	t.Cleanup(func() {
		close(q.stop)
		fyne.SetCurrentApp(q.loopApp.App)
	})
	return q
}

func (q *queueLoop) Driver() fyne.Driver { return queueDriver{Driver: q.loopApp.Driver(), loop: q} }

func (q *queueLoop) SetSystemTrayMenu(m *fyne.Menu)  { q.menu = m }
func (q *queueLoop) SetSystemTrayIcon(fyne.Resource) {}
func (q *queueLoop) SetSystemTrayWindow(fyne.Window) {}

// Run runs the queued functions in order on the calling goroutine until
// Quit, then ends as beforeFirst, runAfterQuit and holdForLate say.
func (q *queueLoop) Run() {
	first := true
	for {
		select {
		case <-q.ended:
			q.end()
			return
		default:
		}
		select {
		case <-q.ended:
			q.end()
			return
		case f := <-q.queue:
			if first && q.beforeFirst != nil {
				q.beforeFirst()
			}
			if !q.quitCalled() || q.runAfterQuit {
				q.run(f)
			} else {
				close(f.done) // dropped, as Fyne's drain does
			}
			if first && q.afterFirst != nil {
				q.afterFirst()
			}
			first = false
		}
	}
}

// quitCalled reports whether Quit was called.
func (q *queueLoop) quitCalled() bool {
	select {
	case <-q.ended:
		return true
	default:
		return false
	}
}

func (q *queueLoop) run(f queuedFunc) {
	q.onLoop.Store(true)
	f.f()
	q.onLoop.Store(false)
	close(f.done)
}

// end drops what is queued, as Fyne's loop does as it ends, and waits
// for a late function when holdForLate says so.
func (q *queueLoop) end() {
	q.mu.Lock()
	for len(q.queue) > 0 {
		close((<-q.queue).done)
	}
	close(q.drained)
	q.mu.Unlock()
	if !q.holdForLate {
		return
	}
	select {
	case <-q.late:
	case <-time.After(time.Minute): // a bound on a hang, not a wait for an event
		panic("no function was given after the loop ended")
	}
}

// queueDriver is the test driver with queueLoop's DoFromGoroutine.
type queueDriver struct {
	fyne.Driver
	loop *queueLoop
}

func (d queueDriver) DoFromGoroutine(f func(), wait bool) {
	q := d.loop
	q.mu.Lock()
	select {
	case <-q.drained:
		q.mu.Unlock()
		q.giveLate(f, wait)
		return
	default:
	}
	done := make(chan struct{})
	q.queue <- queuedFunc{f: f, done: done}
	q.mu.Unlock()
	if wait {
		<-done
	}
}

// Quit ends the loop, as the GLFW driver's Quit does (Fyne's signal
// handler calls it); the test driver's does nothing.
func (d queueDriver) Quit() { d.loop.Quit() }

// giveLate is f given once the loop has ended: run in place, as Fyne's
// driver runs it then, or lost or a panic (loseLate, panicLate).
func (q *queueLoop) giveLate(f func(), wait bool) {
	ended := func() { q.lateOne.Do(func() { close(q.late) }) }
	switch {
	case q.panicLate:
		ended()
		closed := make(chan queuedFunc, 1)
		close(closed)
		closed <- queuedFunc{f: f} // the runtime's panic, as Fyne's send on its closed queue
	case q.loseLate:
		ended()
		if wait {
			<-q.stop // never released while the test runs
		}
	default:
		f() // in place, as Fyne's driver runs it once its loop has ended
		ended()
	}
}

// TestQuitAsTheHistoryOpensEndsOneWay: the person pressed Quit in the
// waiting window of a launch with files (and said Quit to "Quit without
// the files?") as the history opened. Fyne's loop may then run the
// window's start after the Quit, as it ends, or, when the open comes
// once the loop has ended but before Run returns, run it in place, off
// the loop: the app was built all the same (off the main goroutine in
// the second case) with the files the person was told would not be
// added, and Run returned it, exit 0, nothing said. Exactly one now
// happens: the Quit (no app, the history closed, the files named) or,
// when the open came first, the app, built on the loop.
func TestQuitAsTheHistoryOpensEndsOneWay(t *testing.T) {
	files := []string{"/nas/report.pdf"}
	quitWithFiles := func(t *testing.T, fa *queueLoop) {
		tapWindowButton(t, fa.loopApp, "Quit")
		tapWindowButton(t, fa.loopApp, "Quit") // "Quit without the files?"
	}
	for _, c := range []struct {
		name     string
		order    func(t *testing.T, fa *queueLoop, ready *func(context.Context) openedHistory)
		quitWins bool
	}{
		{"the Quit is taken just before the start, which the loop then drops", func(t *testing.T, fa *queueLoop, _ *func(context.Context) openedHistory) {
			fa.beforeFirst = func() { quitWithFiles(t, fa) }
		}, true},
		{"the Quit is taken just before the start, which the loop then runs as it ends", func(t *testing.T, fa *queueLoop, _ *func(context.Context) openedHistory) {
			fa.beforeFirst = func() { quitWithFiles(t, fa) }
			fa.runAfterQuit = true
		}, true},
		{"the history opens once the loop has ended, before Run returns", func(t *testing.T, fa *queueLoop, ready *func(context.Context) openedHistory) {
			fa.holdForLate = true
			open := *ready
			*ready = func(ctx context.Context) openedHistory {
				fyne.DoAndWait(func() { quitWithFiles(t, fa) })
				<-fa.drained
				return open(ctx)
			}
		}, true},
		{"the start is taken before a Quit", func(t *testing.T, fa *queueLoop, _ *func(context.Context) openedHistory) {}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			opened, err := storage.Open(dir)
			require.NoError(t, err)
			fa := newQueueLoop(t)
			w := newWaitingWindow(fa, dir, files)
			ready := func(context.Context) openedHistory { return openedHistory{db: opened} }
			c.order(t, fa, &ready)
			var started, offLoop bool
			a, db, err := runWaiting(fa, dir, w, ready, func(db *storage.DB) *App {
				started, offLoop = true, !fa.onLoop.Load()
				a := NewApp(fa, Deps{DB: db, Secrets: storage.NewMemorySecretStore(), Home: dir, NoAutoSignIn: true})
				if !c.quitWins {
					fa.Quit() // the person quits the app's window later
				}
				return a
			}, true)
			if a != nil {
				t.Cleanup(a.Close)
			}
			assert.False(t, offLoop, "the app was built off the loop")
			if c.quitWins {
				assert.False(t, started, "the app started after the person quit")
				assert.True(t, a == nil, "no app")
				assert.True(t, db == nil, "no history")
				var notQueued *filesNotQueuedError
				require.ErrorAs(t, err, &notQueued, "the files not added are said (exit 1)")
				assert.Equal(t, files, notQueued.paths)
				_, err = opened.SchemaVersion()
				require.Error(t, err, "the history opened meanwhile is closed")
				return
			}
			require.NoError(t, err)
			assert.True(t, started)
			require.NotNil(t, a)
			assert.Same(t, opened, db)
			require.NoError(t, db.Close())
		})
	}
}
