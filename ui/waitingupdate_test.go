package ui

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// waitingText is what the window says while another process updates the
// history in the data folder dir.
func waitingText(dir string) string {
	return "Another dStor Uploader is updating the upload history in " + dir + ". This window opens when it is done."
}

// loopApp is a test app whose Run returns, as a real event loop does, only
// once Quit is called or its last window is closed.
type loopApp struct {
	fyne.App
	ended chan struct{}
	once  sync.Once
	mu    sync.Mutex
	open  int // windows made and not closed
}

func newLoopApp(t *testing.T) *loopApp {
	return &loopApp{App: test.NewTempApp(t), ended: make(chan struct{})}
}

func (l *loopApp) Run()  { <-l.ended }
func (l *loopApp) Quit() { l.once.Do(func() { close(l.ended) }) }

func (l *loopApp) NewWindow(title string) fyne.Window {
	l.mu.Lock()
	l.open++
	l.mu.Unlock()
	return &loopWindow{Window: l.App.NewWindow(title), app: l}
}

// loopWindow is a window of a loopApp: closing the last one ends its loop.
type loopWindow struct {
	fyne.Window
	app       *loopApp
	closed    sync.Once
	intercept func() // SetCloseIntercept's, which closeByX calls
}

func (w *loopWindow) SetCloseIntercept(f func()) {
	w.intercept = f
	w.Window.SetCloseIntercept(f)
}

// closeByX is the person closing w (its X), which Fyne's test driver
// cannot: its close intercept, else Close.
func (w *loopWindow) closeByX() {
	if w.intercept != nil {
		w.intercept()
		return
	}
	w.Close()
}

func (w *loopWindow) Close() {
	w.Window.Close()
	w.closed.Do(func() {
		w.app.mu.Lock()
		w.app.open--
		last := w.app.open == 0
		w.app.mu.Unlock()
		if last {
			w.app.Quit()
		}
	})
}

// windowButtons are the buttons shown in the windows of fa's driver.
func windowButtons(fa fyne.App) []*widget.Button {
	var buttons []*widget.Button
	for _, w := range fa.Driver().AllWindows() {
		for _, o := range test.LaidOutObjects(w.Content()) {
			if b, ok := o.(*widget.Button); ok && b.Visible() {
				buttons = append(buttons, b)
			}
		}
	}
	return buttons
}

// ranAfterUpdate is what runAfterAnotherUpdate returned.
type ranAfterUpdate struct {
	a   *App
	db  *storage.DB
	err error
}

// TestWaitingForAnotherUpdateIsShownUntilTheWindowTakesItsPlace: a window
// launched while a command updates the history (a fake holder of its
// locks) says so, with a way to quit, while the update is under way, and
// its own window takes that one's place once the update is over; quitting
// meanwhile ends the wait and opens nothing.
func TestWaitingForAnotherUpdateIsShownUntilTheWindowTakesItsPlace(t *testing.T) {
	for _, quit := range []bool{false, true} {
		t.Run(map[bool]string{false: "the update ends", true: "the person quits"}[quit], func(t *testing.T) {
			dir := t.TempDir()
			end := testutil.HoldAsUpdating(t, dir)
			fa := newLoopApp(t)
			waiting := make(chan struct{})
			var srv *instance.Server
			claimed := func(ctx context.Context) (<-chan instance.Handoff, bool, error) {
				s, handed, err := instance.ClaimWaiting(ctx, dir, instance.Request{}, func() { close(waiting) })
				if ctx.Err() != nil { // the person quit: nothing to say
					if s != nil {
						_ = s.Close()
					}
					return nil, false, nil
				}
				if err != nil || handed {
					return nil, false, err
				}
				srv = s
				return s.Requests(), true, nil
			}
			started := make(chan *App, 1)
			secrets := storage.NewMemorySecretStore()
			ran := make(chan ranAfterUpdate, 1)
			go func() {
				a, db, err := runAfterAnotherUpdate(fa, dir, nil, claimed, func(db *storage.DB, h <-chan instance.Handoff) *App {
					assert.NotNil(t, h, "the later launches' files come to this window")
					a := NewApp(fa, Deps{DB: db, Secrets: secrets, Home: dir, Handoffs: h, NoAutoSignIn: true})
					a.win.Show()
					started <- a
					return a
				}, true)
				ran <- ranAfterUpdate{a, db, err}
			}()

			<-waiting // the claim waits for the update
			assert.Contains(t, windowLabels(fa), waitingText(dir), "said while the update is under way")
			quitButton := slices.IndexFunc(windowButtons(fa), func(b *widget.Button) bool { return b.Text == "Quit" })
			require.GreaterOrEqual(t, quitButton, 0, "a way to quit while it waits")
			if quit {
				test.Tap(windowButtons(fa)[quitButton])
				r := <-ran
				assert.Nil(t, r.a)
				assert.Nil(t, r.db)
				require.NoError(t, r.err)
				assert.Nil(t, srv, "nothing claimed")
				return
			}
			end()
			var a *App
			select {
			case a = <-started:
			case r := <-ran:
				require.FailNow(t, "no window opened after the update", "%v", r.err)
			case <-time.After(time.Minute): // a bound on a hang, not a wait for an event
				require.FailNow(t, "no window a minute after the update")
			}
			fa.Quit()
			r := <-ran
			assert.NotContains(t, windowLabels(fa), waitingText(dir), "its window took its place")
			require.NoError(t, r.err)
			require.Same(t, a, r.a)
			a.Close()
			require.NoError(t, r.db.Close())
			require.NotNil(t, srv)
			require.NoError(t, srv.Close())
		})
	}
}

