//go:build screenshots

// The screenshot tooling of `make screenshots`, built only with -tags
// screenshots: the shipped binary has none of it (see screenshot_off.go).

package ui

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// ScreenshotEnv names the variable `make screenshots` sets to put the real
// binary in a known state: "signin", "signin-error", "queue" or "history",
// optionally followed by ":dark" and by ":WIDTHxHEIGHT" (the window's size,
// 1100x720 when not given). Nothing else reads it.
const ScreenshotEnv = "DSTOR_UPLOADER_SCREENSHOT"

type screenshot struct {
	state string
	dark  bool
	size  fyne.Size
}

// theme is the forced theme of a screenshot ("" when not taking one).
func (s screenshot) theme() string {
	switch {
	case s.state == "":
		return ""
	case s.dark:
		return storage.ThemeDark
	}
	return storage.ThemeLight
}

func screenshotFromEnv() screenshot {
	v := strings.TrimSpace(os.Getenv(ScreenshotEnv))
	if v == "" {
		return screenshot{}
	}
	parts := strings.Split(v, ":")
	shot := screenshot{state: parts[0], size: fyne.NewSize(1100, 720)}
	for _, p := range parts[1:] {
		var w, h float32
		if _, err := fmt.Sscanf(p, "%fx%f", &w, &h); err == nil && w > 0 && h > 0 {
			shot.size = fyne.NewSize(w, h)
		} else if p == "dark" {
			shot.dark = true
		}
	}
	return shot
}

// startScreenshot prepares the window for one screenshot: a fixed size, a
// forced theme, slowed-down uploads for a busy queue, and the History tab
// once the uploads are done. It says on standard output when the window
// shows what the screenshot is of (waitReady).
func (a *App) startScreenshot(s screenshot) {
	a.win.Resize(s.size)
	a.win.SetFixedSize(true)
	ready := func() bool { return true } // the sign-in screen, shown at once
	switch s.state {
	case "signin-error":
		// The email tab after a wrong password: where the error goes.
		v := a.signin
		v.methods.Select(v.loginTab)
		v.password.SetText("not-the-password")
		v.onSubmitLogin()
		ready = func() bool { return v.loginError.Visible() && v.loginError.Text != "" }
	case "queue":
		a.setUploadLimit(4 << 20) // a busy queue: about 1.4 MB/s for each of three uploads
		a.upload.folder.SetText("/photos/2026/")
		// The small files uploaded, the large ones on their way.
		ready = func() bool { return a.sess != nil && a.upload.sum.Done >= 2 }
	case "history":
		a.upload.folder.SetText("/photos/2026/")
		a.upload.comment.SetText("Spring trip")
		ready = a.historyShot()
	}
	a.goBg(func() { a.waitReady(ready) })
}

// historyShot is the History screenshot's readiness: once the uploads are
// done it opens History, then copies the newest link (to show where "Link
// copied" goes) and opens the first folder share, and is ready once every
// picture's thumbnail is made and shown.
func (a *App) historyShot() func() bool {
	shown, opened, settled := false, false, 0
	return func() bool {
		h := a.history
		switch {
		case !shown && a.sess != nil && a.upload.sum.Total > 0 && !a.upload.busy():
			shown = true
			a.tabs.Select(a.historyTab)
		case shown && !opened && len(h.entries) > 0:
			opened = true
			a.toastStays = true
			h.copyNewest()
		case opened && h.openFirstFolder() && h.thumbnailsMade():
			settled++ // the second time: their rows have them too
		}
		return settled >= 2
	}
}

// thumbnailsMade asks for the thumbnail of every picture History holds
// and reports whether all are made (or known to make none).
func (h *historyView) thumbnailsMade() bool {
	made := true
	for _, e := range h.entries {
		if !hasThumbnail(e) {
			continue
		}
		if _, known := h.thumbs.cached(e); !known {
			made = false
			h.thumbs.request(e, func() bool { return true }, func(fyne.Resource) {})
		}
	}
	return made
}

// waitReady checks ready on the UI goroutine every 200 ms until it holds,
// then prints "screenshot: ready", the line make screenshots waits for
// before it takes the picture.
func (a *App) waitReady(ready func() bool) {
	// a.do, not fyne.DoAndWait: it takes the UI lock and does nothing
	// after Close, so quitting never waits on this loop.
	var done atomic.Bool
	for !done.Load() && a.sleep(200*time.Millisecond) {
		a.do(func() {
			if !done.Load() && ready() {
				done.Store(true)
			}
		})
	}
	if done.Load() {
		fmt.Println("screenshot: ready")
	}
}

// openFirstFolder opens the first folder share listed when it is closed
// (the screenshots show one open) and reports whether one is open: false
// while none is listed yet.
func (h *historyView) openFirstFolder() bool {
	for _, item := range h.items {
		if item.entry < 0 {
			if !h.expanded[item.folder.key] {
				h.toggleFolder(item.folder.key)
			}
			return true
		}
	}
	return false
}
