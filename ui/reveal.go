package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// Show in folder opens the file manager at the file, selected: on Linux
// and the BSDs through the freedesktop FileManager1 D-Bus interface that
// Nautilus, Dolphin, Nemo, Caja and Thunar answer; on Windows with
// Explorer's /select; on macOS with open -R (Finder). When that fails (no
// such file manager, no session bus) it opens the folder that holds the
// file instead.

// revealTimeout bounds the D-Bus call: a file manager started for it
// answers well within it.
const revealTimeout = 5 * time.Second

// fileManager1 is the freedesktop D-Bus interface that shows files in a
// file manager, and where it answers.
const (
	fileManager1      = "org.freedesktop.FileManager1"
	fileManager1Path  = "/org/freedesktop/FileManager1"
	fileManager1Items = fileManager1 + ".ShowItems"
)

// revealer shows a file selected in the system's file manager. Its parts
// are fields so the tests can give each OS's and watch what it does.
type revealer struct {
	goos string
	// busAddress is the D-Bus session bus's address ("" when there is none).
	busAddress func() string
	// run runs a command to its end.
	run func(ctx context.Context, name string, args []string, cmdLine string) error
	// openFolder opens a folder's file:// address (Fyne's OpenURL).
	openFolder func(*url.URL) error
}

// show shows path selected in the file manager, or else opens its folder.
// The error is openFolder's: a selection that failed only loses the
// selection.
func (r revealer) show(ctx context.Context, path string) error {
	if err := r.selectFile(ctx, path); err == nil {
		return nil
	}
	return r.openFolder(folderURL(path))
}

// selectFile asks the file manager to show path selected.
func (r revealer) selectFile(ctx context.Context, path string) error {
	switch r.goos {
	case "windows":
		// Explorer exits with 1 even when it did as asked: only a start
		// that failed counts.
		err := r.run(ctx, "explorer.exe", []string{"/select," + path}, explorerCommandLine(path))
		if _, exited := errors.AsType[*exec.ExitError](err); exited {
			return nil
		}
		return err
	case "darwin":
		return r.run(ctx, "open", []string{"-R", path}, "")
	}
	ctx, cancel := context.WithTimeout(ctx, revealTimeout)
	defer cancel()
	return showItems(ctx, r.busAddress(), fileURL(path))
}

// explorerCommandLine is Explorer's command line that selects path. It is
// written out whole: Explorer reads /select,"C:\a b\c.txt" but not the
// quoting Go would give the one argument ("/select,C:\a b\c.txt"). A
// Windows path cannot hold a quote.
func explorerCommandLine(path string) string {
	return `explorer.exe /select,"` + path + `"`
}

// fileURL is the file:// address of path.
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// showItems calls FileManager1.ShowItems for uri on the session bus at
// address.
func showItems(ctx context.Context, address, uri string) error {
	if address == "" {
		return errors.New("no D-Bus session bus")
	}
	conn, err := dbus.Connect(address, dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("cannot reach the D-Bus session bus: %w", err)
	}
	defer conn.Close()
	call := conn.Object(fileManager1, fileManager1Path).CallWithContext(ctx, fileManager1Items, 0, []string{uri}, "")
	if call.Err != nil {
		return fmt.Errorf("the file manager did not show %s: %w", uri, call.Err)
	}
	return nil
}

// runCommand runs name with args (or, when cmdLine is set and the system
// reads one, that command line) and waits for it.
func runCommand(ctx context.Context, name string, args []string, cmdLine string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	setCmdLine(cmd, cmdLine)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// systemRevealer is the revealer of the system the app runs on.
func (a *App) systemRevealer() revealer {
	return revealer{
		goos:       runtime.GOOS,
		busAddress: func() string { return os.Getenv("DBUS_SESSION_BUS_ADDRESS") },
		run:        runCommand,
		openFolder: a.fyne.OpenURL,
	}
}
