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
