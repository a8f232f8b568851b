package ui

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// olderHistoryIn makes the history in the data folder dir one of schema
// version 19, as a version of that time left it: the tables of today
// (migrations 20 and 21 only change rows) at user_version 19, which
// openHistory updates, saying so first.
func olderHistoryIn(t *testing.T, dir string) {
	t.Helper()
	db, err := storage.Open(dir)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	raw, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	_, err = raw.Exec(`PRAGMA user_version = 19`)
	require.NoError(t, err)
}

// historyVersionIn is the schema version of the history in dir, read
// without opening it as the app does.
func historyVersionIn(t *testing.T, dir string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	var v int
	require.NoError(t, raw.QueryRow(`PRAGMA user_version`).Scan(&v))
	return v
}

// TestQuitAsItsOwnUpdateStartsEndsOneWay: a launch with files waited for
// another process's update of an older history; the person quit just as
// that update ended, and this process's open then found the history still
// older and began its own update. "Updating…" was given to the loop with
// fyne.Do after the loop had ended but before Run returned: Fyne 2.8.1
// panics "send on closed channel" for a function given as its loop closes
// its queue (the process died, exit 2, the files unnamed), loses one given
// just before, and runs a later one in place. Each now ends as the quit:
// no window, the files named, and the update this process began done.
func TestQuitAsItsOwnUpdateStartsEndsOneWay(t *testing.T) {
	files := []string{"/nas/report.pdf"}
	for _, c := range []struct {
		name string
		set  func(fa *queueLoop)
	}{
		{"run in place once the loop has ended", func(*queueLoop) {}},
		{"lost in the loop's closing queue", func(fa *queueLoop) { fa.loseLate = true }},
		{"its send panics on the loop's closed queue", func(fa *queueLoop) { fa.panicLate = true }},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			olderHistoryIn(t, dir)
			fa := newQueueLoop(t)
			fa.holdForLate = true
			c.set(fa)
			claimed := func(context.Context) (<-chan instance.Handoff, bool, error) {
				fyne.DoAndWait(func() { // the other's update ends as the person quits
					tapWindowButton(t, fa.loopApp, "Quit")
					tapWindowButton(t, fa.loopApp, "Quit") // "Quit without the files?"
				})
				<-fa.drained
				return nil, true, nil
			}
			a, db, err := runAfterAnotherUpdate(fa, dir, files, claimed, func(*storage.DB, <-chan instance.Handoff) *App {
				t.Error("the app started after the person quit")
				return nil
			}, true)
			assert.True(t, a == nil, "no app")
			assert.True(t, db == nil, "no history")
			var notQueued *filesNotQueuedError
			require.ErrorAs(t, err, &notQueued, "the files not added are said (exit 1)")
			assert.Equal(t, files, notQueued.paths)
			assert.Equal(t, storage.CurrentSchemaVersion, historyVersionIn(t, dir), "the update begun is done")
		})
	}
}