// TestWaitingForAnotherUpdateThatRunsTooLongSaysWhatToDo: a claim that
// gives up on another process's update (it ran longer than a window
// waits) or a running window's refusal of the files is said in the
// waiting window's place, with a button that closes it, and returned; a
// claim that handed the files to another window closes the waiting window
// and returns nothing.
func TestWaitingForAnotherUpdateThatRunsTooLongSaysWhatToDo(t *testing.T) {
	tooLong := &storage.UpdateTooLongError{Dir: "/h/d", For: storage.UpgradeWait}
	refused := &instance.RefusedError{Reason: "Nothing was added: the folder path is only spaces."}
	for _, err := range []error{tooLong, refused, nil} {
		fa := newQueueLoop(t)
		var labels []string
		fa.afterFirst = func() { // the window in the waiting one's place: the person closes it, which ends the loop
			labels = windowLabels(fa)
			if err != nil {
				tapWindowButton(t, fa.loopApp, "Close")
			}
		}
		a, db, got := runAfterAnotherUpdate(fa, "/h/d", nil, func(context.Context) (<-chan instance.Handoff, bool, error) {
			return nil, false, err
		}, func(*storage.DB, <-chan instance.Handoff) *App {
			t.Error("no window is built without the claim")
			return nil
		}, true)
		assert.Nil(t, a)
		assert.Nil(t, db)
		assert.Equal(t, err, got)
		assert.NotContains(t, labels, waitingText("/h/d"))
		if err == nil {
			continue // handed over: its loop ended, its last window closed
		}
		assert.Contains(t, labels, humanError(err))
	}
	assert.Equal(t, "Another dStor Uploader has been updating the upload history in /h/d for a long time and is not done yet. "+
		"Let it finish (or close it), then start dStor Uploader again.", humanError(tooLong))
	assert.True(t, errors.Is(tooLong, storage.ErrUpdateTooLong))
}

// TestWaitingForAnotherUpdateIsSaidInEveryLanguage: the waiting window's
// sentence and that of an update longer than the wait are in each of the
// window's languages, naming the data folder.
func TestWaitingForAnotherUpdateIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	tooLong := &storage.UpdateTooLongError{Dir: "/h/d", For: storage.UpgradeWait}
	english := map[string]string{}
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		fa := test.NewTempApp(t)
		w := newWaitingWindow(fa, "/h/d", nil)
		w.Show()
		said := []string{w.what.Text, humanError(tooLong), w.quit.Text}
		assert.Contains(t, windowLabels(fa), said[0], l.Tag)
		for i, s := range said[:2] {
			assert.Contains(t, s, "/h/d", l.Tag)
			if l.Tag == "en" {
				english[s] = s
			} else {
				assert.NotContains(t, english, s, "%s: sentence %d is not translated", l.Tag, i)
			}
		}
		w.Close()
	}
}

// TestQuitWhileTheHistoryOpensStartsNoWindow: a person who pressed Quit
// in the waiting window (or a signal ended the loop) as the update ended
// and this window's open of the history finished got the app started all
// the same once the event loop was over: its window built off the loop,
// its sign-in and the files it was given set going, only to be closed as
// Run returned. Now nothing starts once the loop has ended, and the
// history opened meanwhile is closed.
func TestQuitWhileTheHistoryOpensStartsNoWindow(t *testing.T) {
	dir := t.TempDir()
	opened, err := storage.Open(dir)
	require.NoError(t, err)
	fa := newLoopApp(t)
	w := newWaitingWindow(fa, dir, nil)
	ready := func(ctx context.Context) openedHistory {
		test.Tap(w.quit)
		<-ctx.Done() // the loop has ended; the open finishes just then
		return openedHistory{db: opened}
	}
	a, db, err := runWaiting(fa, dir, w, ready, func(db *storage.DB) *App {
		t.Error("the app started after the person quit")
		return NewApp(fa, Deps{DB: db, Secrets: storage.NewMemorySecretStore(), Home: dir, NoAutoSignIn: true})
	}, true)
	if a != nil {
		a.Close()
	}
	assert.True(t, a == nil, "no app")
	assert.True(t, db == nil, "no history")
	require.NoError(t, err)
	_, err = opened.SchemaVersion()
	require.Error(t, err, "the history opened meanwhile is closed")
}
