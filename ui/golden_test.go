package ui

import (
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestGoldens renders the main screens, light and dark, to markup under
// testdata/. Nothing time- or port-dependent is on them.
func TestGoldens(t *testing.T) {
	for _, variant := range []string{storage.ThemeLight, storage.ThemeDark} {
		t.Run(variant, func(t *testing.T) {
			e := newTestEnv(t)
			a := e.a
			seedHistory(t, e.db, 6)
			// Checked links: live ones, and one not reachable yet.
			page, err := e.db.HistoryPage(storage.HistoryQuery{})
			require.NoError(t, err)
			for i, h := range page {
				c := storage.LiveCheck{At: fixedNow, Took: time.Duration(20+i) * time.Millisecond}
				if i == 2 {
					c = storage.LiveCheck{At: fixedNow, Error: "not reachable yet: the gateway answered 404 Not Found"}
				}
				require.NoError(t, e.db.SetLive(h.ID, c))
			}
			e.ui(func() {
				a.now = func() time.Time { return fixedNow }
				a.applyTheme(variant)
				a.win.Resize(fyne.NewSize(980, 680))
				a.signin.env.SetSelected(choiceSandbox)
				test.AssertRendersToMarkup(t, "signin_"+variant+".xml", a.win.Canvas())

				a.signin.methods.Select(a.signin.loginTab)
				a.signin.setError("dStor refused the email or password: check them and try again.")
				test.AssertRendersToMarkup(t, "signin_error_"+variant+".xml", a.win.Canvas())
				for _, size := range goldenSizes {
					a.win.Resize(size)
					a.signin.methods.Select(a.signin.keyTab)
					assertGolden(t, "signin", size, variant, a.win.Canvas())
					a.signin.methods.Select(a.signin.loginTab)
					assertGolden(t, "signin_error", size, variant, a.win.Canvas())
				}
				a.win.Resize(fyne.NewSize(980, 680))

				// The main window without a session: no account id or port
				// in the header.
				a.win.SetContent(a.mainView)
				a.prefs.dataDir.SetText("History and settings are stored in the data folder.")
				a.tabs.Select(a.uploadTab)
				test.AssertRendersToMarkup(t, "upload_empty_"+variant+".xml", a.win.Canvas())
				// The queue's row kinds at the smallest and a large size.
				a.upload.jobs = goldenJobs()
				a.upload.reindex()
				a.upload.sum = worker.Summary{Total: 5, Done: 1, Already: 1, Queued: 1, Uploading: 1, Failed: 1,
					BytesTotal: 30_000_000, BytesDone: 12_000_000, Paused: true}
				a.upload.render()
				for _, size := range goldenSizes {
					a.win.Resize(size)
					assertGolden(t, "upload_rows", size, variant, a.win.Canvas())
				}
				a.win.Resize(fyne.NewSize(980, 680))
				a.tabs.Select(a.settingsTab)
				test.AssertRendersToMarkup(t, "settings_"+variant+".xml", a.win.Canvas())
				a.tabs.Select(a.historyTab) // reloads
			})
			e.eventually(func() bool { return len(a.history.entries) == 8 }, "history loaded")
			e.ui(func() {
				test.AssertRendersToMarkup(t, "history_"+variant+".xml", a.win.Canvas())
				for _, size := range goldenSizes {
					a.win.Resize(size)
					assertGolden(t, "history", size, variant, a.win.Canvas())
				}
			})
		})
	}
}

// goldenSizes are the window sizes every screen is checked at: a small
// laptop's usual window and a large one.
var goldenSizes = []fyne.Size{{Width: 640, Height: 480}, {Width: 1280, Height: 800}}

// assertGolden checks what c shows at size against
// testdata/screen_WxH_variant.xml and saves it as a PNG (savePNG).
func assertGolden(t *testing.T, screen string, size fyne.Size, variant string, c fyne.Canvas) {
	t.Helper()
	name := fmt.Sprintf("%s_%.0fx%.0f_%s", screen, size.Width, size.Height, variant)
	test.AssertRendersToMarkup(t, name+".xml", c)
	savePNG(t, name, c)
}

// goldenJobs are one job of each kind a row shows, with fixed data.
func goldenJobs() []worker.Job {
	at := fixedNow.Add(-time.Hour)
	return []worker.Job{
		{ID: "1", Name: "report.pdf", Size: 2_400_000, FolderPath: "/reports/", State: storage.JobDone, Verified: true,
			Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", StartedAt: at, FinishedAt: at},
		{ID: "2", Name: "notes.txt", Size: 18_000, State: storage.JobAlready, Verified: true,
			Hash: "QmZ2H9u1hgzDgAyVzYGbXBjCfJ5czSEWwJyybYnrMpVidR", Err: "already uploaded on 20 May 2026 at 14:03"},
		{ID: "3", Name: "holiday-video.mp4", Size: 16_000_000, State: storage.JobQueued, PausedAt: 6_000_000,
			Err: "paused partway"},
		{ID: "4", Name: "dataset.csv", Size: 9_000_000, State: storage.JobUploading, Sent: 3_000_000},
		{ID: "5", Name: "live-feed.pipe", State: storage.JobFailed, Err: "cannot read it"},
	}
}

// savePNG writes what c shows to $DSTOR_GOLDEN_PNG/name.png when that is
// set, to look at a golden as an image.
func savePNG(t *testing.T, name string, c fyne.Canvas) {
	dir := os.Getenv("DSTOR_GOLDEN_PNG")
	if dir == "" {
		return
	}
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, c.Capture()); err != nil {
		t.Fatal(err)
	}
}
