package ui

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	dstorage "github.com/dstor-uploader/dstor-uploader/storage"
)

func TestDropThroughQueueToHistory(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	src := t.TempDir()
	p := testutil.WriteFile(t, filepath.Join(src, "report.pdf"), 700_000)
	f, err := os.Open(p)
	require.NoError(t, err)
	want, err := api.ComputeCID(f)
	f.Close()
	require.NoError(t, err)

	e.ui(func() {
		a.tabs.Select(a.settingsTab)
		a.upload.folder.SetText("/reports/2026/")
		a.upload.comment.SetText("quarterly")
		a.onDropped([]fyne.URI{storage.NewFileURI(p)})
		assert.Equal(t, a.uploadTab, a.tabs.Selected(), "a drop switches to Upload")
	})
	var job worker.Job
	e.eventually(func() bool {
		for _, j := range a.upload.jobs {
			if j.State == dstorage.JobDone {
				job = j
				return true
			}
		}
		return false
	}, "upload done")
	assert.Equal(t, want, job.Hash)
	assert.True(t, job.Verified)
	assert.Equal(t, "/reports/2026/", job.FolderPath)
	e.ui(func() {
		assert.Contains(t, a.upload.summary.Text, "1 of 1 uploaded")
		assert.Equal(t, []string{"/reports/2026/"}, a.currentSettings().RecentFolders)
		a.tabs.Select(a.historyTab)
	})
	e.eventually(func() bool { return len(a.history.entries) == 1 }, "history shows the upload")
	var entry dstorage.HistoryEntry
	e.ui(func() {
		entry = a.history.entries[0]
		a.history.onCopyLink(entry.ID)
	})
	assert.Equal(t, want, entry.Hash)
	assert.Equal(t, "quarterly", entry.Comment)
	link := a.fyne.Clipboard().Content()
	require.Contains(t, link, "http://127.0.0.1:")
	require.Contains(t, link, want)
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	orig, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(orig, got), "the link serves the same bytes")

	// Copy CID and link styles.
	e.ui(func() { a.history.onCopyAs(entry.ID, dstorage.LinkCID) })
	assert.Equal(t, want, a.fyne.Clipboard().Content())
	e.ui(func() {
		a.prefs.linkStyle.SetSelected(linkStyleLabels()[dstorage.LinkIPFS])
		a.history.onCopyLink(entry.ID)
	})
	assert.Equal(t, "ipfs://"+want, a.fyne.Clipboard().Content())

	// Ctrl+Shift+C copies the last link.
	e.ui(func() { a.prefs.linkStyle.SetSelected(linkStyleLabels()[dstorage.LinkGateway]); a.onCopyLastLink() })
	assert.Equal(t, link, a.fyne.Clipboard().Content())
}

func TestFolderDropAndQueueActions(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	dir := filepath.Join(t.TempDir(), "album")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
	for i, n := range []string{"a.jpg", "b.jpg", "sub/c.jpg"} {
		testutil.WriteFile(t, filepath.Join(dir, n), 1000*(i+1))
	}
	missing := filepath.Join(t.TempDir(), "gone.txt")
	e.ui(func() {
		test.Tap(a.prefs.copyAfter)
		a.addPaths([]string{dir, missing})
	})
	e.eventually(func() bool {
		return a.upload.sum.Done == 3 && a.upload.sum.Failed == 1 && !a.upload.busy()
	}, "3 done, 1 failed")
	e.ui(func() {
		assert.Len(t, a.upload.jobs, 4)
		assert.Contains(t, a.upload.summary.Text, "3 of 4 uploaded · 1 failed")
		assert.NotEmpty(t, a.fyne.Clipboard().Content(), "copy-link-after-upload")
		assert.False(t, a.upload.retryFailed.Disabled())
		assert.False(t, a.upload.clearFinished.Disabled())
		test.Tap(a.upload.clearFinished)
	})
	e.eventually(func() bool { return len(a.upload.jobs) == 1 }, "finished ones cleared")
	e.ui(func() {
		assert.Equal(t, dstorage.JobFailed, a.upload.jobs[0].State)
		assert.NotEmpty(t, a.upload.jobs[0].Err)
	})
}

func TestInvalidDestinationIsShownAndBlocksAdding(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	e.ui(func() {
		a.upload.destMode.SetSelected(destParent)
		test.Type(a.upload.parent, "12x")
		assert.True(t, a.upload.destError.Visible())
		assert.Contains(t, a.upload.destError.Text, "whole number")
		a.addPaths([]string{testutil.WriteFile(t, filepath.Join(t.TempDir(), "x"), 10)})
		assert.Contains(t, a.upload.destError.Text, "Nothing was added")
		a.upload.parent.SetText("12")
		assert.False(t, a.upload.destError.Visible())
	})
}

