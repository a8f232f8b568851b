package ui

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// tapWindowButton taps the button labelled label in fa's windows.
func tapWindowButton(t *testing.T, fa *loopApp, label string) {
	t.Helper()
	buttons := windowButtons(fa)
	i := slices.IndexFunc(buttons, func(b *widget.Button) bool { return b.Text == label })
	require.GreaterOrEqual(t, i, 0, "a %q button", label)
	test.Tap(buttons[i])
}

// TestQuitWhileWaitingWithFilesAsksAndSaysWhichAreNotQueued: a window
// launched with files ("Open with") while another process updated the
// history showed the waiting window; its Quit (or closing it) ended the
// process at once, exit 0, with the files not queued and nothing said.
// Quit now asks first, in the window, saying the files are not added;
// "Keep waiting" goes back to waiting, and Quit returns an error that
// names each file, which the command line says on its standard error
// before it exits 1. Closing the window asks the same (its close
// intercept is the same onQuit; Fyne's test driver cannot close a window
// through it). A launch with no files quits at once, as before
// (TestWaitingForAnotherUpdateIsShownUntilTheWindowTakesItsPlace).
func TestQuitWhileWaitingWithFilesAsksAndSaysWhichAreNotQueued(t *testing.T) {
	files := []string{filepath.Join("/nas", "report.pdf"), filepath.Join("/nas", "trip")}
	fa := newLoopApp(t)
	ran := waitUntilQuit(t, fa, files, true)
	require.Contains(t, windowLabels(fa), waitingText("/h/d"))
	asked := "2 files you opened are not in the queue yet. If you quit now, they are not added: open them again once dStor Uploader is open."
	tapWindowButton(t, fa, "Quit")
	assert.Contains(t, windowLabels(fa), asked)
	tapWindowButton(t, fa, "Keep waiting")
	assert.Contains(t, windowLabels(fa), waitingText("/h/d"), "back to waiting")
	assert.NotContains(t, windowLabels(fa), asked)
	select {
	case r := <-ran:
		require.FailNow(t, "the window quit without asking", "%v", r.err)
	default:
	}

	tapWindowButton(t, fa, "Quit")
	assert.Contains(t, windowLabels(fa), asked)
	tapWindowButton(t, fa, "Quit")
	r := <-ran
	assert.Nil(t, r.a)
	assert.Nil(t, r.db)
	require.Error(t, r.err, "the files not queued are said")
	assert.Equal(t, "the window was quit while it waited for the upload history, before it opened, so nothing was added to the queue "+
		"for the 2 files and folders it was opened with; open them again once dStor Uploader is open:\n  "+files[0]+"\n  "+files[1], r.err.Error())
	assert.Equal(t, "1 file you opened is not in the queue yet. If you quit now, it is not added: open it again once dStor Uploader is open.", quitWaitingText(1))
	assert.Equal(t, "the window was quit while it waited for the upload history, before it opened, so nothing was added to the queue "+
		"for the file or folder it was opened with; open it again once dStor Uploader is open:\n  "+files[0], (&filesNotQueuedError{paths: files[:1]}).Error())
}

// TestTrayQuitWhileWaitingAsksAsTheWindowDoes: the tray's menu while the
// window waited had no Quit of its own, so Fyne added its own, which
// ended the loop at once: a launch with files quit from the tray without
// "Quit without the files?", and the wait's end was not marked before the
// loop ended (runWaiting's waitEnd). Its Quit is now the waiting window's.
func TestTrayQuitWhileWaitingAsksAsTheWindowDoes(t *testing.T) {
	files := []string{filepath.Join("/nas", "report.pdf")}
	loop := newLoopApp(t)
	fa := &trayApp{App: loop}
	ran := waitUntilQuit(t, fa, files, false)
	require.NotNil(t, fa.menu, "a tray while it waits")
	i := slices.IndexFunc(fa.menu.Items, func(m *fyne.MenuItem) bool { return m.IsQuit })
	require.GreaterOrEqual(t, i, 0, "a Quit of the window's in the tray (else Fyne adds its own)")
	fa.menu.Items[i].Action()
	assert.Contains(t, windowLabels(fa), quitWaitingText(1), "asked, as the window's Quit asks")
	select {
	case r := <-ran:
		require.FailNow(t, "the tray's Quit quit without asking", "%v", r.err)
	default:
	}
	tapWindowButton(t, loop, "Quit")
	r := <-ran
	var notQueued *filesNotQueuedError
	require.ErrorAs(t, r.err, &notQueued)
	assert.Equal(t, files, notQueued.paths)
}

// waitUntilQuit starts a launch with files in fa while another process
// updates the history in /h/d, an update that goes on until the person
// quits, and returns once the waiting window shows: runAfterAnotherUpdate's
// result comes on the channel when it returns.
func waitUntilQuit(t *testing.T, fa fyne.App, files []string, noTray bool) <-chan ranAfterUpdate {
	t.Helper()
	waiting := make(chan struct{})
	claimed := func(ctx context.Context) (<-chan instance.Handoff, bool, error) {
		close(waiting) // the waiting window shows
		<-ctx.Done()   // the update goes on until the person quits
		return nil, false, nil
	}
	ran := make(chan ranAfterUpdate, 1)
	go func() {
		a, db, err := runAfterAnotherUpdate(fa, "/h/d", files, claimed, func(*storage.DB, <-chan instance.Handoff) *App {
			t.Error("no window is built without the claim")
			return nil
		}, noTray)
		ran <- ranAfterUpdate{a, db, err}
	}()
	<-waiting
	return ran
}
