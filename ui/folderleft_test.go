package ui

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderLinksNotWholeWhileFilesWait: Copy all links and Index page
// hand out a folder share's links as the folder's list. While files of it
// are not uploaded yet — its own upload's (held here at its third file),
// or, for the folder's latest share, a file an earlier upload of the
// folder left waiting in the queue (the latest found it already queued
// and did not add it again) — the window must say it is not the whole
// folder yet, as history --folder does, and ask before making an index
// page that would stay the folder's share link; once they are uploaded,
// neither says anything.
func TestFolderLinksNotWholeWhileFilesWait(t *testing.T) {
	e, hold, dir := startFolderHeldAtThirdFile(t)
	a := e.a
	// The folder added again with a new file: it finds two uploaded,
	// leaves the held one to the first upload's job, and sends the new one.
	hold.Disarm()
	writeFiles(t, dir, "d.jpg")
	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool { return a.upload.sum.Done == 3 && a.upload.sum.Already == 2 }, "the new file uploaded")

	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == 3 }, "three uploads in History")
	var first, latest storage.FolderKey
	e.ui(func() {
		for _, en := range a.history.entries {
			k, _ := en.Folder()
			if filepath.Base(en.LocalPath) == "d.jpg" {
				latest = k
			} else {
				first = k
			}
		}
	})
	require.NotEqual(t, first, latest)
	c := a.win.Canvas()
	copyAll := func(k storage.FolderKey, links int) string { t.Helper(); return e.copyAllLinks(k, links) }

	said := copyAll(latest, 3)
	assert.Contains(t, said, "Not the whole folder yet", "the latest share lacks the file the first upload still sends")
	assert.Contains(t, said, "1 file of “trip” that an earlier upload of it added is still waiting in the queue")
	e.ui(func() { test.Tap(overlayButton(t, c, tr("OK"))) })

	said = copyAll(first, 2)
	assert.Contains(t, said, "Not the whole folder yet")
	assert.Contains(t, said, "1 file of this upload of “trip” is not uploaded yet")
	assert.NotContains(t, said, "earlier upload", "what a later share queued is not this one's")
	e.ui(func() { test.Tap(overlayButton(t, c, tr("OK"))) })

	e.ui(func() {
		for _, r := range shownFolderRows(a.win.Content()) {
			if r.group.key == latest {
				test.Tap(r.indexPage)
			}
		}
	})
	e.eventually(func() bool { return overlayText(c) != "" }, "Index page asks first")
	e.ui(func() {
		assert.Contains(t, overlayText(c), "A page made now lists only the files uploaded so far")
		total := a.upload.sum.Total
		test.Tap(overlayButton(t, c, tr("Cancel")))
		assert.Nil(t, c.Overlays().Top(), "answered")
		assert.Equal(t, total, a.upload.sum.Total, "no page queued")
	})
	_, err := os.Stat(filepath.Join(a.indexPagesDir(), folderPageDirName(latest)))
	assert.ErrorIs(t, err, os.ErrNotExist, "no page written")

	hold.Release()
	e.eventually(func() bool { return a.upload.sum.Done == 4 && !a.upload.busy() }, "the held file uploaded")
	e.reloadHistory(4)
	assert.Empty(t, copyAll(latest, 4), "whole now, with the file it left to the first upload: nothing to say")
	assert.Empty(t, copyAll(first, 3), "whole now: nothing to say")
}

// startFolderHeldAtThirdFile signs a window in to a sandbox behind an
// upload hold and adds a folder "trip" of three files: it returns once
// two are uploaded and the third's upload is held (hold.Release lets it
// go on).
func startFolderHeldAtThirdFile(t *testing.T) (*testEnv, *testutil.UploadHold, string) {
	t.Helper()
	e, _, hold := heldWindow(t, 2)
	dir := filepath.Join(t.TempDir(), "trip")
	writeFiles(t, dir, "a.jpg", "b.jpg", "c.jpg")

	e.ui(func() { e.a.addPaths([]string{dir}) })
	e.waitHeld(hold, "the third upload")
	e.eventually(func() bool { return e.a.upload.sum.Done == 2 }, "two of the three uploaded")
	return e, hold, dir
}

// heldWindow signs a window in to a sandbox behind an armed upload hold
// that lets pass uploads through and holds the next ones until
// hold.Release (or the test's end).
func heldWindow(t *testing.T, pass int) (*testEnv, *testutil.Sandbox, *testutil.UploadHold) {
	t.Helper()
	sb := testutil.StartSandbox(t, sandbox.Config{})
	hold := testutil.NewUploadHold(sb.Srv, pass)
	hold.Arm()
	front := httptest.NewServer(hold)
	t.Cleanup(front.Close)
	t.Cleanup(hold.Release) // runs first: a held request must not keep Close waiting
	e := newTestEnv(t)
	e.signInCustom(&testutil.Sandbox{URL: front.URL, Key: sb.Key})
	return e, sb, hold
}

// waitHeld waits until hold holds an upload (what names it).
func (e *testEnv) waitHeld(hold *testutil.UploadHold, what string) {
	e.t.Helper()
	select {
	case <-hold.Started():
	case <-time.After(2 * time.Minute):
		e.t.Fatalf("%s did not start", what)
	}
}

