package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// watchedOutput is an output that tells when what was written to it
// contains a given text.
type watchedOutput struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	watches map[string]chan struct{}
}

func (w *watchedOutput) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	for s, ch := range w.watches {
		if strings.Contains(w.buf.String(), s) {
			close(ch)
			delete(w.watches, s)
		}
	}
	return n, err
}

// when is closed once the output contains s.
func (w *watchedOutput) when(s string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(w.buf.String(), s) {
		close(ch)
		return ch
	}
	if w.watches == nil {
		w.watches = map[string]chan struct{}{}
	}
	w.watches[s] = ch
	return ch
}

func (w *watchedOutput) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// awaitOutput waits for ch (30 s at most: it only stops a hang).
func awaitOutput(t *testing.T, ch <-chan struct{}, errOut *watchedOutput, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s on stderr within 30 s; stderr:\n%s", what, errOut.String())
	}
}

// heldFront is a test server (in front of a sandbox) that hands each request to
// serve, whose third argument is closed by release. release is safe to
// call twice and runs at cleanup before the server closes, so a request
// still held never keeps Close waiting.
func heldFront(t *testing.T, serve func(w http.ResponseWriter, r *http.Request, released <-chan struct{})) (*httptest.Server, func()) {
	t.Helper()
	released := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(released) }) }
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { serve(w, r, released) }))
	t.Cleanup(ts.Close)
	t.Cleanup(release) // runs first
	return ts, release
}

// held waits until released or until the client gives up on r, and says
// which.
func held(r *http.Request, released <-chan struct{}) bool {
	select {
	case <-released:
		return true
	case <-r.Context().Done():
		return false
	}
}

// runUntilExit runs the command line with args in the background; the
// returned function waits for its exit code (2 minutes at most: that only
// stops a hang).
func runUntilExit(t *testing.T, ctx context.Context, args []string, out io.Writer, errOut *watchedOutput) func() int {
	exited := make(chan int, 1)
	go func() { exited <- Run(ctx, args, IO{In: strings.NewReader(""), Out: out, Err: errOut}) }()
	return func() int {
		t.Helper()
		select {
		case code := <-exited:
			return code
		case <-time.After(2 * time.Minute):
			t.Fatalf("the command did not end; stderr:\n%s", errOut.String())
			return -1
		}
	}
}

// TestSlowServerIsAnnounced: a server that has the whole file and does not
// answer is announced on stderr once the stall notice has passed, with the
// attempt; when that attempt fails and is tried again, stderr says so,
// with the attempt's number. Stdout, in --json, holds only the result.
func TestSlowServerIsAnnounced(t *testing.T) {
	sb := keyedSandbox(t)
	stallNotice = 50 * time.Millisecond
	t.Cleanup(func() { stallNotice = 0 })
	var adds atomic.Int32
	ts, release := heldFront(t, func(w http.ResponseWriter, r *http.Request, released <-chan struct{}) {
		if r.URL.Path == "/api/v0/add" && adds.Add(1) == 1 {
			// The whole file read, then silence until the test says;
			// then a busy answer, which is tried again.
			_, _ = io.Copy(io.Discard, r.Body)
			if held(r, released) {
				http.Error(w, `{"message":"busy"}`, http.StatusServiceUnavailable)
			}
			return
		}
		sb.Srv.ServeHTTP(w, r)
	})

	path := filepath.Join(t.TempDir(), "slow.txt")
	testutil.WriteFile(t, path, 100)
	var out bytes.Buffer
	errOut := &watchedOutput{}
	slow := errOut.when("Slow: slow.txt (attempt 1 of 5): the whole file is sent and dStor has not answered for ")
	retrying := errOut.when("Retrying: slow.txt (attempt 2 of 5): dStor is busy")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	exit := runUntilExit(t, ctx, []string{"upload", "--json", "--env", ts.URL, path}, &out, errOut)

	awaitOutput(t, slow, errOut, "slow-server notice")
	release()
	awaitOutput(t, retrying, errOut, "retry notice")
	require.Equal(t, 0, exit(), errOut.String())
	var rec struct {
		State    string `json:"state"`
		Attempts int    `json:"attempts"`
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 1, "stdout holds the result alone: %s", out.String())
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &rec), lines[0])
	assert.Equal(t, "done", rec.State)
	assert.Equal(t, 2, rec.Attempts)
	// On a loaded machine (the notice here comes after 50 ms) the first
	// attempt may also be announced before its bytes went out, and the
	// second, which the sandbox answers, may be slow enough for a notice
	// of its own: only the notices of the held answer are the test's.
	assert.Equal(t, 1, strings.Count(errOut.String(), "Slow: slow.txt (attempt 1 of 5): the whole file is sent"), "one notice for the held answer: %s", errOut.String())
}

