//go:build unix

package cli

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestUploadStoppedWhileItSignsInExitsAsStopped: Ctrl+C, SIGTERM or a
// hang-up while upload or resume waits for dStor to answer its sign-in
// (a server that does not answer: here a loopback listener that takes
// the connection and says nothing). The sign-in ended, and the command
// said its error, "get token from API key canceled", and exited 1, where
// README says a command a signal stopped exits 128 + its number (130, 143,
// 129), as it does once signed in. It now says it was interrupted while
// signing in, what it did not do and what to run, and exits so.
func TestUploadStoppedWhileItSignsInExitsAsStopped(t *testing.T) {
	for _, tc := range []struct {
		command string
		says    string
	}{
		{"upload", `Interrupted while signing in: nothing was added to the queue or uploaded. Run the same "dstor-uploader upload" again.`},
		{"resume", `Interrupted while signing in: nothing was resumed. Run "dstor-uploader resume" to finish.`},
	} {
		for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
			t.Run(tc.command+" "+sig.String(), func(t *testing.T) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				require.NoError(t, err)
				t.Cleanup(func() { _ = ln.Close() })
				accepted := make(chan net.Conn, 16)
				go func() { // ends when the listener closes
					for {
						c, err := ln.Accept()
						if err != nil {
							return
						}
						t.Cleanup(func() { _ = c.Close() })
						accepted <- c
					}
				}()
				home := t.TempDir()
				t.Setenv(storage.HomeEnv, home)
				t.Setenv(APIKeyEnv, strings.Repeat("k", 64))
				file := filepath.Join(t.TempDir(), "a.txt")
				require.NoError(t, os.WriteFile(file, []byte("a"), 0o600))
				args := []string{tc.command, "--env", "http://" + ln.Addr().String()}
				if tc.command == "upload" {
					args = append(args, file)
				}
				cmd := testutil.ChildCommand(args...)
				var out, errOut bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errOut
				startInterruptible(t, cmd)
				t.Cleanup(func() { _ = cmd.Process.Kill() })
				<-accepted // its sign-in reached the server, which does not answer
				require.NoError(t, cmd.Process.Signal(sig))
				code := exitStatus(t, cmd.Wait())
				t.Logf("%s ended: %s; it said:\n%s%s", tc.command, cmd.ProcessState, out.String(), errOut.String())
				assert.Equal(t, exitStatusOf(sig), code)
				assert.Contains(t, errOut.String(), tc.says)
				assert.NotContains(t, errOut.String(), "canceled", "no Go error")
			})
		}
	}
}