// copyAllLinks taps Copy all links on folder share k's row, waits for
// its links (links of them), and returns what a dialog then says ("" when
// only the toast speaks).
func (e *testEnv) copyAllLinks(k storage.FolderKey, links int) string {
	e.t.Helper()
	a := e.a
	since := e.markShown()
	e.ui(func() {
		a.fyne.Clipboard().SetContent("")
		var row *folderRow
		for _, r := range shownFolderRows(a.win.Content()) {
			if r.group.key == k {
				row = r
			}
		}
		require.NotNil(e.t, row, "the share's row")
		test.Tap(row.copyAll)
	})
	e.eventually(func() bool {
		got := a.fyne.Clipboard().Content()
		return got != "" && strings.Count(got, "\n") == links-1 && strings.Contains(since.toastAfter(a), "copied")
	}, "the links copied")
	var said string
	e.ui(func() { said = overlayText(a.win.Canvas()) })
	return said
}

// TestFolderLinksNotWholeAfterItsFileWasCanceled: a folder of three
// files, Stop everything while the third is being sent, the canceled file
// then cleared from the queue (Clear finished). Its share holds two: Copy
// all links must say the third was canceled (or could not be read, or was
// removed) and to add the folder again, as history --folder does, not
// hand out the two as the whole folder.
func TestFolderLinksNotWholeAfterItsFileWasCanceled(t *testing.T) {
	e, hold, _ := startFolderHeldAtThirdFile(t)
	a := e.a
	e.ui(a.upload.cancelAllNow)
	// Cancel all runs on the queue's goroutine: the held upload is let go
	// once it is canceled, or the third file could finish first.
	e.eventually(func() bool { return a.upload.sum.Canceled == 1 }, "the third canceled")
	hold.Release()
	e.eventually(func() bool { return !a.upload.busy() }, "the queue idle")
	e.ui(a.upload.onClearFinished)
	e.eventually(func() bool { return a.upload.sum.Total == 0 }, "cleared from the queue")

	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
	})
	e.reloadHistory(2)
	var k storage.FolderKey
	e.ui(func() { k, _ = a.history.entries[0].Folder() })
	said := e.copyAllLinks(k, 2)
	assert.Contains(t, said, "Not the whole folder yet")
	assert.Contains(t, said, "1 file of this upload of “trip” was canceled, could not be read, was replaced by another file, or was removed from the queue: add the folder again to upload it.")
	assert.Contains(t, said, "The links copied are those of the files uploaded so far: once the folder is added again, copy the links of that upload, which lists the whole folder.",
		"only a later share gets the canceled file: this one never becomes whole")
	assert.NotContains(t, said, "once the rest are uploaded", "nothing more comes into this share")
}

// TestFolderLinksNotCalledWholeWhenAFileIsRecordedWhileRead: Copy all
// links read a share's files, then what it lacked: a file whose upload
// was recorded in between (by this window's queue, or another process)
// was in neither, and the links without it were copied as the whole
// folder, saying nothing; Index page made the folder's share link of them
// without asking. Here the third file's upload is recorded just after the
// files are read: the window must say the links are not the whole folder.
func TestFolderLinksNotCalledWholeWhenAFileIsRecordedWhileRead(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	k := storage.FolderKey{Folder: filepath.Join(t.TempDir(), "trip"), BatchID: "b1"}
	var third storage.JobFinish
	for i, name := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		row := storage.JobRow{ID: "job-" + name, BatchID: k.BatchID, Env: api.SandboxKey, Account: "me@example.com",
			LocalPath: filepath.Join(k.Folder, name), Name: name, Size: 1000, Beneath: k.Folder}
		require.NoError(t, e.db.InsertJobs([]storage.JobRow{row}))
		row.Hash, row.Verified, row.Attempts = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", true, 1
		f := storage.JobFinish{Row: row, History: storage.HistoryEntry{JobID: row.ID, Env: row.Env, Account: row.Account,
			LocalPath: row.LocalPath, Name: name, Size: row.Size, Hash: row.Hash, Verified: true,
			FinishedAt: fixedNow.Add(time.Duration(i) * time.Minute), AddedFolder: k.Folder, BatchID: k.BatchID}}
		if name == "c.jpg" {
			third = f
			continue
		}
		require.NoError(t, e.db.FinishJob(f.Row, f.History))
	}
	a.history.builders.folder = func(d *storage.DB, k storage.FolderKey) ([]storage.HistoryEntry, storage.FolderLeft, error) {
		entries, left, err := d.HistoryAndLeftOfFolder(k)
		if err == nil { // c.jpg's upload recorded just after the files are read
			err = d.FinishJob(third.Row, third.History)
		}
		return entries, left, err
	}

	e.ui(func() { a.history.onCopyFolderLinks(k, "") })
	e.eventually(func() bool { return strings.Contains(a.toast.Text, "2 links copied") }, "the links read copied")
	var said string
	e.ui(func() { said = overlayText(a.win.Canvas()) })
	assert.Contains(t, said, "Not the whole folder yet", "c.jpg is not among the links copied")
	assert.Contains(t, said, "1 file of this upload of “trip” is not uploaded yet")
	assert.Contains(t, said, "copy them again once the rest are uploaded", "c.jpg comes into this share")
}
