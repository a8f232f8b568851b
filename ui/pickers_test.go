package ui

import (
	"context"
	"os"
	"path/filepath"
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
// keeping the app alive until the person answers it.
func TestPickFilesWithHelperEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\nexec sleep 30\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "zenity"), []byte(script), 0o755))
	t.Setenv("PATH", dir+":/usr/bin:/bin")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	paths, ok := pickFilesWithHelper(ctx)
	assert.True(t, ok, "no fallback dialog after the window closed")
	assert.Empty(t, paths)
	assert.Less(t, time.Since(start), 10*time.Second)
}
