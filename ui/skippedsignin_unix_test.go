//go:build unix

package ui

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSkippedRowsAfterSigningInAgainReadProperly: a folder whose pipe,
// link and empty folder are skipped is uploaded; signing out and in again
// leaves the skipped rows in the queue (they are not in History) while the
// uploaded ones went to History. The summary then says what the queue holds
// ("3 skipped"), not "0 of 0 uploaded", which reads as if files were lost.
func TestSkippedRowsAfterSigningInAgainReadProperly(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	dir := t.TempDir()
	writeFiles(t, dir, "a.txt", "b.txt")
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "link")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "empty"), 0o755))

	e.signInSandbox()
	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool {
		s := a.upload.sum
		return s.Done == 2 && s.Skipped == 3 && !s.Walking && s.Total == 5
	}, "uploaded, the rest skipped")

	e.ui(func() {
		a.onSignOut()
		if c := a.win.Canvas(); c.Overlays().Top() != nil {
			test.Tap(overlayButton(t, c, tr("Sign out")))
		}
	})
	e.eventually(func() bool { return a.sess == nil }, "signed out")
	e.signInSandbox()
	e.eventually(func() bool { return a.upload.sum.Total == 3 }, "the skipped rows are back, the uploaded ones in History")
	e.ui(func() {
		assert.Equal(t, 3, a.upload.sum.Skipped)
		assert.Equal(t, "3 skipped", a.upload.summary.Text)
	})
}

// TestSkippedRowCanBeRemovedByItself: a skipped row had no Remove, so the
// only way to take it away once its reason was read was Clear finished,
// which clears every other finished row too. It now has Remove, like a
// failed or canceled row: the one row leaves the queue and the database
// (not back at the next start), the other skipped row and the uploaded
// ones stay.
func TestSkippedRowCanBeRemovedByItself(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	dir := t.TempDir()
	writeFiles(t, dir, "a.txt")
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(dir, "a.txt"), filepath.Join(dir, "link")))

	e.signInSandbox()
	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool {
		s := a.upload.sum
		return s.Done == 1 && s.Skipped == 2 && !s.Walking && s.Total == 3
	}, "uploaded, the rest skipped")

	removed := ""
	e.ui(func() {
		r := newQueueRow(a.upload)
		for _, j := range a.upload.jobs {
			if j.State == storage.JobSkipped {
				r.set(j)
				require.True(t, r.why.Visible(), "the reason can be read")
				require.True(t, r.remove.Visible(), "a skipped row has Remove")
				assert.False(t, r.retry.Visible(), "Retry leaves skipped rows alone")
				removed = j.ID
				test.Tap(r.remove)
				return
			}
		}
		t.Fatal("no skipped row")
	})
	e.eventually(func() bool { return a.upload.sum.Total == 2 }, "the skipped row removed")
	e.ui(func() {
		assert.Equal(t, 1, a.upload.sum.Skipped, "the other skipped row stays")
		assert.Equal(t, 1, a.upload.sum.Done, "the uploaded row stays")
		_, ok := a.upload.jobByID(removed)
		assert.False(t, ok)
	})
	e.eventually(func() bool {
		rows, err := e.db.Jobs()
		require.NoError(t, err)
		for _, r := range rows {
			if r.ID == removed {
				return false
			}
		}
		return true
	}, "its row gone from the database")
	e.restart("sandbox")
	e.eventually(func() bool { return e.a.upload.sum.Skipped == 1 }, "one skipped row back after a restart")
	e.ui(func() {
		_, ok := e.a.upload.jobByID(removed)
		assert.False(t, ok, "the removed row is not back")
	})
}
