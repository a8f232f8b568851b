package ui

import (
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	dstorage "github.com/dstor-uploader/dstor-uploader/storage"
)

// What a hasty or clumsy person does on the Upload tab, and what the
// window makes of it.

// overlayButton is the button of the dialog on top of c labelled label.
func overlayButton(t *testing.T, c fyne.Canvas, label string) *escapeButton {
	t.Helper()
	var found *escapeButton
	walkObjects(c.Overlays().Top(), func(o fyne.CanvasObject) {
		if b, ok := o.(*escapeButton); ok && b.Text == label {
			found = b
		}
	})
	require.NotNil(t, found, "the dialog has %q", label)
	return found
}

// overlayText is every text the dialog on top of c shows, joined.
func overlayText(c fyne.Canvas) string {
	var texts []string
	if top := c.Overlays().Top(); top != nil {
		visibleTexts(top, func(_, text string) { texts = append(texts, text) })
	}
	return strings.Join(texts, "\n")
}

// TestCancelAllAsksFirst: Cancel all sits beside Retry failed and Clear
// finished, the same size, and nothing undoes it (Retry failed leaves
// canceled files alone). So it asks first, as Quit and Sign out do while
// uploading, naming how many files it stops; no (Escape) cancels nothing,
// yes cancels them all.
func TestCancelAllAsksFirst(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := t.TempDir()
	e.addPaused(writeFiles(t, dir, "a.bin", "b.bin", "c.bin")...) // nothing starts meanwhile
	c := a.win.Canvas()
	e.ui(func() {
		test.Tap(a.upload.cancelAll)
		require.NotNil(t, c.Overlays().Top(), "Cancel all asks first")
		assert.Contains(t, overlayText(c), "3 files", "the question says how many files it stops")
		test.Tap(a.upload.cancelAll) // the button clicked twice: one question
		assert.Len(t, c.Overlays().List(), 1, "one question on screen")
		pressKey(c, fyne.KeyEscape) // no
		assert.Nil(t, c.Overlays().Top(), "answered")
	})
	// No cancels nothing: the files are still queued once the queue has
	// had every chance to act (Resume lets them upload).
	e.ui(func() { a.upload.onPauseResume() })
	e.eventually(func() bool { return a.upload.sum.Done == 3 }, "no: every file uploaded")
	e.ui(func() { assert.Zero(t, a.upload.sum.Canceled, "no cancels nothing") })

	e.addPaused(writeFiles(t, dir, "d.bin")...)
	e.ui(func() {
		test.Tap(a.upload.cancelAll)
		assert.Contains(t, overlayText(c), "1 file")
		test.Tap(overlayButton(t, c, tr("Cancel uploads")))
		assert.Nil(t, c.Overlays().Top(), "answered")
	})
	e.eventually(func() bool { return a.upload.sum.Canceled == 1 && a.upload.sum.Queued == 0 }, "yes cancels them")
	e.ui(func() {
		assert.True(t, a.upload.retryFailed.Disabled(), "Retry failed leaves canceled files alone, so with none failed it is off")
	})
}

// TestAddFilesTwiceAsksOnce: the desktop's chooser takes a moment to come
// up (GTK is loaded on first use), so an impatient person presses Add
// files… (or Ctrl+O) twice, or Add folder… meanwhile. While a chooser is
// open, another press opens no second one (which would ask again once the
// first is answered); once it is answered, the next press asks again. The
// same holds for Fyne's own chooser, where the desktop has none.
func TestAddFilesTwiceAsksOnce(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "chosen.txt"), 100)
	var asked atomic.Int32
	answer := make(chan []string)
	e.ui(func() {
		a.pickFiles = func() ([]string, error) { asked.Add(1); return <-answer, nil }
		a.pickFolder = func() (string, error) { asked.Add(1); return "", nil }
		test.Tap(a.upload.addFiles)
	})
	require.Eventually(t, func() bool { return asked.Load() == 1 }, 2*time.Minute, 20*time.Millisecond, "the chooser is open")
	e.ui(func() {
		test.Tap(a.upload.addFiles)
		a.upload.onAddFiles() // Ctrl+O
		test.Tap(a.upload.addFolder)
	})
	answer <- []string{p}
	e.eventually(func() bool { return a.upload.sum.Done == 1 && !a.upload.busy() }, "the chosen file is uploaded")
	assert.Equal(t, int32(1), asked.Load(), "presses while a chooser is open open no other")

	e.ui(func() { test.Tap(a.upload.addFiles) })
	require.Eventually(t, func() bool { return asked.Load() == 2 }, 2*time.Minute, 20*time.Millisecond, "answered: the next press asks again")
	answer <- nil // canceled

	// Fyne's own chooser, where the desktop has none.
	e.ui(func() {
		a.pickFiles = func() ([]string, error) { return nil, errUseFyneDialog }
		a.pickFolder = func() (string, error) { return "", errUseFyneDialog }
	})
	c := a.win.Canvas()
	e.eventually(func() bool { return !a.upload.choosing }, "the canceled chooser is closed")
	e.ui(func() { test.Tap(a.upload.addFiles) })
	e.eventually(func() bool { return c.Overlays().Top() != nil }, "Fyne's chooser open")
	e.ui(func() {
		test.Tap(a.upload.addFiles)
		test.Tap(a.upload.addFolder)
	})
	e.ui(func() {
		assert.Len(t, c.Overlays().List(), 1, "one chooser on screen")
		pressKey(c, fyne.KeyEscape)
		assert.Nil(t, c.Overlays().Top(), "closed")
		test.Tap(a.upload.addFolder)
	})
	e.eventually(func() bool { return c.Overlays().Top() != nil }, "closed: the next press opens one")
	e.ui(func() { dismissOverlays(c) })
}

