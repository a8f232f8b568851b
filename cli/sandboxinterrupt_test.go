package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestSandboxEndsAtASecondCtrlC: Ctrl+C shuts a real `sandbox` down,
// which waits (up to the sandbox's shutdown bound, 5 s) for the uploads
// still being sent; a second Ctrl+C then must end it at once, as it ends
// upload and verify (cli/interrupt.go). Before, the sandbox caught every
// Ctrl+C itself until it returned: the second was swallowed and it went
// on waiting, then exited 0. Here an upload whose body never ends holds
// the shutdown: a shutdown that ends logs it.
func TestSandboxEndsAtASecondCtrlC(t *testing.T) {
	cmd := testutil.ChildCommand("sandbox", "--listen", "127.0.0.1:0", "--data", t.TempDir())
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	startInterruptible(t, cmd)
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	printed := map[string]string{}
	out := bufio.NewScanner(stdout)
	for len(printed) < 2 && out.Scan() {
		k, v, _ := strings.Cut(out.Text(), ": ")
		printed[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	logged := make(chan string, 100)
	go func() {
		defer close(logged)
		for sc := bufio.NewScanner(stderr); sc.Scan(); {
			logged <- sc.Text()
		}
	}()
	base, key := printed["API base"], printed["API key"]
	require.NotEmpty(t, base, "the sandbox printed its address")

	// An upload that sends part of its body, then nothing.
	req, err := http.NewRequest(http.MethodGet, base+"/v1/dev/temp-token", nil)
	require.NoError(t, err)
	req.Header.Set("api-key", key)
	client := &http.Client{Transport: &http.Transport{}, Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	require.NoError(t, err)
	var ans struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	resp.Body.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(2*time.Minute))) // a hang guard
	_, err = fmt.Fprintf(conn, "POST /api/v0/add HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n",
		strings.TrimPrefix(base, "http://"), ans.AccessToken)
	require.NoError(t, err)
	// The sandbox asks for the body once its handler reads it: the upload
	// is then in flight, which its shutdown waits for.
	line, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	require.Contains(t, line, "100 Continue")
	_, err = io.WriteString(conn, "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n\r\npart of it")
	require.NoError(t, err)

	interrupt(t, cmd) // Ctrl+C
	waitLogged(t, logged, "shutting down")
	interrupt(t, cmd) // and again, while the upload holds the shutdown
	ended := make(chan struct{})
	var after []string // what the sandbox logged after "shutting down"
	go func() {
		for line := range logged { // until the sandbox ends
			after = append(after, line)
		}
		_ = cmd.Wait()
		close(ended)
	}()
	select {
	case <-ended:
	case <-time.After(2 * time.Minute):
		t.Fatal("the sandbox did not end")
	}
	// A sandbox whose shutdown ended logs the upload's request as it
	// returns; one the second Ctrl+C ended never does.
	logs := strings.Join(after, "\n")
	assert.NotContains(t, logs, "/api/v0/add", "the second Ctrl+C ended it, not the end of its shutdown (%s): it logged\n%s", cmd.ProcessState, logs)
	if runtime.GOOS != "windows" { // Wine's Ctrl+C ends a process with status 0
		assert.False(t, cmd.ProcessState.Success(), "ended by the second Ctrl+C: %s", cmd.ProcessState)
	}
}

// waitLogged waits until the sandbox logs a line that contains want.
func waitLogged(t *testing.T, logged <-chan string, want string) {
	t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case line, ok := <-logged:
			require.True(t, ok, "the sandbox ended before it logged %q", want)
			if strings.Contains(line, want) {
				return
			}
		case <-timeout:
			t.Fatalf("the sandbox did not log %q", want)
		}
	}
}