// TestDestinationInputs: what the destination fields take, as typed. A
// folder path of spaces alone is not the root (the person typed something
// and meant a folder), and a parent id too big for a folder id says so in
// a sentence that fits the window, not "must be a whole number".
func TestDestinationInputs(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	id := func(n int64) *int64 { return &n }
	tests := []struct {
		name, mode, text string
		folder           string
		parent           *int64
		msg              string // "" when taken
	}{
		{"empty folder is the root", destFolder, "", "", nil, ""},
		{"a folder", destFolder, "/photos/2026/", "/photos/2026/", nil, ""},
		{"spaces around a folder", destFolder, "  /photos/ ", "/photos/", nil, ""},
		{"one space", destFolder, " ", "", nil, "only spaces"},
		{"spaces", destFolder, "      ", "", nil, "only spaces"},
		{"a relative folder", destFolder, "photos", "", nil, "must start with /"},
		{"empty parent is the root", destParent, "", "", nil, ""},
		{"a parent", destParent, "1234", "", id(1234), ""},
		{"spaces around a parent", destParent, " 7 ", "", id(7), ""},
		{"the root parent", destParent, "0", "", id(0), ""},
		{"a word", destParent, "12x", "", nil, "whole number"},
		{"negative", destParent, "-4", "", nil, "positive number"},
		{"too big", destParent, "9223372036854775808", "", nil, "too big"},
		{"huge", destParent, strings.Repeat("9", 500), "", nil, "too big"},
	}
	for _, tt := range tests {
		e.ui(func() {
			a.upload.destMode.SetSelected(destModeLabel(tt.mode))
			a.upload.folder.SetText("")
			a.upload.parent.SetText("")
			if tt.mode == destFolder {
				a.upload.folder.SetText(tt.text)
			} else {
				a.upload.parent.SetText(tt.text)
			}
			folder, parent, _, err := a.upload.destination()
			msg := humanError(err)
			if tt.msg == "" {
				assert.NoError(t, err, tt.name)
				assert.Equal(t, tt.folder, folder, tt.name)
				assert.Equal(t, tt.parent, parent, tt.name)
				assert.False(t, a.upload.destError.Visible(), tt.name)
				return
			}
			assert.Contains(t, msg, tt.msg, tt.name)
			assert.Less(t, len([]rune(msg)), 130, "%s: a short sentence: %q", tt.name, msg)
			assert.True(t, a.upload.destError.Visible(), tt.name)
			reqs, err := a.upload.requests([]string{"/tmp/x"})
			assert.Error(t, err, "%s: nothing is added (it went to %+v)", tt.name, reqs)
		})
	}
}

func TestFilesBeforeSignInWait(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "early.txt"), 100)
	e.ui(func() {
		a.onDropped([]fyne.URI{storage.NewFileURI(p)})
		assert.True(t, a.signin.pending.Visible())
	})
	e.signInSandbox()
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "uploaded after sign-in")
}

func TestCloseAsksWhileUploading(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	quits := 0
	e.ui(func() {
		a.quit = func() { quits++ }
		a.onCloseRequested()
	})
	assert.Equal(t, 1, quits, "nothing running: quits at once")
	e.ui(func() {
		a.sess = &activeSession{}
		a.upload.sum = worker.Summary{Queued: 2, Total: 2}
		a.onCloseRequested()
		a.sess = nil
		a.upload.sum = worker.Summary{}
	})
	assert.Equal(t, 1, quits, "uploads running: asks first")
}

// TestClosingTwiceAsksOnce: a second close request while "Quit while
// uploading?" is open (the close button clicked twice) opens no second
// question; once it is answered, the next request asks again.
func TestClosingTwiceAsksOnce(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		a.quit = func() { t.Error("quit without a yes") }
		a.sess = &activeSession{}
		a.upload.sum = worker.Summary{Queued: 2, Total: 2}
		defer func() { a.sess = nil; a.upload.sum = worker.Summary{} }()
		c := a.win.Canvas()
		a.onCloseRequested()
		a.onCloseRequested()
		assert.Len(t, c.Overlays().List(), 1, "one question on screen")
		pressKey(c, fyne.KeyEscape) // Keep uploading
		assert.Empty(t, c.Overlays().List(), "answered")
		a.onCloseRequested()
		assert.Len(t, c.Overlays().List(), 1, "asked again")
		dismissOverlays(c)
	})
}