// TestFailedReasonCanBeReadWhole: a failed row's reason shares one line
// with the size and the folder, cut with "…" where it does not fit, as in
// German at the window's first size. The row's ⓘ shows the whole reason.
func TestFailedReasonCanBeReadWhole(t *testing.T) {
	require.NoError(t, useLanguage("de"))
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		job := worker.Job{ID: "j1", Name: "Urlaubsvideo-2026-Sommer.mp4", Size: 2 << 30, FolderPath: "/Urlaub/2026/Sommer",
			State: dstorage.JobFailed, Reason: worker.ReasonFileMissing, Attempts: 3}
		r := newQueueRow(a.upload)
		w := test.NewWindow(r)
		defer w.Close()
		w.Resize(fyne.NewSize(980-2*theme.Padding(), r.MinSize().Height))
		r.set(job)
		a.upload.jobs = []worker.Job{job}
		a.upload.reindex()
		defer func() { a.upload.jobs = nil; a.upload.reindex() }()
		reason := jobReasonText(job, a.now())
		require.NotContains(t, drawnText(r.detail), reason, "the reason is cut at this width (else the test shows nothing)")

		require.True(t, r.why.Visible(), "a failed row offers its whole reason")
		assert.NotEmpty(t, speakableName(r.why), "named for a screen reader")
		test.Tap(r.why)
		c := a.win.Canvas()
		require.NotNil(t, c.Overlays().Top(), "a dialog")
		assert.Contains(t, overlayText(c), reason, "the dialog shows the whole reason")
		assert.Contains(t, overlayText(c), job.Name, "and which file it is about")
		pressKey(c, fyne.KeyEscape)
		assert.Nil(t, c.Overlays().Top(), "Escape closes it")

		for _, s := range []dstorage.JobState{dstorage.JobDone, dstorage.JobUploading, dstorage.JobCanceled} {
			job.State = s
			r.set(job)
			assert.False(t, r.why.Visible(), "a %s row has no reason to show", s)
		}
		job.State, job.Reason, job.ReasonArg = dstorage.JobSkipped, worker.ReasonSymlink, ""
		r.set(job)
		assert.True(t, r.why.Visible(), "a skipped row shows why")
	})
}

// TestResumedRowsDoNotSayPaused: Pause stops the file in flight and puts
// it back in the queue, behind the files waiting there; after Resume,
// while those go first, its row says it waits, not "Paused … when you
// resume".
func TestResumedRowsDoNotSayPaused(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	a.setUploadLimit(1 << 20)
	e.ui(func() { a.prefs.concurrency.SetValue(1) })
	e.signInSandbox()
	dir := t.TempDir()
	first := testutil.WriteFile(t, filepath.Join(dir, "first.mp4"), 8<<20)
	second := testutil.WriteFile(t, filepath.Join(dir, "second.mp4"), 8<<20)
	e.ui(func() { a.addPaths([]string{first, second}) })
	e.eventually(func() bool {
		return a.upload.sum.Uploading == 1 && a.upload.sum.Queued == 1
	}, "one uploading, one waiting")
	var stopped string
	e.ui(func() { test.Tap(a.upload.pause) })
	e.eventually(func() bool {
		for _, j := range a.upload.jobs {
			if j.PausedAt > 0 && j.State == dstorage.JobQueued {
				stopped = j.ID
				return true
			}
		}
		return false
	}, "stopped and back in the queue")
	e.ui(func() { test.Tap(a.upload.pause) }) // Resume
	e.eventually(func() bool {
		j, ok := a.upload.jobByID(stopped)
		return ok && !a.upload.sum.Paused && a.upload.sum.Uploading == 1 && j.State == dstorage.JobQueued && j.PausedAt > 0
	}, "resumed, the other file first")
	e.ui(func() {
		j, _ := a.upload.jobByID(stopped)
		r := newQueueRow(a.upload)
		r.set(j)
		assert.NotEqual(t, tr("Paused"), r.state.Text, "after Resume the stopped file's row does not say Paused")
		assert.NotContains(t, r.detail.Text, "when you resume")
		a.setUploadLimit(0)
	})
}

