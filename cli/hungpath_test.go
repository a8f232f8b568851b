package cli

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// TestWindowOpensWhileAPathGivenDoesNotAnswer: `dstor-uploader
// /mnt/nas/report.pdf` ("Open with" on a file of a network share) looked
// at its first path, to tell a mistyped command, before the window
// opened: on a mount that does not answer, that stat blocks for minutes,
// and no window appeared. A path (a slash, or a dot) now goes to the
// window unlooked at, which looks at it off its UI goroutine; only a word
// that looks like a command is looked at (a file of that name here opens
// the window).
func TestWindowOpensWhileAPathGivenDoesNotAnswer(t *testing.T) {
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "uplod"), []byte("x"), 0o644))
	released := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(released) }) }
	t.Cleanup(func() { statArg = os.Stat })
	t.Cleanup(release)
	var statted []string
	var mu sync.Mutex
	statArg = func(p string) (os.FileInfo, error) {
		mu.Lock()
		statted = append(statted, p)
		mu.Unlock()
		if filepath.IsAbs(p) {
			<-released // a mount that does not answer
		}
		return os.Stat(p)
	}
	opened := make(chan []string, 1)
	openWindow = func(o ui.Options) error {
		opened <- o.Files
		return nil
	}
	windowFaked(t)

	nas := filepath.Join(t.TempDir(), "nas", "report.pdf")
	ran := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, "", nas)
		ran <- code
	}()
	select {
	case files := <-opened:
		assert.Equal(t, []string{nas}, files)
	case <-time.After(20 * time.Second): // a bound on a hang, not a wait for an event
		release()
		t.Error("no window opened while the stat of the path given was blocked")
		<-opened
	}
	assert.Equal(t, 0, <-ran)
	mu.Lock()
	assert.NotContains(t, statted, nas, "a path is not looked at before the window")
	mu.Unlock()

	code, _, errOut := runCLI(t, "", "uplod")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, []string{filepath.Join(dir, "uplod")}, <-opened, "a file named like a command opens the window")
}
