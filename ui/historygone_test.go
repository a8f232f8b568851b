package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestHistoryGoneStopsTheWindowsUploads: the history file (or its journal,
// the -wal) is deleted while the window uploads eight files (three at a
// time, held by the server until then). The uploads running finish, fail
// as history-gone and keep their links; no other upload starts (the server
// has as many uploads as failed, the rest stay queued); the Upload tab
// shows one banner that says what happened and what to do, with Quit. Once
// the window is closed, Unrecorded holds those uploads, for Run to write
// into the history at the path.
func TestHistoryGoneStopsTheWindowsUploads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a database file SQLite holds open")
	}
	for _, tc := range []struct{ name, suffix, said string }{
		{"the file", "", "was deleted or moved away"},
		{"its journal", "-wal", storage.DBFileName + "-wal) was deleted or replaced by another program"},
	} {
		t.Run(tc.name, func(t *testing.T) { historyGoneStopsTheWindowsUploads(t, tc.suffix, tc.said) })
	}
}

// historyGoneStopsTheWindowsUploads is TestHistoryGoneStopsTheWindowsUploads
// with the history's file path+suffix deleted, its banner saying said.
func historyGoneStopsTheWindowsUploads(t *testing.T, suffix, said string) {
	e, sb, hold := heldWindow(t, 0)

	var names []string
	for i := range 8 {
		names = append(names, fmt.Sprintf("%d.txt", i))
	}
	paths := writeFiles(t, t.TempDir(), names...)
	e.ui(func() { e.a.addPaths(paths) })
	e.waitHeld(hold, "the first upload")
	// Uploads start once the first rows are saved (every 100 ms of a
	// listing): on a busy machine the rest may not be yet.
	e.eventually(func() bool { return e.a.upload.sum.Total == len(paths) }, "all eight are listed")
	require.NoError(t, os.Remove(e.db.Path()+suffix))
	hold.Release()

	var sum worker.Summary
	e.eventually(func() bool {
		sum = e.a.upload.sum
		return sum.HistoryGone != nil && sum.Uploading == 0 && sum.Failed > 0
	}, "the uploads running end and nothing starts")
	e.ui(func() {
		v := e.a.upload
		require.True(t, v.waiting.Visible(), "the banner shows")
		assert.Equal(t, historyGoneText(sum.HistoryGone), v.waitLabel.Text)
		assert.Contains(t, v.waitLabel.Text, e.db.Path())
		assert.Contains(t, v.waitLabel.Text, said)
		assert.True(t, v.quitBtn.Visible(), "with Quit")
		assert.False(t, v.signInBtn.Visible())
	})
	uploaded := sb.Uploads()
	assert.Equal(t, sum.Failed, uploaded, "every upload dStor has is one running when the history went")
	assert.Less(t, uploaded, len(paths), "no upload starts once the history is gone")
	assert.Equal(t, len(paths)-uploaded, sum.Queued, "the others wait")

	e.a.Close()
	lost := e.a.Unrecorded()
	require.Len(t, lost, uploaded, "each upload not recorded is kept for the history at the path")
	for _, f := range lost {
		assert.NotEmpty(t, f.History.Hash)
		assert.Contains(t, names, f.History.Name)
	}
}

// TestHistoryGoneTextInTheWindowsLanguage: the banner of a history deleted
// or replaced (or its journal) is in the window's language, naming the file.
func TestHistoryGoneTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	deleted := historyGoneText(&storage.ReplacedError{Path: "/data/dstor-uploader.db", Deleted: true})
	assert.Contains(t, deleted, "Der Upload-Verlauf /data/dstor-uploader.db wurde gelöscht oder verschoben")
	assert.Contains(t, deleted, "keine weiteren Dateien hochgeladen")
	replaced := historyGoneText(&storage.ReplacedError{Path: "/data/dstor-uploader.db"})
	assert.Contains(t, replaced, "durch eine andere Datei ersetzt")
	journal := &storage.ReplacedError{Path: "/data/dstor-uploader.db", Journal: true}
	assert.Contains(t, historyGoneText(journal), "Das Journal des Upload-Verlaufs /data/dstor-uploader.db (/data/dstor-uploader.db-wal) wurde von einem anderen Programm gelöscht oder ersetzt")
	assert.Contains(t, replacedText(journal), "der Verlauf behält, was vorher eingetragen wurde")
	index := &storage.ReplacedError{Path: "/data/dstor-uploader.db", Journal: true, SharedMemory: true}
	assert.Contains(t, historyGoneText(index), "Das Journal des Upload-Verlaufs /data/dstor-uploader.db (/data/dstor-uploader.db-shm) wurde")
}

