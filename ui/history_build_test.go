package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// onUI reports whether the caller runs as the UI goroutine does: inside
// a function given to App.do (fyne.Do, which the test driver runs on the
// calling goroutine) or to testEnv.ui (a tap).
func onUI() bool {
	buf := make([]byte, 64<<10)
	stack := string(buf[:runtime.Stack(buf, false)])
	return strings.Contains(stack, ".(*lifecycle).do.") || strings.Contains(stack, ".(*testEnv).ui(")
}

// onUI finds the UI goroutine where the tests below need it, and only
// there: were lifecycle.do or testEnv.ui renamed, it would find nothing,
// and those tests would pass without checking anything.
func TestOnUIFindsTheUIGoroutine(t *testing.T) {
	e := newTestEnv(t)
	assert.False(t, onUI(), "a test's own goroutine")
	inTap, inDo := false, false
	e.ui(func() { inTap = onUI() })
	e.a.do(func() { inDo = onUI() })
	assert.True(t, inTap, "inside testEnv.ui (a tap)")
	assert.True(t, inDo, "inside App.do")
}

// heldBuilders build as the window does, but each build first tells
// started and then waits for release, so a test sees the window while a
// build is under way. A build on the UI goroutine is an error, and goes on
// at once rather than hang the test.
type heldBuilders struct {
	t        *testing.T
	started  chan struct{}
	release  chan struct{}
	builds   atomic.Int32
	released atomic.Bool
}

func holdBuilds(t *testing.T, h *historyView) *heldBuilders {
	b := &heldBuilders{t: t, started: make(chan struct{}, 16), release: make(chan struct{})}
	h.builders.list = func(l api.Links, style string, files []api.SharedFile) string {
		b.hold()
		return defaultBuilders.list(l, style, files)
	}
	h.builders.page = func(l api.Links, title string, files []api.SharedFile) ([]byte, error) {
		b.hold()
		return defaultBuilders.page(l, title, files)
	}
	return b
}

func (b *heldBuilders) hold() {
	b.builds.Add(1)
	b.started <- struct{}{}
	if onUI() {
		b.t.Error("built on the UI goroutine: the window is frozen until it is done")
		return
	}
	<-b.release
}

func (b *heldBuilders) let() {
	if !b.released.Swap(true) {
		close(b.release)
	}
}

// seedFolderShare adds a folder share of three files to the history and
// shows History, the share's row on screen.
func seedFolderShare(t *testing.T, e *testEnv) (storage.FolderKey, *folderRow) {
	k := storage.FolderKey{Folder: "/home/me/raw", BatchID: "b1"}
	for i := range 3 {
		_, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprintf("job-%d", i), Env: api.SandboxKey,
			Name: fmt.Sprintf("IMG_%03d.jpg", i), Size: 1000, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
			FinishedAt: fixedNow.Add(time.Duration(i) * time.Minute), AddedFolder: k.Folder, BatchID: k.BatchID})
		require.NoError(t, err)
	}
	a := e.a
	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
	})
	e.reloadHistory(3)
	var row *folderRow
	e.ui(func() {
		rows := shownFolderRows(a.win.Content())
		require.Len(t, rows, 1)
		row = rows[0]
	})
	return k, row
}

// indexPageBeingBuilt opens a test window signed in to the sandbox, shows
// a folder share k of three files in History and taps the share's Index
// page, its build held by b: it returns once the build has begun. The
// build is let go when the test ends, if not before (b.let).
func indexPageBeingBuilt(t *testing.T) (e *testEnv, k storage.FolderKey, b *heldBuilders) {
	t.Helper()
	e = newTestEnv(t)
	e.signInSandbox()
	k, row := seedFolderShare(t, e)
	b = holdBuilds(t, e.a.history)
	t.Cleanup(b.let)
	e.ui(func() { test.Tap(row.indexPage) })
	<-b.started
	return e, k, b
}

