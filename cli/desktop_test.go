package cli

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

const desktopFile = "../build/linux/dstor-uploader.desktop"

// readDesktopEntry reads a .desktop file's groups of key=value lines.
func readDesktopEntry(t *testing.T, path string) map[string]map[string]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	groups := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			cur = map[string]string{}
			groups[strings.Trim(line, "[]")] = cur
		default:
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "%q is no key=value line", line)
			require.NotNil(t, cur, "a key before any group")
			cur[k] = v
		}
	}
	require.NoError(t, sc.Err())
	return groups
}

// TestDesktopEntry: file managers offer "Open with dStor Uploader" for any
// file and folder (application/octet-stream is the parent of every file
// type), the program gets the files as %F, and the "Upload files…" action
// runs a command line that asks for files.
func TestDesktopEntry(t *testing.T) {
	g := readDesktopEntry(t, desktopFile)
	entry := g["Desktop Entry"]
	require.NotNil(t, entry)
	mime := strings.Split(strings.TrimSuffix(entry["MimeType"], ";"), ";")
	assert.Contains(t, mime, "application/octet-stream")
	assert.Contains(t, mime, "inode/directory")
	assert.True(t, strings.HasSuffix(entry["Exec"], " %F"), entry["Exec"])
	assert.Equal(t, "dStor Uploader", entry["Name"])
	assert.Equal(t, "upload-files;", entry["Actions"])
	action := g["Desktop Action upload-files"]
	require.NotNil(t, action)
	assert.Equal(t, "Upload files…", action["Name"])

	toml, err := os.ReadFile("../FyneApp.toml")
	require.NoError(t, err)
	assert.Contains(t, string(toml), `ExecParams = " %F"`, "fyne's own entry takes files the same way")

	// The action's command line opens the window asking for files.
	t.Setenv(storage.HomeEnv, t.TempDir())
	var opened []ui.Options
	openWindow = func(o ui.Options) error { opened = append(opened, o); return nil }
	windowFaked(t)
	args := strings.Fields(action["Exec"])[1:]
	code, _, errOut := runCLI(t, "", args...)
	require.Equal(t, 0, code, errOut)
	require.Len(t, opened, 1)
	assert.True(t, opened[0].PickFiles)

	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		out, err := exec.Command("desktop-file-validate", desktopFile).CombinedOutput()
		assert.NoError(t, err, "%s", out)
		assert.Empty(t, strings.TrimSpace(string(out)))
	}
}

// TestOpenWithThroughTheDesktopEntry launches the desktop entry as a file
// manager does for "Open with" and a double-click: GLib (gio launch, what
// GNOME's Files uses) expands its Exec line's %F with a file whose name has
// a space and a folder, while a window signed in to the sandbox runs. The
// launch exits 0 at once, saying nothing, and the running window uploads
// the file and the folder's file.
func TestOpenWithThroughTheDesktopEntry(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("desktop entries are Linux's: on Windows the installer registers Open with, which make test-windows checks with the installed app")
	}
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: make test runs this under Xvfb")
	}
	gio, err := exec.LookPath("gio")
	if err != nil {
		t.Skip("gio (libglib2.0-bin, installed with GTK) launches desktop entries as file managers do")
	}
	home, files, bin := t.TempDir(), t.TempDir(), t.TempDir()
	startWindow(t, home, "the running window")

	// dstor-uploader in the entry's Exec line becomes a script that runs
	// this test binary as the program with what the launcher passed, and
	// keeps its exit status and output.
	child := windowChild(t, home)
	exe, err := filepath.Abs(child.Path)
	require.NoError(t, err)
	status, said := filepath.Join(bin, "status"), filepath.Join(bin, "said")
	script := filepath.Join(bin, "dstor-uploader")
	require.NoError(t, os.WriteFile(script, []byte(fmt.Sprintf("#!/bin/sh\n'%s' '%s' \"$@\" >'%s' 2>&1\necho $? >'%s'\n",
		exe, child.Args[1], said, status)), 0o755))
	entry, err := os.ReadFile(desktopFile)
	require.NoError(t, err)
	launcher := filepath.Join(bin, "dstor-uploader.desktop")
	require.NoError(t, os.WriteFile(launcher,
		[]byte(strings.ReplaceAll(string(entry), "Exec=dstor-uploader", "Exec="+script)), 0o644))

	file := testutil.WriteFile(t, filepath.Join(files, "open with me.txt"), 4000)
	folder := filepath.Join(files, "a folder")
	inFolder := testutil.WriteFile(t, filepath.Join(folder, "inside.txt"), 3000)
	// gio's output goes to a file, not a pipe the launched program would
	// hold open: a launch that hung would not hang the test.
	gioSaid, err := os.Create(filepath.Join(bin, "gio-said"))
	require.NoError(t, err)
	defer gioSaid.Close()
	launch := exec.Command(gio, "launch", launcher, file, folder)
	launch.Env, launch.Stdout, launch.Stderr = child.Env, gioSaid, gioSaid
	start := time.Now()
	require.NoError(t, launch.Run(), "gio launch")
	require.Eventually(t, func() bool { b, err := os.ReadFile(status); return err == nil && len(b) > 0 },
		time.Minute, 20*time.Millisecond, "the launched program exits (one that opened its own window would not)")
	t.Logf("the launch exited %s after gio was run", time.Since(start).Round(time.Millisecond))
	b, err := os.ReadFile(status)
	require.NoError(t, err)
	assert.Equal(t, "0", strings.TrimSpace(string(b)), "exit status")
	b, err = os.ReadFile(said)
	require.NoError(t, err)
	assert.Empty(t, string(b), "nothing to say")
	// Hang guards, not speed limits (see TestSecondLaunchHandsFilesToTheRunningWindow).
	require.Eventually(t, func() bool { return inHistory(t, home, file) && inHistory(t, home, inFolder) },
		150*time.Second, 50*time.Millisecond, "the running window uploads the file and the folder")
}
