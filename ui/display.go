package ui

import (
	"errors"
	"os"
	"runtime"
)

// ErrNoDisplay is Run's error where no window can open: on Linux and the
// BSDs no X11 or Wayland display is named (an SSH session, a service), and
// GLFW would panic with a stack trace instead of a sentence.
var ErrNoDisplay = errors.New("there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set, as in an SSH session). " +
	"Run dstor-uploader in your desktop session, or upload from here with its commands: dstor-uploader upload FILE… (see dstor-uploader --help)")

// CheckDisplay is ErrNoDisplay where no window can open, else nil. The
// command line asks it before it claims the data folder, so that a window
// that cannot open makes nothing on disk; Run asks it too.
func CheckDisplay() error {
	if !hasDisplay() {
		return ErrNoDisplay
	}
	return nil
}

// hasDisplay reports whether a window can open: Windows and macOS always
// have their own; elsewhere GLFW needs an X11 or a Wayland display.
func hasDisplay() bool {
	switch runtime.GOOS {
	case "windows", "darwin":
		return true
	}
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
