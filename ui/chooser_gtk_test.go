//go:build linux

package ui

import (
	"debug/elf"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The program must not link GTK: every start, the command line's too,
// would load its libraries again. This test binary links what the ui
// package links.
func TestGTKIsNotLinked(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	f, err := elf.Open(exe)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	libs, err := f.ImportedLibraries()
	require.NoError(t, err)
	require.NotEmpty(t, libs, "a cgo binary imports libc at least")
	for _, lib := range libs {
		assert.NotContains(t, lib, "gtk", "linked: %s", lib)
		assert.NotContains(t, lib, "gdk", "linked: %s", lib)
	}
	assert.True(t, gtkLoadable(), "GTK 3 (libgtk-3.so.0, with every function the chooser calls) could not be loaded; make deps installs it")
}

// The chooser opens GTK's dialog on demand and reports what the person
// did: canceled, or a path typed and accepted. xdotool plays the person.
func TestGTKChooserAnswers(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: make test runs this under Xvfb")
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool is not installed (Debian package xdotool)")
	}
	t.Setenv("DSTOR_UPLOADER_FYNE_DIALOGS", "")
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	t.Run("Escape cancels", func(t *testing.T) {
		title := fmt.Sprintf("chooser test %d", rng.Uint32())
		got := startChooser(chooser{title: title, kind: chooseFolder})
		win := waitForWindow(t, title)
		xdotool(t, "windowfocus", "--sync", win)
		xdotool(t, "key", "Escape")
		r := <-got
		require.NoError(t, r.err)
		assert.Empty(t, r.path)
	})
	t.Run("a typed path is accepted", func(t *testing.T) {
		title := fmt.Sprintf("chooser test %d", rng.Uint32())
		want := filepath.Join(t.TempDir(), "receipt.png")
		got := startChooser(chooser{title: title, kind: chooseSave, filterName: "PNG file", filterExt: "png", startName: "x.png"})
		win := waitForWindow(t, title)
		xdotool(t, "windowfocus", "--sync", win)
		xdotool(t, "key", "ctrl+a")
		xdotool(t, "type", want)
		xdotool(t, "key", "Return")
		r := <-got
		require.NoError(t, r.err)
		assert.Equal(t, want, r.path)
	})
}

type chooserResult struct {
	path string
	err  error
}

// startChooser runs c on its own goroutine; the result arrives once the
// dialog is closed.
func startChooser(c chooser) <-chan chooserResult {
	got := make(chan chooserResult, 1)
	go func() {
		path, err := runNative(c)
		got <- chooserResult{path, err}
	}()
	return got
}

// waitForWindow waits for a mapped window titled title and returns its id.
func waitForWindow(t *testing.T, title string) string {
	t.Helper()
	var win string
	require.Eventually(t, func() bool {
		out, err := exec.Command("xdotool", "search", "--onlyvisible", "--name", title).Output()
		win = strings.TrimSpace(string(out))
		return err == nil && win != ""
	}, 30*time.Second, 50*time.Millisecond, "no window %q appeared", title)
	return strings.Fields(win)[0]
}

func xdotool(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command("xdotool", args...).CombinedOutput()
	require.NoError(t, err, "xdotool %s: %s", strings.Join(args, " "), out)
}
