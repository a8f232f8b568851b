package ui

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// waitQuit is a way the person (or the system) quits the waiting window
// of a launch with files, run on the loop: it ends the loop.
type waitQuit struct {
	name string
	quit func(t *testing.T, fa *queueLoop, w *waitWindow)
}

// waitQuits are every way the waiting window is quit: its Quit, its X,
// the tray's Quit (each then "Quit" to "Quit without the files?"), and
// SIGTERM, which Fyne's own handler (here the test's, on the real
// signal) ends the loop on.
func waitQuits(t *testing.T) []waitQuit {
	confirm := func(t *testing.T, fa *queueLoop) { tapWindowButton(t, fa.loopApp, "Quit") }
	return []waitQuit{
		{"its Quit button", func(t *testing.T, fa *queueLoop, _ *waitWindow) {
			tapWindowButton(t, fa.loopApp, "Quit")
			confirm(t, fa)
		}},
		{"closing it (X)", func(t *testing.T, fa *queueLoop, w *waitWindow) {
			w.Window.(*loopWindow).closeByX()
			confirm(t, fa)
		}},
		{"the tray's Quit", func(t *testing.T, fa *queueLoop, _ *waitWindow) {
			require.NotNil(t, fa.menu, "a tray while it waits")
			i := slices.IndexFunc(fa.menu.Items, func(m *fyne.MenuItem) bool { return m.IsQuit })
			require.GreaterOrEqual(t, i, 0)
			fa.menu.Items[i].Action()
			confirm(t, fa)
		}},
		{"SIGTERM", func(t *testing.T, fa *queueLoop, _ *waitWindow) {
			sendSignal(t)
			fa.Driver().Quit() // Fyne's handler: fyne.Do(d.Quit)
		}},
	}
}

// sendSignal sends SIGTERM to the test process and returns once the
// test's handler, which stands for Fyne's, has it.
func sendSignal(t *testing.T) {
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGTERM)
	defer signal.Stop(caught)
	p, err := os.FindProcess(os.Getpid())
	require.NoError(t, err)
	require.NoError(t, p.Signal(syscall.SIGTERM))
	<-caught
}

// waitRun is a runWaiting under test: its loop, its window, and the
// function that brings the history, which an order may wrap.
type waitRun struct {
	fa    *queueLoop
	w     *waitWindow
	ready *func(context.Context) openedHistory
}

// waitOrder is an order of a quit against the start, set on a waitRun.
type waitOrder struct {
	name     string
	set      func(t *testing.T, r waitRun)
	quitWins bool
}

// waitOrders are every quit (waitQuits) in every order against the
// start that Fyne 2.8.1's loop leaves to chance, and the start first.
func waitOrders(t *testing.T) []waitOrder {
	// loopEndedThenOpen: the quit on the loop, then the history opens once
	// the loop has ended (its start given to the loop then).
	loopEndedThenOpen := func(q waitQuit) func(t *testing.T, r waitRun) {
		return func(t *testing.T, r waitRun) {
			r.fa.holdForLate = true
			open := *r.ready
			*r.ready = func(ctx context.Context) openedHistory {
				fyne.DoAndWait(func() { q.quit(t, r.fa, r.w) })
				<-r.fa.drained
				return open(ctx)
			}
		}
	}
	var orders []waitOrder
	for _, q := range waitQuits(t) {
		orders = append(orders,
			waitOrder{q.name + " just before the start, which the loop drops", func(t *testing.T, r waitRun) {
				r.fa.beforeFirst = func() { q.quit(t, r.fa, r.w) }
			}, true},
			waitOrder{q.name + " just before the start, which the loop runs as it ends", func(t *testing.T, r waitRun) {
				r.fa.beforeFirst = func() { q.quit(t, r.fa, r.w) }
				r.fa.runAfterQuit = true
			}, true},
			waitOrder{q.name + ", then the start runs in place once the loop has ended", loopEndedThenOpen(q), true},
			waitOrder{q.name + ", then the start is lost in the loop's closing queue", func(t *testing.T, r waitRun) {
				loopEndedThenOpen(q)(t, r)
				r.fa.loseLate = true
			}, true},
			waitOrder{q.name + ", then the start's send panics on the loop's closed queue", func(t *testing.T, r waitRun) {
				loopEndedThenOpen(q)(t, r)
				r.fa.panicLate = true
			}, true},
		)
	}
	return append(orders,
		waitOrder{"SIGTERM before the start, which the loop runs before Fyne's Quit", func(t *testing.T, r waitRun) {
			open := *r.ready
			*r.ready = func(ctx context.Context) openedHistory {
				sendSignal(t)
				return open(ctx)
			}
			r.fa.afterFirst = func() { r.fa.Driver().Quit() }
		}, true},
		waitOrder{"the start before any quit", func(*testing.T, waitRun) {}, false},
	)
}

