package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

func TestStartRefusesNonLoopback(t *testing.T) {
	s, err := New(Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer s.Close()
	for _, addr := range []string{"0.0.0.0:0", ":0", "[::]:0", "192.168.1.10:8787", "example.com:80", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000"} {
		t.Run(addr, func(t *testing.T) {
			_, err := s.Start(addr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "listen")
			if !strings.Contains("127.0.0.1:8787", addr) { // the example the sentence gives
				assert.NotContains(t, err.Error(), addr, "the address is not repeated: it may be a secret typed in the wrong place")
			}
		})
	}
	_, err = s.Start("0.0.0.0:8787")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "only loopback addresses")
	assert.Empty(t, s.URL(), "nothing is listening")
}

func TestStartAcceptsLoopbackNames(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			s, err := New(Config{DataDir: t.TempDir()})
			require.NoError(t, err)
			defer s.Close()
			url, err := s.Start(addr)
			if err != nil && addr == "[::1]:0" {
				t.Skipf("no IPv6 loopback here: %v", err)
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasPrefix(url, "http://[::1]:"), url)
		})
	}
}

// TestStartOnAPortInUseSaysWhatToDo: a second sandbox on the port a first
// one holds (make sandbox twice) says the port is taken and what to do,
// not the system's "listen tcp …: bind: address already in use" after
// the address twice.
func TestStartOnAPortInUseSaysWhatToDo(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows reports a port in use with its own error code (WSAEADDRINUSE), not matched here")
	}
	servers := make([]*Server, 2)
	for i := range servers {
		s, err := New(Config{DataDir: t.TempDir()})
		require.NoError(t, err)
		defer s.Close()
		servers[i] = s
	}
	url, err := servers[0].Start("127.0.0.1:0")
	require.NoError(t, err)
	addr := strings.TrimPrefix(url, "http://")
	_, err = servers[1].Start(addr)
	require.ErrorIs(t, err, syscall.EADDRINUSE)
	assert.Equal(t, "sandbox: "+addr+" is already in use (another sandbox, or another program, listens there): stop that program, or choose another port (port 0 picks a free one)", err.Error())
}

// startEnv is newEnv on a server that listens by itself (Start).
func startEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	s, err := New(cfg)
	require.NoError(t, err)
	url, err := s.Start("127.0.0.1:0")
	require.NoError(t, err)
	acc, err := s.CreateAccount(aliceEmail, alicePassword)
	require.NoError(t, err)
	key, err := s.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	return &testEnv{t: t, s: s, url: url, acc: acc, key: key, dir: s.dataDir,
		client: &http.Client{Transport: &http.Transport{}}}
}

func TestStartServeCloseLeavesNoGoroutines(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	e := startEnv(t, Config{})
	defer e.client.CloseIdleConnections()
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, e.url)
	assert.Equal(t, e.url, e.s.URL())
	_, err := e.s.Start("127.0.0.1:0")
	assert.Error(t, err, "a server listens once")

	ans := e.uploadOK(map[string]string{"x-dstor-comment": "c"}, "a.txt", strings.NewReader("started"))
	resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+ans.Hash, nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "started", string(body))

	require.NoError(t, e.s.Close())
	require.NoError(t, e.s.Close(), "Close twice is fine")
	assert.NoDirExists(t, e.dir, "a temporary DataDir is removed")
	_, err = e.s.Start("127.0.0.1:0")
	assert.Error(t, err, "no restart after Close")
	_, err = e.client.Get(e.url + "/ipfs/" + ans.Hash)
	assert.Error(t, err, "nothing listens any more")
}

