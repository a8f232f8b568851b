//go:build !windows

package cli

import (
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestUploadEndsAtCtrlCWhileItsFileDoesNotAnswer: `upload` of a file on a
// network share or a USB disk that stopped answering mid-read: the first
// Ctrl+C ended the wait for the queue, but its Close waited for the read,
// which never returns, so only a second Ctrl+C (the system's) ended the
// process. The first now ends it, and `resume` then uploads the file once
// the drive answers. SIGTERM stands in for Ctrl+C (the same handler; the
// test's parent may ignore Ctrl+C), and this test watches it too, so that
// none ends the test binary.
func TestUploadEndsAtCtrlCWhileItsFileDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "big.bin"), 3*api.ChunkSize)
	hung, released := make(chan struct{}, 8), make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(released) }) }
	restore := readhook.Set(func(path string, read int64) {
		if filepath.Base(path) == "big.bin" && read >= api.ChunkSize {
			select {
			case hung <- struct{}{}:
			default:
			}
			<-released // a drive that stopped answering
		}
	})
	t.Cleanup(func() { release(); restore() })
	caught := make(chan os.Signal, 8)
	signal.Notify(caught, syscall.SIGTERM)
	defer signal.Stop(caught)

	done := make(chan int, 1)
	go func() {
		code, _, _ := runCLI(t, "", "upload", "--env", sb.URL, file)
		done <- code
	}()
	select {
	case <-hung:
	case <-time.After(20 * time.Second):
		t.Fatal("the upload never read its file")
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case code := <-done:
		assert.NotEqual(t, 0, code, "interrupted")
	case <-time.After(20 * time.Second): // a bound on a hang, not a wait for an event
		t.Error("the first Ctrl+C did not end an upload whose file does not answer")
		release()
		<-done
	}

	release()
	restore()
	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "", "history")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "big.bin", "resume uploaded it")
}
