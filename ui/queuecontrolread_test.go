package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestControlOnUnreadableRowSaysTryAgain: Cancel and Retry of a row whose
// job is not in memory read its row first; when the database fails that
// read (a flaky drive, another program holding the file) nothing changes,
// and "That did not work" says so in a sentence that says what to do, not
// the read's Go error ("job …: SQL logic error: no such table: jobs").
func TestControlOnUnreadableRowSaysTryAgain(t *testing.T) {
	e := newTestEnv(t)
	seedQueue(e, 3) // canceled rows, none in memory
	v := e.a.upload
	var id string
	e.ui(func() {
		j, ok := v.jobAt(1)
		require.True(t, ok)
		id = j.ID
	})
	controls := []struct {
		name string
		do   func(id string)
	}{
		{"Cancel", v.onCancel},
		{"Retry", v.onRetry},
	}
	c := e.a.win.Canvas()
	for _, ctl := range controls {
		restore := testutil.HideJobs(t, e.dir)
		since := e.markShown()
		e.ui(func() { ctl.do(id) })
		e.eventually(func() bool { return since.dialogAfter(e.a) != nil }, ctl.name+": a dialog")
		e.ui(func() {
			text := overlayText(c)
			t.Logf("%s: the dialog says: %q", ctl.name, text)
			assert.Contains(t, text, "That did not work", ctl.name)
			assert.Contains(t, text, "The upload queue could not be read just now, so nothing was changed. Try again in a moment.", ctl.name)
			assert.NotContains(t, text, "SQL", ctl.name+": no Go error")
			assert.NotContains(t, text, "no such table", ctl.name+": no Go error")
			c.Overlays().Top().Hide()
			c.Overlays().Remove(c.Overlays().Top())
		})
		restore()
		row, err := e.db.Job(id)
		require.NoError(t, err)
		assert.Equal(t, storage.JobCanceled, row.State, ctl.name+": nothing changed")
	}
}