// sendIntoFault sends req in the background and returns once the request
// has taken the one queued fault; the channel gets the client's result.
func (e *testEnv) sendIntoFault(req *http.Request) <-chan error {
	e.t.Helper()
	done := make(chan error, 1)
	go func() {
		resp, err := e.client.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	require.Eventually(e.t, func() bool {
		e.s.mu.Lock()
		defer e.s.mu.Unlock()
		return len(e.s.faults) == 0
	}, hangGuard, 5*time.Millisecond)
	return done
}

func TestCloseEndsStallsAndInFlightRequests(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	e := startEnv(t, Config{})
	defer e.client.CloseIdleConnections()
	tok := e.token()
	e.s.InjectFault(Fault{Path: "/api/v0/add", Stall: time.Hour})

	// A slow upload is stalled by the server; Close must not wait an hour.
	req, wait := e.addRequest(tok, nil, part{field: "file", filename: "slow.bin", body: pattern(1 << 20)})
	done := e.sendIntoFault(req)

	start := time.Now()
	require.NoError(t, e.s.Close())
	assert.Less(t, time.Since(start), hangGuard, "not the hour's stall")
	<-done
	wait()

	// The stalled upload was never stored.
	assert.Empty(t, e.s.Uploads(e.acc.ID))
}

// TestClearFaultsEndsStalls: a stalled upload whose client gave up ends
// when the faults are cleared, without being stored. (A small body sits
// whole in the socket's buffer, so a stall that ran its course would read
// it and store the upload in whatever test runs next on a shared sandbox.)
func TestClearFaultsEndsStalls(t *testing.T) {
	e := startEnv(t, Config{})
	defer func() { assert.NoError(t, e.s.Close()) }()
	defer e.client.CloseIdleConnections()
	tok := e.token()
	e.s.InjectFault(Fault{Path: "/api/v0/add", Stall: time.Hour})

	req, wait := e.addRequest(tok, nil, part{field: "file", filename: "small.bin", body: pattern(2000)})
	ctx, cancel := context.WithCancel(context.Background())
	done := e.sendIntoFault(req.WithContext(ctx))
	cancel() // the client gives up, as a closed queue does
	require.Error(t, <-done)
	wait()

	e.s.ClearFaults()
	ended := make(chan struct{})
	go func() { e.s.inflight.Wait(); close(ended) }()
	select {
	case <-ended:
	case <-time.After(hangGuard):
		t.Fatal("the stalled request still runs after ClearFaults")
	}
	assert.Empty(t, e.s.Uploads(e.acc.ID), "an upload its client gave up on is not stored")
	e.uploadOK(nil, "next.bin", pattern(10))
}

func TestServeHTTPAfterCloseAnswers503(t *testing.T) {
	e := newEnv(t, Config{})
	require.NoError(t, e.s.Close())
	resp, body := e.do(e.keyTokenRequest("api-key", e.key, ""))
	requireJSONError(t, resp, body, http.StatusServiceUnavailable)
}

func TestLogfNeverPrintsSecrets(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		lines = append(lines, fmt.Sprintf(format, args...))
	}
	e := newEnv(t, Config{Logf: logf})
	tok := e.token()
	resp, _ := e.do(e.loginRequest(fmt.Sprintf(`{"email":%q,"password":%q}`, aliceEmail, alicePassword)))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	e.do(e.keyTokenRequest("x-api-key", strings.Repeat("Z", 64), ""))
	e.s.InjectFault(Fault{Status: 503, RetryAfter: time.Second})
	e.upload(tok, map[string]string{"x-dstor-comment": "c"}, "f.txt", strings.NewReader("f"))
	e.upload(tok, nil, "f.txt", strings.NewReader("f"))

	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, len(lines), 5)
	all := strings.Join(lines, "\n")
	assert.Contains(t, all, `GET "/v1/dev/temp-token" → 200`)
	assert.Contains(t, all, `POST "/api/v0/add" → 503`)
	assert.Contains(t, all, "[fault: status 503, retry after 1s]")
	for _, secret := range []string{e.key, tok, alicePassword, strings.Repeat("Z", 64)} {
		assert.NotContains(t, all, secret)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := New(Config{MaxUploadSize: -1})
	assert.Error(t, err)

	// A file where the data directory should be.
	dir := t.TempDir()
	file := dir + "/file"
	require.NoError(t, writeFileAtomic(file, []byte("x")))
	_, err = New(Config{DataDir: file})
	require.Error(t, err)
	assert.Equal(t, "sandbox: the data folder "+file+" is a file, not a folder: give a folder (one that is missing is made)", err.Error())
	// A file where a folder on its path should be.
	_, err = New(Config{DataDir: file + "/data"})
	require.Error(t, err)
	assert.Equal(t, "sandbox: the data folder "+file+"/data cannot be made: a folder on its path is a file", err.Error())
	assert.NoFileExists(t, file+"/data")
}

func TestNewRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := New(Config{DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	stale := dir + "/" + tmpDir + "/upload-12345"
	require.NoError(t, writeFileAtomic(stale, []byte("half an upload")))
	s, err = New(Config{DataDir: dir})
	require.NoError(t, err)
	defer s.Close()
	assert.NoFileExists(t, stale)
	assert.DirExists(t, dir, "a caller's DataDir is kept")
}

func TestLoopbackHost(t *testing.T) {
	host, err := loopbackHost("localhost:8787")
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1", host)
	_, err = loopbackHost(net.JoinHostPort("10.0.0.1", "1"))
	assert.Error(t, err)
}

// TestAccountIDsAreStableAcrossRestarts: the demo account (and any other)
// keeps its id when the sandbox starts again, so the window's queue and
// history filed under it still match.
func TestAccountIDsAreStableAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	s1, acc1, err := NewDemo(Config{DataDir: dir})
	require.NoError(t, err)
	require.NoError(t, s1.Close())
	s2, acc2, err := NewDemo(Config{DataDir: dir})
	require.NoError(t, err)
	defer s2.Close()
	assert.Equal(t, acc1.ID, acc2.ID)

	other, err := s2.CreateAccount("Someone@Example.com", "pw-someone")
	require.NoError(t, err)
	assert.NotEqual(t, acc2.ID, other.ID)
	assert.Equal(t, accountID("someone@example.com"), other.ID, "case does not change the account")
}

// gateReader blocks its first Read until open is closed, then ends: the
// point where a test holds an upload's body.
type gateReader struct {
	reached chan<- struct{}
	open    <-chan struct{}
}

func (g gateReader) Read([]byte) (int, error) {
	close(g.reached)
	<-g.open
	return 0, io.EOF
}

// TestSecondSandboxOnTheSameDataKeepsUploadsInFlight: a second sandbox
// started on the data directory of one that is receiving an upload
// (`dstor-uploader sandbox --data DIR` run twice) removed, as left by a
// run that ended mid-upload, the temporary file the upload was being
// written to: the first answered 500 "could not store the file" and the
// client sent the whole file again. A file a sandbox is receiving into is
// left alone; one nobody receives into is still removed.
func TestSecondSandboxOnTheSameDataKeepsUploadsInFlight(t *testing.T) {
	e := newEnv(t, Config{})
	stale := filepath.Join(e.dir, tmpDir, "upload-12345")
	require.NoError(t, os.WriteFile(stale, []byte("half an upload of a run that ended"), 0o600))
	content := bytes.Repeat([]byte("in flight "), 50_000)
	reached, open := make(chan struct{}), make(chan struct{})
	body := io.MultiReader(bytes.NewReader(content[:len(content)/2]), gateReader{reached: reached, open: open},
		bytes.NewReader(content[len(content)/2:]))
	req, wait := e.addRequest(e.token(), nil, part{field: "file", filename: "big.bin", body: body})
	defer wait()
	type answer struct {
		status int
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		resp, err := e.client.Do(req)
		if err != nil {
			answered <- answer{err: err}
			return
		}
		_, err = io.Copy(io.Discard, resp.Body)
		answered <- answer{resp.StatusCode, errors.Join(err, resp.Body.Close())}
	}()
	<-reached
	inFlight := func() bool {
		files, _ := filepath.Glob(filepath.Join(e.dir, tmpDir, tmpPattern))
		return len(files) == 2 // the stale one and the upload's
	}
	require.Eventually(t, inFlight, 2*time.Minute, 5*time.Millisecond, "the upload's temporary file")

	second, err := New(Config{DataDir: e.dir})
	require.NoError(t, err)
	defer second.Close()
	assert.NoFileExists(t, stale, "a file nobody receives into is removed")
	close(open)
	a := <-answered
	require.NoError(t, a.err)
	require.Equal(t, http.StatusOK, a.status, "the upload in flight is stored")
	want, err := api.ComputeCID(bytes.NewReader(content))
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(e.dir, blobDir, want))
}
