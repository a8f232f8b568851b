package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeChooser puts an executable named name on PATH that prints out and
// exits with code.
func fakeChooser(t *testing.T, name, out string, code int) {
	t.Helper()
	dir := t.TempDir()
	script := "#!/bin/sh\nprintf '%s' '" + out + "'\nexit " + string(rune('0'+code)) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(script), 0o755))
	t.Setenv("PATH", dir)
}

func TestPickFilesWithHelper(t *testing.T) {
	t.Run("several files from zenity", func(t *testing.T) {
		fakeChooser(t, "zenity", "/tmp/a b.txt\n/tmp/c.txt\n", 0)
		paths, ok := pickFilesWithHelper(context.Background())
		assert.True(t, ok)
		assert.Equal(t, []string{"/tmp/a b.txt", "/tmp/c.txt"}, paths)
	})
	t.Run("kdialog when zenity is missing", func(t *testing.T) {
		fakeChooser(t, "kdialog", "/tmp/k.txt\n", 0)
		paths, ok := pickFilesWithHelper(context.Background())
		assert.True(t, ok)
		assert.Equal(t, []string{"/tmp/k.txt"}, paths)
	})
	t.Run("canceled", func(t *testing.T) {
		fakeChooser(t, "zenity", "", 1)
		paths, ok := pickFilesWithHelper(context.Background())
		assert.True(t, ok, "a cancel is an answer: no fallback dialog")
		assert.Empty(t, paths)
	})
	t.Run("broken chooser falls back", func(t *testing.T) {
		fakeChooser(t, "zenity", "", 5)
		_, ok := pickFilesWithHelper(context.Background())
		assert.False(t, ok)
	})
	t.Run("none installed", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, ok := pickFilesWithHelper(context.Background())
		assert.False(t, ok)
	})
}

// A chooser still open when the window closes is ended with it, instead of
// keeping the app alive until the person answers it: this one would stay
// open an hour, so a pick that waited for it would still be waiting at the
// hang guard.
func TestPickFilesWithHelperEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	// The chooser says it is open on a FIFO, and the window closes then:
	// not after a fixed delay, which could end it before it even ran.
	fifo := filepath.Join(dir, "open")
	require.NoError(t, exec.Command("mkfifo", fifo).Run())
	script := "#!/bin/sh\necho open > '" + fifo + "'\nexec sleep 3600\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "zenity"), []byte(script), 0o755))
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	t.Cleanup(func() { // a reader still waiting for the chooser gets EOF
		if f, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			_ = f.Close()
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if b, err := os.ReadFile(fifo); err == nil && len(b) > 0 {
			cancel()
		}
	}()
	type picked struct {
		paths []string
		ok    bool
	}
	res := make(chan picked, 1)
	go func() { paths, ok := pickFilesWithHelper(ctx); res <- picked{paths, ok} }()
	var r picked
	select {
	case r = <-res:
	case <-time.After(2 * time.Minute):
		t.Fatal("the pick waits for the chooser after the window closed")
	}
	assert.True(t, r.ok, "no fallback dialog after the window closed")
	assert.Empty(t, r.paths)
}

// TestFyneFileDialogsOpen: the fallback file, folder and save dialogs
// open over the window (Fyne 2.8.1 panics when its file dialog is resized
// before it is shown, which the app did).
func TestFyneFileDialogsOpen(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.ui(func() {
		c := a.win.Canvas()
		for name, open := range map[string]func(){
			"file":   func() { a.fyneOpenFile() },
			"folder": func() { a.fyneOpenFolder() },
			"save": func() {
				a.fyneSaveFile("Export", "history.csv", func(string) { t.Error("saved without a choice") })
			},
		} {
			open()
			require.NotNil(t, c.Overlays().Top(), "%s dialog open", name)
			dismissOverlays(c)
		}
	})
}
