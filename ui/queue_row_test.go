package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// A queue row set again to what it shows keeps its widgets as they are
// (no new text layout, no icon coloured again), and still follows every
// change: a new text, a new colour alone, a new icon, buttons that come
// or go.
func TestQueueRowSetsOnlyWhatChanged(t *testing.T) {
	test.NewTempApp(t)

	l := widget.NewLabel("3 KB · Waiting")
	setLabel(l, "3 KB · Waiting", widget.MediumImportance)
	assert.Equal(t, "3 KB · Waiting", l.Text)
	setLabel(l, "3 KB · Waiting", widget.DangerImportance)
	assert.Equal(t, widget.DangerImportance, l.Importance, "a new colour alone is shown")
	setLabel(l, "3 KB · Failed", widget.DangerImportance)
	assert.Equal(t, "3 KB · Failed", l.Text)

	icon := widget.NewIcon(nil)
	first := theme.NewSuccessThemedResource(theme.ConfirmIcon())
	setIcon(icon, first)
	assert.Same(t, first, icon.Resource)
	setIcon(icon, theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	assert.Same(t, first, icon.Resource, "the same icon again (a new value of the same name) is left as it is")
	failed := theme.NewErrorThemedResource(theme.ErrorIcon())
	setIcon(icon, failed)
	assert.Same(t, failed, icon.Resource)
	setIcon(icon, nil)
	assert.Nil(t, icon.Resource)

	b := widget.NewButton("Copy link", nil)
	assert.False(t, show(b, true), "already shown")
	assert.True(t, show(b, false))
	assert.False(t, b.Visible())
	assert.False(t, show(b, false), "already hidden")
	assert.True(t, show(b, true))
	assert.True(t, b.Visible())
}

// A row the queue refused before reading its file (a device, a name
// Windows keeps, a file it may not open, one that is gone) shows no size,
// in no language: its size is not known, and "0 bytes" would read as an
// empty file queued. A size that is known is shown, 0 bytes of an empty
// file that was read included.
func TestRefusedRowShowsNoSize(t *testing.T) {
	e := newTestEnv(t)
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	unknown := []worker.Job{
		{ID: "1", Name: "null", State: storage.JobSkipped, Reason: worker.ReasonDevice},
		{ID: "2", Name: "live-feed.pipe", State: storage.JobSkipped, Reason: worker.ReasonPipe},
		{ID: "3", Name: "NUL.txt", State: storage.JobFailed, Reason: worker.ReasonFileRefused, ReasonArg: string(api.ProblemReservedName) + " NUL.txt"},
		{ID: "4", Name: "secret.txt", State: storage.JobFailed, Reason: worker.ReasonFileDenied},
		{ID: "5", Name: "card.jpg", State: storage.JobFailed, Reason: worker.ReasonFileUnreadable, ReasonArg: "input/output error"},
		{ID: "6", Name: "old.txt", State: storage.JobFailed, Err: "cannot read it"}, // saved before reason codes
	}
	known := []worker.Job{
		{ID: "7", Name: "empty.txt", State: storage.JobDone, Verified: true, Hash: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"},
		{ID: "8", Name: "empty.log", State: storage.JobQueued},
		{ID: "9", Name: "empty.csv", State: storage.JobFailed, Reason: worker.ReasonServerTrouble, ReasonArg: "502 Bad Gateway"},
		{ID: "10", Name: "photo.jpg", Size: 4_200_000, State: storage.JobFailed, Reason: worker.ReasonFileUnreadable, ReasonArg: "input/output error"},
	}
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		e.ui(func() {
			r := newQueueRow(e.a.upload)
			for _, j := range unknown {
				r.set(j)
				assert.NotEmpty(t, r.detail.Text, "%s %s: the reason is shown", l.Tag, j.Name)
				assert.NotContains(t, r.detail.Text, formatSize(0), "%s %s: no size", l.Tag, j.Name)
				assert.NotRegexp(t, `^\d`, r.detail.Text, "%s %s: no size", l.Tag, j.Name)
			}
			for _, j := range known {
				r.set(j)
				assert.True(t, strings.HasPrefix(r.detail.Text, formatSize(j.Size)), "%s %s: %q starts with its size", l.Tag, j.Name, r.detail.Text)
			}
		})
	}
}

// TestRefusedFileAddedShowsNoSize: files the queue refuses while listing
// them, the system's null device and a file that is not there, show no
// size in their rows and add nothing to the summary's bytes; an empty
// file beside them uploads and shows its 0 bytes.
func TestRefusedFileAddedShowsNoSize(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := t.TempDir()
	empty := testutil.WriteFile(t, filepath.Join(dir, "empty.txt"), 0)
	missing := filepath.Join(dir, "missing.txt")
	e.ui(func() { a.addPaths([]string{os.DevNull, missing, empty}) })
	e.eventually(func() bool {
		return len(a.upload.jobs) == 3 && a.upload.sum.Done == 1 && !a.upload.busy()
	}, "listed, and the empty file uploaded")
	e.ui(func() {
		r := newQueueRow(a.upload)
		for _, j := range a.upload.jobs {
			r.set(j)
			if j.LocalPath == empty {
				assert.Equal(t, storage.JobDone, j.State)
				assert.True(t, strings.HasPrefix(r.detail.Text, "0 bytes"), "%q", r.detail.Text)
				continue
			}
			assert.Contains(t, []storage.JobState{storage.JobSkipped, storage.JobFailed}, j.State, j.LocalPath)
			assert.NotContains(t, r.detail.Text, "0 bytes", "%s: %q", j.LocalPath, r.detail.Text)
			assert.NotEmpty(t, r.detail.Text, j.LocalPath)
		}
		assert.Zero(t, a.upload.sum.BytesTotal, "refused files add no bytes")
		assert.NotContains(t, a.upload.summary.Text, "bytes")
	})
}

// TestSecondClickOnCancelDoesNotRetry: the second click of a slow
// double-click on a row's Cancel ✕ (or Retry ↻) finds no button where it
// clicked once the row has changed, so it cannot undo the first (seen: an
// upload at 84 % canceled, then queued again by a Retry that took ✕'s place).
func TestSecondClickOnCancelDoesNotRetry(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		r := newQueueRow(e.a.upload)
		w := test.NewWindow(r)
		defer w.Close()
		w.Resize(fyne.NewSize(900, r.MinSize().Height))
		d := fyne.CurrentApp().Driver()
		center := func(o fyne.CanvasObject) fyne.Position {
			return d.AbsolutePositionForObject(o).Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
		}
		clicks := []struct {
			from, to storage.JobState
			button   fyne.CanvasObject
		}{
			{storage.JobUploading, storage.JobCanceled, r.cancel},
			{storage.JobQueued, storage.JobCanceled, r.cancel},
			{storage.JobFailed, storage.JobQueued, r.retry},
			{storage.JobCanceled, storage.JobQueued, r.retry},
		}
		for _, c := range clicks {
			job := worker.Job{ID: "j1", Name: "f3.bin", Size: 2 << 20, Sent: 1 << 20, State: c.from, Err: "cannot read it"}
			r.set(job)
			require.True(t, c.button.Visible(), "%s row", c.from)
			at := center(c.button)
			job.State = c.to
			r.set(job)
			for _, b := range []fyne.CanvasObject{r.cancel, r.retry, r.remove, r.copyLink, r.open, r.again} {
				if !b.Visible() {
					continue
				}
				p, s := d.AbsolutePositionForObject(b), b.Size()
				under := at.X >= p.X && at.X < p.X+s.Width && at.Y >= p.Y && at.Y < p.Y+s.Height
				assert.False(t, under, "%s → %s: a button of the row (%s) is where the first click was", c.from, c.to, speakableName(b))
			}
		}
	})
}