// TestPauseOutlivesSigningOut: a person pauses the uploads, signs out and
// signs in to the same account again: the queue is still paused (the
// button says Resume), not uploading as if Pause had never been pressed.
func TestPauseOutlivesSigningOut(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	e.addPaused(writeFiles(t, t.TempDir(), "later.bin")...)
	e.ui(func() {
		a.onSignOut()
		c := a.win.Canvas()
		require.NotNil(t, c.Overlays().Top(), "files are queued: Sign out asks first")
		assert.Contains(t, overlayText(c), "stay paused", "the question says the uploads stay paused, not that they continue")
		test.Tap(overlayButton(t, c, tr("Sign out")))
	})
	e.eventually(func() bool { return a.sess == nil }, "signed out")
	e.signInSandbox()
	e.eventually(func() bool { return a.upload.sum.Total == 1 }, "the queue is back")
	e.ui(func() {
		assert.True(t, a.upload.sum.Paused, "still paused after signing in again (%s)", a.upload.summary.Text)
		assert.Equal(t, tr("Resume"), a.upload.pause.Text)
		assert.Zero(t, a.upload.sum.Done)
	})
}

// TestTextDialogFitsItsText: a message's dialog with one narrow button
// (OK), such as a failed row's whole reason, is as tall as its text
// wrapped at the dialog's width, not a tall box of empty space under it
// (its text's least height at no width, a word a line).
func TestTextDialogFitsItsText(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	reason := "The file is gone: it was moved or deleted. Put it back, then retry it, or add it again from where it is now. Tried 3 times."
	e.ui(func() {
		a.upload.jobs = []worker.Job{{ID: "j1", Name: "holiday-video-2026-summer-part-2.mp4", State: dstorage.JobFailed, Reason: worker.ReasonFileMissing, Attempts: 3}}
		a.upload.reindex()
		defer func() { a.upload.jobs = nil; a.upload.reindex() }()
		c := a.win.Canvas()
		for name, open := range map[string]func(){
			"reason":  func() { a.upload.onShowReason("j1") },
			"message": func() { a.showMessage("Exported", reason) },
		} {
			open()
			var text *widget.Label
			walkObjects(c.Overlays().Top(), func(o fyne.CanvasObject) {
				if l, ok := o.(*widget.Label); ok && l.Wrapping == fyne.TextWrapWord {
					text = l
				}
			})
			require.NotNil(t, text, name)
			assert.Contains(t, text.Text, "Put it back", name)
			assert.Less(t, text.Size().Height, 1.5*text.MinSize().Height,
				"%s: the text (%v, needing %v) has no tall empty space under it", name, text.Size(), text.MinSize())
			dismissOverlays(c)
		}
	})
}

// TestCancelAllAsksAgainForFilesAddedMeanwhile: while "Cancel all
// uploads?" is open, files still arrive: another launch from the file
// manager, a drop. The question named the files it cancels, and Cancel
// uploads canceled the newcomers too without a word. It now asks again,
// naming them all, when more files wait than it named.
func TestCancelAllAsksAgainForFilesAddedMeanwhile(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := t.TempDir()
	later := writeFiles(t, dir, "d.bin", "e.bin")
	e.addPaused(writeFiles(t, dir, "a.bin", "b.bin", "c.bin")...) // nothing starts meanwhile
	c := a.win.Canvas()
	e.ui(func() {
		test.Tap(a.upload.cancelAll)
		require.Contains(t, overlayText(c), "3 files")
		a.addPaths(later) // as another launch's files do
	})
	e.eventually(func() bool { return a.upload.sum.Queued == 5 }, "two more queued while the question is open")
	e.ui(func() {
		test.Tap(overlayButton(t, c, tr("Cancel uploads")))
		require.NotNil(t, c.Overlays().Top(), "asked again: it named three files, five wait")
		assert.Contains(t, overlayText(c), "5 files")
		test.Tap(overlayButton(t, c, tr("Cancel uploads")))
		assert.Nil(t, c.Overlays().Top(), "answered")
	})
	e.eventually(func() bool { return a.upload.sum.Canceled == 5 && a.upload.sum.Queued == 0 }, "yes cancels the five named")
}