// TestSlowSignInIsAnnounced: a server that does not answer the sign-in is
// announced on stderr once the stall notice has passed; the run goes on
// when it answers.
func TestSlowSignInIsAnnounced(t *testing.T) {
	sb := keyedSandbox(t)
	stallNotice = 50 * time.Millisecond
	t.Cleanup(func() { stallNotice = 0 })
	var tokens atomic.Int32
	ts, release := heldFront(t, func(w http.ResponseWriter, r *http.Request, released <-chan struct{}) {
		if r.URL.Path == "/v1/dev/temp-token" && tokens.Add(1) == 1 && !held(r, released) {
			return
		}
		sb.Srv.ServeHTTP(w, r)
	})

	path := filepath.Join(t.TempDir(), "a.txt")
	testutil.WriteFile(t, path, 100)
	errOut := &watchedOutput{}
	slow := errOut.when("Slow: dStor has not answered the sign-in for 50ms — still waiting\n")
	exit := runUntilExit(t, context.Background(), []string{"upload", "--env", ts.URL, path}, io.Discard, errOut)
	awaitOutput(t, slow, errOut, "slow sign-in notice")
	release()
	require.Equal(t, 0, exit(), errOut.String())
	assert.Equal(t, 1, sb.Uploads())
}

// TestStoppedAnswerIsAnnouncedAsStopped: a server that has the whole file,
// sends its answer's headers and part of its body, then nothing, is
// announced as an answer that stopped arriving, not as one that never
// came ("dStor has not answered for …", which it said before); the rest
// of the answer, once it comes, finishes the upload in that attempt.
func TestStoppedAnswerIsAnnouncedAsStopped(t *testing.T) {
	sb := keyedSandbox(t)
	stallNotice = 50 * time.Millisecond
	t.Cleanup(func() { stallNotice = 0 })
	ts, release := heldFront(t, func(w http.ResponseWriter, r *http.Request, released <-chan struct{}) {
		if r.URL.Path != "/api/v0/add" {
			sb.Srv.ServeHTTP(w, r)
			return
		}
		answer := httptest.NewRecorder()
		sb.Srv.ServeHTTP(answer, r)
		body := answer.Body.Bytes()
		w.Header().Set("Content-Type", answer.Header().Get("Content-Type"))
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(answer.Code)
		_, _ = w.Write(body[:len(body)/2])
		_ = http.NewResponseController(w).Flush()
		if held(r, released) {
			_, _ = w.Write(body[len(body)/2:])
		}
	})

	path := filepath.Join(t.TempDir(), "stopped.txt")
	testutil.WriteFile(t, path, 100)
	var out bytes.Buffer
	errOut := &watchedOutput{}
	slow := errOut.when("Slow: stopped.txt (attempt 1 of 5): dStor's answer began, then stopped arriving: nothing more of it for ")
	exit := runUntilExit(t, context.Background(), []string{"upload", "--env", ts.URL, path}, &out, errOut)
	awaitOutput(t, slow, errOut, "stopped-answer notice")
	release()
	require.Equal(t, 0, exit(), errOut.String())
	assert.Equal(t, 1, sb.Uploads())
}