func TestSummaryText(t *testing.T) {
	assert.Equal(t, "No uploads yet", summaryText(worker.Summary{}, 0))
	assert.Equal(t, "12 of 40 uploaded · 1 failed · 230 MB left",
		summaryText(worker.Summary{Total: 40, Done: 12, Failed: 1, Queued: 27, BytesTotal: 300_000_000, BytesDone: 70_000_000}, 0))
	assert.Equal(t, "0 of 3 uploaded · 3 kB left · waiting for sign-in",
		summaryText(worker.Summary{Total: 3, Waiting: 3, BytesTotal: 3000, WaitingSignIn: true}, 0))
	assert.Equal(t, "1 of 4 uploaded · 3 kB left · 2 MB/s · limited to 2 MB/s",
		summaryText(worker.Summary{Total: 4, Done: 1, Uploading: 3, BytesTotal: 4000, BytesDone: 1000, UploadLimit: 2 << 20}, 2_000_000))
	assert.Equal(t, "1 canceled · 3 skipped", summaryText(worker.Summary{Total: 4, Skipped: 3, Canceled: 1}, 0),
		"nothing left to upload: no \"0 of 0 uploaded\"")
}

// TestSummaryLimitReadsLikeTheSpeed: in every language the summary line
// writes the speed limit as it writes the speed beside it, in the
// language's units and decimal mark, not in curl's syntax the limit was
// typed in ("5M"): uploads that reach a limit of 5M show the same number
// twice.
func TestSummaryLimitReadsLikeTheSpeed(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	want := map[string]string{
		"en":    "limited to 5.2 MB/s",
		"de":    "begrenzt auf 5,2 MB/s",
		"fr":    "limité à 5,2 Mo/s",
		"es":    "limitado a 5,2 MB/s",
		"pt-BR": "limitado a 5,2 MB/s",
		"ru":    "не быстрее 5,2 МБ/с",
	}
	s := worker.Summary{Total: 2, Done: 1, Uploading: 1, BytesTotal: 40_000_000, BytesDone: 10_000_000, UploadLimit: 5 << 20}
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		parts := summaryParts(s, 5<<20)
		require.GreaterOrEqual(t, len(parts), 2, l.Tag)
		speed, limit := parts[len(parts)-2], parts[len(parts)-1]
		assert.Equal(t, want[l.Tag], limit, l.Tag)
		assert.Equal(t, formatSpeed(5<<20), speed, l.Tag)
		assert.True(t, strings.HasSuffix(limit, " "+speed), "%s: the limit %q is written as the speed %q is", l.Tag, limit, speed)
	}
	require.NoError(t, useLanguage("en"))
	over := summaryParts(s, 1.24*float64(s.UploadLimit))
	assert.Equal(t, formatSpeed(float64(s.UploadLimit)), over[len(over)-2], "the summed speeds, a moment above the limit, read no higher than it")
	require.NoError(t, useLanguage("ru"))
	for _, bps := range []int64{500 << 10, 10 << 20, 1 << 30} {
		s.UploadLimit = bps
		limit := summaryParts(s, 0)[len(summaryParts(s, 0))-1]
		assert.NotRegexp(t, "[A-Za-z]", limit, "Russian writes %d bytes/s with no Latin letter", bps)
	}
}

// Pause stops the file being sent: its row says it stopped partway and
// starts again from the beginning; Resume sends it again to the end.
func TestPauseStopsTheUploadInFlight(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	a.setUploadLimit(2 << 20)
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "video.mp4"), 8<<20)
	e.ui(func() { a.addPaths([]string{p}) })
	e.eventually(func() bool {
		return len(a.upload.jobs) == 1 && a.upload.jobs[0].State == dstorage.JobUploading && a.upload.jobs[0].Sent > 0
	}, "uploading")
	e.ui(func() { test.Tap(a.upload.pause) })
	e.eventually(func() bool {
		return len(a.upload.jobs) == 1 && a.upload.jobs[0].State == dstorage.JobQueued && a.upload.jobs[0].PausedAt > 0
	}, "stopped and back in the queue")
	e.ui(func() {
		row := newQueueRow(a.upload)
		row.set(a.upload.jobs[0])
		assert.Equal(t, "Paused", row.state.Text)
		assert.Contains(t, row.detail.Text, "Stopped at ")
		assert.Contains(t, row.detail.Text, "starts again from the beginning")
		assert.Equal(t, "Resume", a.upload.pause.Text)
		assert.Contains(t, a.upload.summary.Text, "paused")
		test.Tap(a.upload.pause)
	})
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "sent again after Resume")
	e.ui(func() { assert.Zero(t, a.upload.jobs[0].PausedAt) })
}

