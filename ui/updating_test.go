package ui

import (
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// updatingText is what the window says while it updates the history an
// older version left.
const updatingText = "Updating the upload history to this version's format (once; a large history takes a while)…"

// windowLabels is the text of every label in the windows of fa's driver
// (the test driver's are those of every test app).
func windowLabels(fa fyne.App) []string {
	var texts []string
	for _, w := range fa.Driver().AllWindows() {
		for _, o := range test.LaidOutObjects(w.Content()) {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
		}
	}
	return texts
}

// TestUpdatingTheHistoryIsSaidInEveryLanguage: the window shown while the
// history an older version left is updated (seconds on a large one) says
// so in each of its languages, rather than no window, which looks hung.
func TestUpdatingTheHistoryIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		said := tr(updatingText)
		if l.Tag == "en" {
			assert.Equal(t, updatingText, said)
		} else {
			assert.NotEqual(t, updatingText, said, l.Tag)
		}
		fa := test.NewTempApp(t)
		newUpdatingWindow(fa, nil).Show()
		assert.Contains(t, windowLabels(fa), said, l.Tag)
	}
}

// TestUpdatingTheHistoryIsShownUntilTheWindowTakesItsPlace: a start that
// updates the history shows that it does, with the tray set up already
// (Fyne starts none set up once its loop runs), until the history is
// open; then the app's window takes its place. A history that could not
// be opened leaves no window, and the error says which and why.
func TestUpdatingTheHistoryIsShownUntilTheWindowTakesItsPlace(t *testing.T) {
	t.Run("opened", func(t *testing.T) {
		e := newTestEnv(t)
		loop := newLoopApp(t) // a window started after its loop ended would be a defect
		fa := &trayApp{App: loop}
		opened := make(chan openedHistory, 1)
		opened <- openedHistory{db: e.db}
		var labels []string
		var tray bool
		started := make(chan struct{})
		ran := make(chan ranAfterUpdate, 1)
		go func() {
			a, db, err := runWhileUpdating(fa, e.dir, nil, opened, func(db *storage.DB) *App {
				labels, tray = windowLabels(fa), fa.menu != nil
				a := NewApp(fa, Deps{DB: db, Secrets: e.secrets, Home: e.dir, NoAutoSignIn: true})
				a.win.Show()
				close(started)
				return a
			}, false)
			ran <- ranAfterUpdate{a, db, err}
		}()
		<-started
		loop.Quit() // the person quits the app's window
		r := <-ran
		a, db := r.a, r.db
		require.NoError(t, r.err)
		require.NotNil(t, a)
		t.Cleanup(a.Close)
		assert.Same(t, e.db, db)
		assert.Contains(t, labels, updatingText, "shown until the history was open")
		assert.True(t, tray, "the tray was set up before")
		assert.NotContains(t, windowLabels(fa), updatingText, "closed once the app's window showed")
	})
	t.Run("not opened", func(t *testing.T) {
		fa := newLoopApp(t) // its loop ends as its last window closes
		opened := make(chan openedHistory, 1)
		full := errors.New("the disk is full")
		opened <- openedHistory{err: full}
		a, db, err := runWhileUpdating(fa, "/h/d", nil, opened, func(*storage.DB) *App {
			t.Error("no window is built without the history")
			return nil
		}, false)
		assert.Nil(t, a)
		assert.Nil(t, db)
		require.ErrorIs(t, err, full)
		assert.Contains(t, err.Error(), "cannot open the upload history in /h/d")
		assert.NotContains(t, windowLabels(fa), updatingText, "closed: no window is left")
	})
}

// TestUpdatingThenRefusedSaysWhy: a start that said it updates the history
// (it found another process of this version at it) and whose own update
// was then refused, an older version still using the folder, closed that
// window and left none: the person saw "Updating…" and then nothing, the
// refusal only on the command line's standard error. It now says the
// refusal in its window, as a start refused at once does, and returns it.
func TestUpdatingThenRefusedSaysWhy(t *testing.T) {
	fa := newQueueLoop(t)
	var labels []string
	fa.afterFirst = func() { // the refusal is shown: the person closes it, which ends the loop
		labels = windowLabels(fa)
		tapWindowButton(t, fa.loopApp, "Close")
	}
	refused := &storage.OlderVersionRunningError{Dir: "/h/d", Lock: "/h/d/window.lock", Have: 19}
	opened := make(chan openedHistory, 1)
	opened <- openedHistory{err: refused}
	a, db, err := runWhileUpdating(fa, "/h/d", nil, opened, func(*storage.DB) *App {
		t.Error("no window is built without the history")
		return nil
	}, false)
	assert.Nil(t, a)
	assert.Nil(t, db)
	require.ErrorIs(t, err, storage.ErrOlderVersionRunning)
	assert.Equal(t, refused.Error(), err.Error(), "the command line's sentence, as a start refused at once")
	assert.Contains(t, labels, humanError(refused), "the refusal is said in a window")
	assert.NotContains(t, labels, updatingText, "in place of the updating one")
}