// TestFilesAddedOnceTheHistoryIsGoneAreCarriedOver: files added after the
// history file was deleted (the banner shows) are not listed and failed
// as "could not save … retry it", which no retry could mend: the window
// says at once that they are kept for the next start, and closing carries
// them into the history at the path with the rest, for the next start to
// list and upload.
func TestFilesAddedOnceTheHistoryIsGoneAreCarriedOver(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a database file SQLite holds open")
	}
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e := newTestEnv(t)
	e.signInCustom(sb)
	first := writeFiles(t, t.TempDir(), "first.txt")
	e.ui(func() { e.a.addPaths(first) })
	e.eventually(func() bool { return e.a.upload.sum.Done == 1 }, "the first file uploaded")
	env, account := e.a.sess.EnvKey, e.a.sess.Account

	require.NoError(t, os.Remove(e.db.Path()))
	more := writeFiles(t, t.TempDir(), "second.txt")
	e.ui(func() { e.a.addPaths(more) }) // finds the history gone as it saves them
	e.eventually(func() bool { return e.a.upload.sum.HistoryGone != nil }, "the banner")
	later := writeFiles(t, t.TempDir(), "third.txt", "fourth.txt")
	e.ui(func() { e.a.addPaths(later) })
	var said string
	e.eventually(func() bool {
		said = ""
		walkObjects(e.a.win.Canvas().Overlays().Top(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				said += l.Text + "\n"
			}
		})
		return strings.Contains(said, "start it again")
	}, "a notice about the files added")
	assert.Contains(t, said, "deleted, moved away or replaced")
	assert.Contains(t, said, "added to the queue when dStor Uploader starts again")
	// The first notice (for second.txt) says the same: wait until the
	// queue has kept the later files too, or Close raced their Add.
	e.eventually(func() bool { return len(e.a.sess.queue.NotListed()) == 3 }, "all three kept")
	e.ui(func() {
		assert.Zero(t, e.a.upload.sum.Failed, "no file added fails as unsaved")
	})

	e.a.Close()
	require.NoError(t, closeHistory(e.db, e.a.Unrecorded(), e.a.NotListed()))
	at, err := storage.Open(filepath.Dir(e.db.Path()))
	require.NoError(t, err)
	defer func() { _ = at.Close() }()
	walks, err := at.Walks(env, account)
	require.NoError(t, err)
	var carried []string
	for _, w := range walks {
		carried = append(carried, w.Path)
	}
	for _, p := range append(more, later...) {
		assert.Contains(t, carried, p, "carried into the history at the path, for the next start")
	}
}

// TestLaunchToAWindowWhoseHistoryIsGoneIsToldTheyAreKept: files a later
// launch hands to a signed-in window whose history file was moved away
// are kept as a drop's are (not uploaded now, carried into the history at
// the path as the window quits), and the launch says so: it was told that
// the window could not save them and to open them again, while the window
// kept them for its next start all the same.
func TestLaunchToAWindowWhoseHistoryIsGoneIsToldTheyAreKept(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to move a database file SQLite holds open")
	}
	e := newTestEnv(t)
	e.openClaimed()
	a := e.a
	e.signInSandbox()
	env, account := a.sess.EnvKey, a.sess.Account
	require.NoError(t, os.Rename(e.db.Path(), e.db.Path()+".moved"))
	p := writeFiles(t, t.TempDir(), "handed.txt")[0]

	err := e.claimRefused(p)
	assert.ErrorIs(t, err, instance.ErrRefused, "not taken as uploaded: the launch exits 1 with the window's sentence")
	assert.Contains(t, err.Error(), "not uploaded now")
	assert.Contains(t, err.Error(), "when dStor Uploader starts again")
	assert.Contains(t, err.Error(), "killed", "what a kill before the quit costs")
	assert.NotContains(t, err.Error(), "could not save")
	var said string
	e.eventually(func() bool { said = overlayText(a.win.Canvas()); return said != "" }, "the window's notice, as for a drop")
	assert.Contains(t, said, "added to the queue when dStor Uploader starts again")
	e.ui(func() { assert.Zero(t, a.upload.sum.Failed, "not failed as unsaved") })

	a.Close()
	require.NoError(t, closeHistory(e.db, a.Unrecorded(), a.NotListed()))
	at, err := storage.Open(filepath.Dir(e.db.Path()))
	require.NoError(t, err)
	defer func() { _ = at.Close() }()
	walks, err := at.Walks(env, account)
	require.NoError(t, err)
	require.Len(t, walks, 1, "carried into the history at the path, for the next start")
	assert.Equal(t, p, walks[0].Path)
}