// A file added again unchanged is not sent: its row says when it was
// uploaded, copies the existing link, and offers "Upload again".
func TestAlreadyUploadedRow(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "report.pdf"), 5000)
	e.ui(func() { a.addPaths([]string{p, p}) })
	e.eventually(func() bool { return a.upload.sum.Done == 1 && !a.upload.busy() }, "uploaded once")
	e.ui(func() { assert.Len(t, a.upload.jobs, 1, "the same path twice in one add is one job") })
	e.ui(func() { a.addPaths([]string{p}) })
	e.eventually(func() bool { return a.upload.sum.Already == 1 }, "found already uploaded")
	var j worker.Job
	e.ui(func() {
		j = a.upload.jobs[1]
		row := newQueueRow(a.upload)
		row.set(j)
		assert.False(t, row.state.Visible(), "the Upload again button stands in the state's place")
		assert.Contains(t, row.detail.Text, "Already uploaded (Today ")
		assert.True(t, row.again.Visible())
		assert.True(t, row.copyLink.Visible())
		assert.Contains(t, a.upload.summary.Text, "1 of 1 uploaded · 1 already uploaded")
		test.Tap(row.copyLink)
		assert.Contains(t, a.fyne.Clipboard().Content(), a.upload.jobs[0].Hash)
		test.Tap(row.again)
	})
	e.eventually(func() bool { return a.upload.sum.Done == 2 && a.upload.sum.Already == 0 }, "sent again")
	n, err := e.db.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}

// TestFullDiskBannerSaysWhatToFree: a stalled queue (the database's disk
// is full) shows the sentence, without a sign-in button that would not help.
func TestFullDiskBannerSaysWhatToFree(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		a.upload.sum = worker.Summary{Total: 3, Done: 1, Uploading: 2, Stalled: "the disk holding /data is full (0 bytes free): free at least 64 MB there, then try again"}
		a.upload.render()
		assert.True(t, a.upload.waiting.Visible())
		assert.Contains(t, a.upload.waitLabel.Text, "Uploads paused: the disk holding /data is full")
		assert.False(t, a.upload.signInBtn.Visible())
		a.upload.sum = worker.Summary{Total: 3, Done: 1, Waiting: 2, WaitingSignIn: true}
		a.upload.render()
		assert.True(t, a.upload.signInBtn.Visible(), "a sign-in wait still offers the button")
		a.upload.sum = worker.Summary{Total: 3, Done: 3}
		a.upload.render()
		assert.False(t, a.upload.waiting.Visible())
	})
}

// TestAccountChangedBannerSaysWhy: a queue stopped because a renewed
// token named another account says so, naming both, with the sign-in
// button; a plain expiry keeps its own sentence.
func TestAccountChangedBannerSaysWhy(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	changed := fmt.Errorf("%w: %w", worker.ErrSignInRequired, &api.AccountChangedError{SignedIn: "acct-1", Renewed: "acct-2"})
	e.ui(func() {
		a.upload.sum = worker.Summary{Total: 3, Waiting: 3, WaitingSignIn: true, SignInErr: changed}
		a.upload.render()
		assert.True(t, a.upload.waiting.Visible())
		assert.True(t, a.upload.signInBtn.Visible())
		assert.Contains(t, a.upload.waitLabel.Text, "another account (acct-2)")
		assert.Contains(t, a.upload.waitLabel.Text, "signed in (acct-1)")
		assert.Contains(t, a.upload.waitLabel.Text, "Sign in again to continue 3 uploads.")
		assert.NotContains(t, a.upload.waitLabel.Text, "expired")
		a.upload.sum = worker.Summary{Total: 3, Waiting: 3, WaitingSignIn: true}
		a.upload.render()
		assert.Equal(t, "Your session has expired. Sign in again to continue 3 uploads.", a.upload.waitLabel.Text)
	})
}

// TestUnverifiableRowHasNoLink: a file whose answer could not be checked
// is a failed row that says why, with Retry and no Copy link or Open.
func TestUnverifiableRowHasNoLink(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		r := newQueueRow(e.a.upload)
		r.set(worker.Job{ID: "j", Name: "a.txt", Size: 1, State: dstorage.JobFailed, Hash: "not-a-cid-at-all",
			Err: `dStor answered a hash that cannot be checked ("not-a-cid-at-all")`})
		assert.Equal(t, tr("Failed"), r.state.Text)
		assert.Contains(t, r.detail.Text, "cannot be checked")
		assert.False(t, r.copyLink.Visible())
		assert.False(t, r.open.Visible())
		assert.True(t, r.retry.Visible())
	})
}
