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
// once the uploads are done.
func (a *App) startScreenshot(s screenshot) {
	a.win.Resize(s.size)
	a.win.SetFixedSize(true)
	switch s.state {
	case "signin-error":
		// The email tab after a wrong password: where the error goes.
		v := a.signin
		v.methods.Select(v.loginTab)
		v.password.SetText("not-the-password")
		v.onSubmitLogin()
	case "queue":
		a.setUploadLimit(4 << 20) // a busy queue: about 1.4 MB/s for each of three uploads
		a.upload.folder.SetText("/photos/2026/")
	case "history":
		a.upload.folder.SetText("/photos/2026/")
		a.upload.comment.SetText("Spring trip")
		a.goBg(func() {
			// a.do, not fyne.DoAndWait: it takes the UI lock and does
			// nothing after Close, so quitting never waits on this loop.
			var shown, copied atomic.Bool
			for !copied.Load() && a.sleep(200*time.Millisecond) {
				a.do(func() {
					switch {
					case !shown.Load() && a.sess != nil && a.upload.sum.Total > 0 && !a.upload.busy():
						shown.Store(true)
						a.tabs.Select(a.historyTab)
					case shown.Load() && !copied.Load() && len(a.history.entries) > 0:
						copied.Store(true)
						a.toastStays = true
						a.history.copyNewest() // shows where "Link copied" goes
						a.history.openFirstFolder()
					}
				})
			}
		})
	}
}

// openFirstFolder opens the first folder share listed, if any (the
// screenshots show one open).
func (h *historyView) openFirstFolder() {
	for _, item := range h.items {
		if item.entry < 0 {
			h.toggleFolder(item.folder.key)
			return
		}
	}
}