// runWaitingBound is runWaiting, failing t when it has not returned
// within a minute (a hang: its loop has ended by then).
func runWaitingBound(t *testing.T, fa *queueLoop, dir string, w *waitWindow, ready func(context.Context) openedHistory, start func(*storage.DB) *App) ranAfterUpdate {
	t.Helper()
	ran := make(chan ranAfterUpdate, 1)
	go func() {
		a, db, err := runWaiting(fa, dir, w, ready, start, false)
		ran <- ranAfterUpdate{a, db, err}
	}()
	select {
	case r := <-ran:
		return r
	case <-time.After(time.Minute): // a bound on a hang, not a wait for an event
		require.FailNow(t, "runWaiting did not return once its loop had ended")
		return ranAfterUpdate{}
	}
}

// TestEveryQuitAsTheHistoryOpensEndsOneWay: each way of quitting the
// waiting window of a launch with files, in each order against the
// history opening that Fyne 2.8.1's loop leaves to chance, ends the wait
// one way: quit (no window built, the history closed, the files named:
// exit 1), or, when the open came first, the window, built on the loop.
// SIGTERM ended the loop through Fyne's own handler without marking the
// wait quit, so an open then run in place (once the loop has ended,
// before Run returns) or on the loop before Fyne's Quit built the window
// anyway, off the loop in the first case; and a start given to the loop
// just as it closes its queue was lost (runWaiting hung) or panicked.
func TestEveryQuitAsTheHistoryOpensEndsOneWay(t *testing.T) {
	files := []string{"/nas/report.pdf"}
	for _, o := range waitOrders(t) {
		t.Run(o.name, func(t *testing.T) {
			dir := t.TempDir()
			opened, err := storage.Open(dir)
			require.NoError(t, err)
			fa := newQueueLoop(t)
			w := newWaitingWindow(fa, dir, files)
			ready := func(context.Context) openedHistory { return openedHistory{db: opened} }
			o.set(t, waitRun{fa, w, &ready})
			var started, offLoop bool
			r := runWaitingBound(t, fa, dir, w, ready, func(db *storage.DB) *App {
				started, offLoop = true, !fa.onLoop.Load()
				a := NewApp(fa, Deps{DB: db, Secrets: storage.NewMemorySecretStore(), Home: dir, NoAutoSignIn: true})
				fa.Quit() // the person quits the app's window later
				return a
			})
			if r.a != nil {
				t.Cleanup(r.a.Close)
			}
			assert.False(t, offLoop, "the app was built off the loop")
			if o.quitWins {
				assert.False(t, started, "the app started after the person quit")
				assert.True(t, r.a == nil, "no app")
				assert.True(t, r.db == nil, "no history")
				var notQueued *filesNotQueuedError
				require.ErrorAs(t, r.err, &notQueued, "the files not added are said (exit 1)")
				assert.Equal(t, files, notQueued.paths)
				_, err = opened.SchemaVersion()
				require.Error(t, err, "the history opened meanwhile is closed")
				return
			}
			require.NoError(t, r.err)
			assert.True(t, started)
			require.NotNil(t, r.a)
			assert.Same(t, opened, r.db)
			require.NoError(t, r.db.Close())
		})
	}
}

// TestEveryQuitAsTheUpdateIsRefusedNamesTheFiles: the person quit the
// waiting window of a launch with files, told "they are not added: open
// them again", as this process's own update of the history was refused
// (an older version still uses the data folder). The refusal was shown
// nowhere, as it should not be once quit, but the command line said only
// the refusal: the files were not named, where README promises they are
// "even when the update ends as it quits". Both are said now (exit 1). A
// refusal that came first is shown in the window, and said alone, as
// README says.
func TestEveryQuitAsTheUpdateIsRefusedNamesTheFiles(t *testing.T) {
	files := []string{"/nas/report.pdf"}
	refusal := &storage.OlderVersionRunningError{Dir: "/h/d", Lock: "/h/d/window.lock", Have: 19}
	for _, o := range waitOrders(t) {
		t.Run(o.name, func(t *testing.T) {
			fa := newQueueLoop(t)
			w := newWaitingWindow(fa, "/h/d", files)
			ready := func(context.Context) openedHistory { return openedHistory{err: refusal} }
			o.set(t, waitRun{fa, w, &ready})
			var shown bool
			if !o.quitWins {
				fa.afterFirst = func() { // the refusal in the window's place: the person closes it
					shown = slices.Contains(windowLabels(fa), humanError(refusal))
					tapWindowButton(t, fa.loopApp, "Close")
				}
			}
			r := runWaitingBound(t, fa, "/h/d", w, ready, func(*storage.DB) *App {
				t.Error("no window is built on a refusal")
				return nil
			})
			assert.Nil(t, r.a)
			assert.Nil(t, r.db)
			require.ErrorIs(t, r.err, storage.ErrOlderVersionRunning, "the refusal is said")
			var notQueued *filesNotQueuedError
			if !o.quitWins {
				assert.True(t, shown, "the refusal is shown in the window")
				assert.Equal(t, refusal.Error(), r.err.Error(), "said alone, as the command line says it")
				return
			}
			assert.NotContains(t, windowLabels(fa), humanError(refusal), "not shown once quit")
			require.ErrorAs(t, r.err, &notQueued, "the files not added are said (exit 1)")
			assert.Equal(t, files, notQueued.paths)
		})
	}
}