// TestLongTextsBuiltOffTheUIGoroutine: Copy all links, Copy links and
// Index page build every file's link — for a folder of 100,000 files 12 MB
// of links (0.2 s) or a 16 MB page (0.5 s), which froze the window while
// they were built on the UI goroutine. They are built on a goroutine of
// the App: the tap returns at once, the button is disabled until the
// result is applied (a second tap builds nothing more), then the links are
// on the clipboard, or the page is saved and queued.
func TestLongTextsBuiltOffTheUIGoroutine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		button func(a *App, row *folderRow) *widget.Button
		before func(a *App) // on the UI goroutine, before the tap
		done   func(a *App) bool
		check  func(t *testing.T, a *App, k storage.FolderKey)
	}{{
		name:   "Copy all links of a folder",
		button: func(_ *App, row *folderRow) *widget.Button { return &row.copyAll.Button },
		done:   func(a *App) bool { return a.fyne.Clipboard().Content() != "" },
		check: func(t *testing.T, a *App, k storage.FolderKey) {
			assert.Equal(t, 2, strings.Count(a.fyne.Clipboard().Content(), "\n"), "three links")
			assert.Equal(t, "3 links copied to the clipboard", a.toast.Text)
		},
	}, {
		name:   "Copy links of the selection",
		before: func(a *App) { a.history.selectAll() },
		button: func(a *App, _ *folderRow) *widget.Button { return a.history.selBar.copyLinks },
		done:   func(a *App) bool { return a.fyne.Clipboard().Content() != "" },
		check: func(t *testing.T, a *App, k storage.FolderKey) {
			assert.Equal(t, 2, strings.Count(a.fyne.Clipboard().Content(), "\n"), "three links")
		},
	}, {
		name:   "Index page of a folder",
		button: func(_ *App, row *folderRow) *widget.Button { return &row.indexPage.Button },
		done:   func(a *App) bool { return strings.HasPrefix(a.toast.Text, "Uploading the index page") },
		check: func(t *testing.T, a *App, k storage.FolderKey) {
			assert.FileExists(t, filepath.Join(a.indexPagesDir(), folderPageDirName(k), "raw-index.html"))
		},
	}, {
		name:   "Index page of the selection",
		before: func(a *App) { a.history.selectAll() },
		button: func(a *App, _ *folderRow) *widget.Button { return a.history.selBar.indexPage },
		done:   func(a *App) bool { return strings.HasPrefix(a.toast.Text, "Uploading the index page of 3 uploads") },
		check: func(t *testing.T, a *App, k storage.FolderKey) {
			pages, err := filepath.Glob(filepath.Join(a.indexPagesDir(), "*", "3-uploads-index.html"))
			require.NoError(t, err)
			assert.Len(t, pages, 1)
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			a := e.a
			e.signInSandbox()
			k, row := seedFolderShare(t, e)
			b := holdBuilds(t, a.history)
			defer b.let()
			var button *widget.Button
			e.ui(func() {
				if tc.before != nil {
					tc.before(a)
				}
				button = tc.button(a, row)
				require.False(t, button.Disabled())
				test.Tap(button)
			})
			<-b.started
			e.ui(func() {
				assert.True(t, button.Disabled(), "the button says the work is under way")
				test.Tap(button)
				assert.False(t, tc.done(a), "nothing applied before it is built")
			})
			b.let()
			e.eventually(func() bool { return tc.done(a) }, "the result applied")
			e.ui(func() {
				assert.False(t, button.Disabled(), "the button is back")
				tc.check(t, a, k)
			})
			a.Close() // waits for every goroutine the App started
			assert.Equal(t, int32(1), b.builds.Load(), "built once, for the first tap only")
		})
	}
}

// TestQuitWhileBuildingAnIndexPage: a window closed while an index page
// is being built waits for the build (the App owns its goroutine), then
// neither saves nor queues the page, nor touches a widget.
func TestQuitWhileBuildingAnIndexPage(t *testing.T) {
	e, k, b := indexPageBeingBuilt(t)
	a := e.a
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		a.Close()
	}()
	<-a.stop // the window is closing
	b.let()
	<-closed
	assert.NoFileExists(t, filepath.Join(a.indexPagesDir(), folderPageDirName(k), "raw-index.html"), "nothing saved after the quit")
	_, err := os.Stat(filepath.Join(a.indexPagesDir(), folderPageDirName(k)))
	assert.True(t, os.IsNotExist(err), "nor its folder made")
	assert.Equal(t, int32(1), b.builds.Load())
}

// TestSignOutWhileBuildingAnIndexPage: an index page is built for the
// account signed in when Index page was tapped. Signed out while it is
// being built — and maybe signed in to another account by then — the page
// is neither queued for the account now signed in nor kept to wait for
// whoever signs in next, and no toast says it is being uploaded.
func TestSignOutWhileBuildingAnIndexPage(t *testing.T) {
	for _, tc := range []struct {
		name    string
		another bool // sign in to another account before the page is built
	}{
		{name: "signed out"},
		{name: "signed in to another account", another: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, k, b := indexPageBeingBuilt(t)
			a := e.a
			e.ui(func() { test.Tap(a.signOut) })
			e.eventually(func() bool { return a.sess == nil }, "signed out")
			if tc.another {
				e.signInCustom(testutil.StartSandbox(t, sandbox.Config{}))
			}
			b.let()
			e.eventually(func() bool { return len(a.history.building) == 0 }, "the build is over")
			e.ui(func() {
				assert.Empty(t, a.pending, "no page waits for the next sign-in")
				assert.NotContains(t, a.toast.Text, "Uploading the index page")
			})
			a.Close() // waits for every goroutine the App started: any add is saved by now
			page := filepath.Join(a.indexPagesDir(), folderPageDirName(k), "raw-index.html")
			jobs, err := e.db.Jobs()
			require.NoError(t, err)
			for _, j := range jobs {
				assert.NotEqual(t, page, j.LocalPath, "queued for %s", j.Account)
			}
			walks, err := e.db.WalksBeforeSignIn()
			require.NoError(t, err)
			for _, w := range walks {
				assert.NotEqual(t, page, w.Path, "kept for the next sign-in")
			}
		})
	}
}