// TestQuietUploadSaysSinceWhen: an upload that has made no progress for a
// while (the worker's Job.QuietSince) is not left showing the speed and
// time left it had then, as if it still moved: its row says since when it
// has waited and on what (dStor taking no more of the file, or dStor's
// answer once all of it is sent), in the warning colour, with ⓘ for the
// whole sentence; once it moves again, speed and time left come back.
func TestQuietUploadSaysSinceWhen(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		quiet := time.Date(2026, 12, 3, 14, 5, 9, 0, time.Local)
		job := worker.Job{ID: "j1", Name: "film.mkv", Size: 8 << 20, Sent: 3 << 20, State: dstorage.JobUploading,
			Speed: 2 << 20, ETA: 3 * time.Second, QuietSince: quiet}
		r := newQueueRow(a.upload)
		w := test.NewWindow(r)
		defer w.Close()
		w.Resize(fyne.NewSize(1600, r.MinSize().Height))
		a.upload.jobs = []worker.Job{job}
		a.upload.reindex()
		defer func() { a.upload.jobs = nil; a.upload.reindex() }()
		moving := job
		moving.QuietSince = time.Time{}
		r.set(moving)
		speed, left := formatSpeed(moving.Speed), formatETA(moving.ETA)
		require.Contains(t, r.detail.Text, speed, "a moving upload shows its speed")
		require.Contains(t, r.detail.Text, left, "and its time left")
		assert.False(t, r.why.Visible(), "and has no reason to show")

		r.set(job)
		assert.Contains(t, r.detail.Text, "dStor has taken nothing more of this file since 14:05:09")
		assert.NotContains(t, r.detail.Text, speed, "a speed it no longer has is not shown")
		assert.NotContains(t, r.detail.Text, left, "nor a time left")
		assert.Equal(t, widget.WarningImportance, r.detail.Importance)
		assert.True(t, r.progress.Visible(), "the progress stays where it got to")
		require.True(t, r.why.Visible(), "the whole sentence is behind ⓘ")
		test.Tap(r.why)
		c := a.win.Canvas()
		require.NotNil(t, c.Overlays().Top())
		assert.Contains(t, overlayText(c), "dStor has taken nothing more of this file since 14:05:09 — still waiting.")
		assert.Contains(t, overlayText(c), job.Name)
		pressKey(c, fyne.KeyEscape)

		job.Sent = job.Size
		a.upload.jobs = []worker.Job{job}
		r.set(job)
		assert.Contains(t, r.detail.Text, "All of this file is sent, and dStor has not answered since 14:05:09")

		job.AnswerBegun = true
		a.upload.jobs = []worker.Job{job}
		r.set(job)
		assert.Contains(t, r.detail.Text, "dStor's answer began, then stopped arriving: nothing more of it since 14:05:09")

		r.set(moving)
		assert.Contains(t, r.detail.Text, speed, "moving again, its speed is back")
		assert.False(t, r.why.Visible())
		assert.NotEqual(t, widget.WarningImportance, r.detail.Importance)
	})
}

// TestQuietUploadIsShownInTheWindow: the whole way, from a server that
// has the whole file and does not answer to the row: the queue notices the
// silence and the row says so, then shows the upload done once the
// answer comes.
func TestQuietUploadIsShownInTheWindow(t *testing.T) {
	stallNotice = 100 * time.Millisecond
	t.Cleanup(func() { stallNotice = 0 })
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e := newTestEnv(t)
	a := e.a
	e.signInCustom(sb)
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Delay: 3 * time.Second})
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "quiet.txt"), 300)
	e.ui(func() { a.addPaths([]string{p}) })
	var reason string
	e.eventually(func() bool {
		for _, j := range a.upload.jobs {
			if look := a.upload.lookOf(j); j.State == dstorage.JobUploading && look.reason != "" {
				reason = look.reason
				return true
			}
		}
		return false
	}, "the row says the upload waits")
	assert.Contains(t, reason, "All of this file is sent, and dStor has not answered since")
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "done once dStor answers")
	e.ui(func() {
		require.Len(t, a.upload.jobs, 1)
		assert.Empty(t, a.upload.lookOf(a.upload.jobs[0]).reason, "nothing left to explain")
	})
}