// TestFailedRowOfAGoneFileCanBeRemoved: a failed row (its file deleted
// after it was queued, so Retry fails again and Clear finished keeps it)
// and a canceled one each have Remove, which takes the row out of the
// queue and the database: it is not back after a restart. A Remove right
// after another row's (the second click of a double-click, on the row that
// moved up under the pointer) removes nothing.
func TestFailedRowOfAGoneFileCanBeRemoved(t *testing.T) {
	e := newTestEnv(t)
	e.signInRememberedPassword()
	a := e.a
	dir := t.TempDir()
	gone := testutil.WriteFile(t, filepath.Join(dir, "gone.bin"), 1000)
	require.NoError(t, os.Remove(gone))
	e.ui(func() { a.addPaths([]string{gone}) })
	e.eventually(func() bool { return a.upload.sum.Failed == 1 && !a.upload.busy() }, "failed")
	e.ui(func() { a.upload.onPauseResume() }) // the next file stays queued
	e.eventually(func() bool { return a.upload.sum.Paused }, "paused")
	e.ui(func() { a.addPaths([]string{testutil.WriteFile(t, filepath.Join(dir, "later.bin"), 1000)}) })
	e.eventually(func() bool { return a.upload.sum.Queued == 1 && len(a.upload.jobs) == 2 }, "queued")
	r := newQueueRow(a.upload)
	tapInRow := func(state storage.JobState, button func() *iconButton) {
		e.ui(func() {
			for _, j := range a.upload.jobs {
				if j.State == state {
					r.set(j)
					require.True(t, button().Visible(), "%s row", state)
					test.Tap(button())
					return
				}
			}
			t.Fatalf("no %s row", state)
		})
	}
	tapInRow(storage.JobQueued, func() *iconButton { return r.cancel })
	e.eventually(func() bool { return a.upload.sum.Canceled == 1 }, "canceled")
	clock := fixedNow
	e.ui(func() { a.now = func() time.Time { return clock } })
	tapInRow(storage.JobCanceled, func() *iconButton { return r.remove })
	canceledID := ""
	e.ui(func() { canceledID = a.upload.removed })
	// The second click of a double-click lands on the row that moved up
	// under the pointer: it removes nothing.
	tapInRow(storage.JobFailed, func() *iconButton { return r.remove })
	e.ui(func() { assert.Equal(t, canceledID, a.upload.removed, "a Remove right after another row's is ignored") })
	e.eventually(func() bool { return a.upload.sum.Total == 1 && len(a.upload.jobs) == 1 }, "canceled row removed")
	e.ui(func() { assert.Equal(t, 1, a.upload.sum.Failed, "the failed row stays until it is removed") })
	e.ui(func() { clock = clock.Add(doubleClickTime) })
	tapInRow(storage.JobFailed, func() *iconButton { return r.remove })
	e.eventually(func() bool { return a.upload.sum.Total == 0 && len(a.upload.jobs) == 0 }, "failed row removed")
	e.eventually(func() bool {
		rows, err := e.db.Jobs()
		require.NoError(t, err)
		return len(rows) == 0
	}, "no row left in the database")
	e.restart("sandbox")
	e.ui(func() {
		assert.Zero(t, e.a.upload.sum.Total, "none back after a restart (%s)", e.a.upload.summary.Text)
		assert.Empty(t, e.a.upload.jobs)
	})
}
