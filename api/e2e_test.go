package api_test

import (
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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

// These tests run the real client against the real sandbox over loopback
// HTTP: the two halves of the contract in DSTOR_API.md checked together.

type e2e struct {
	srv      *sandbox.Server
	client   *api.Client
	acc      sandbox.Account
	key      string
	password string
}

func newE2E(t *testing.T, cfg sandbox.Config) *e2e {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	srv, err := sandbox.New(cfg)
	require.NoError(t, err)
	url, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	env, err := api.CustomEnvironment(url)
	require.NoError(t, err)
	client, err := api.NewClient(env, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		client.CloseIdleConnections()
		srv.Close()
	})
	const password = "correct horse battery staple"
	acc, err := srv.CreateAccount("e2e@example.com", password)
	require.NoError(t, err)
	key, err := srv.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	return &e2e{srv: srv, client: client, acc: acc, key: key, password: password}
}

func (e *e2e) token(t *testing.T) api.Token {
	t.Helper()
	tok, err := e.client.TokenFromAPIKey(context.Background(), e.key, time.Time{})
	require.NoError(t, err)
	return tok
}

// boxoCID is the reference: boxo's importer, as `ipfs add` with its
// defaults runs it.
func boxoCID(t *testing.T, data []byte) string {
	t.Helper()
	return api.ReferenceCID(t, data)
}

func gatewayBytes(t *testing.T, link string) ([]byte, http.Header) {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b, resp.Header
}

func TestE2ETokensFromKeyAndLogin(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	ctx := context.Background()

	// The token expires when asked (x-expiration, whole seconds),
	// however long the exchange took.
	asked := time.Now().Add(90 * time.Minute)
	byKey, err := e.client.TokenFromAPIKey(ctx, e.key, asked)
	require.NoError(t, err)
	assert.Equal(t, e.acc.ID, byKey.Subject)
	assert.Equal(t, asked.Unix(), byKey.ExpiresAt.Unix(), "expires at %s, asked %s", byKey.ExpiresAt, asked)
	assert.True(t, byKey.Valid(time.Now(), time.Minute))

	byLogin, err := e.client.TokenFromLogin(ctx, "e2e@example.com", e.password)
	require.NoError(t, err)
	assert.Equal(t, e.acc.ID, byLogin.Subject)
	assert.True(t, byLogin.ExpiresAt.After(time.Now().Add(300*24*time.Hour)), "default lifetime is a year")

	// Both tokens upload.
	f := testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))
	for _, tok := range []api.Token{byKey, byLogin} {
		res, err := e.client.Upload(ctx, tok, api.UploadRequest{Path: f})
		require.NoError(t, err)
		assert.Equal(t, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", res.Hash)
		assert.True(t, res.Verified)
	}
}

func TestE2EUploadDestinationsAndGateway(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	tok := e.token(t)
	zero, seven := int64(0), int64(7)
	tests := []struct {
		name string
		req  api.UploadRequest
	}{
		{"root", api.UploadRequest{}},
		{"parent id 0", api.UploadRequest{ParentID: &zero}},
		{"parent id 7 with comment", api.UploadRequest{ParentID: &seven, Comment: "quarterly report"}},
		{"folder path with comment", api.UploadRequest{FolderPath: "/photos/2026/", Comment: "trip — día 1 🌄"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := testutil.Content(fmt.Sprint("data", i), 1000+i*77_777)
			tt.req.Path = testfs.WriteTemp(t, "file "+tt.name+".bin", data)
			res, err := e.client.Upload(context.Background(), tok, tt.req)
			require.NoError(t, err)
			assert.True(t, res.Verified)
			assert.Equal(t, boxoCID(t, data), res.Hash)
			assert.Equal(t, int64(len(data)), res.FileSize)

			ups := e.srv.Uploads(e.acc.ID)
			require.NotEmpty(t, ups)
			got := ups[len(ups)-1]
			assert.Equal(t, res.Hash, got.Hash)
			assert.Equal(t, tt.req.FolderPath, got.FolderPath)
			assert.Equal(t, tt.req.Comment, got.Comment)
			if tt.req.ParentID == nil {
				assert.Nil(t, got.ParentID)
			} else {
				require.NotNil(t, got.ParentID)
				assert.Equal(t, *tt.req.ParentID, *got.ParentID)
			}

			env := e.client.Environment()
			links := api.Links{Gateways: map[string]string{env.Key(): env.GatewayURL}}
			back, hdr := gatewayBytes(t, links.GatewayLink(env.Key(), res.Hash, ""))
			assert.Equal(t, data, back)
			assert.Contains(t, hdr.Get("Content-Disposition"), "file")
		})
	}
}

// The multipart envelope built by hand reaches the sandbox's parser as
// sent: names with quotes, backslashes, text that looks like more
// parameters, escapes of control bytes and invalid UTF-8 (RemoteName), and
// long multibyte names are stored under exactly the name sent, and file
// bytes that look like a closing boundary stay file bytes.
func TestE2ENamesReachTheSandboxAsSent(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	tok := e.token(t)
	dir := t.TempDir()
	names := []string{`%22;name=x`, `a; filename=evil.exe`, "semi;colon=eq", strings.Repeat("写", 85), strings.Repeat("é", 127) + "x"}
	if runtime.GOOS != "windows" { // names Windows does not allow
		names = append(names, `quote".txt`, `back\slash\.txt`, `a"; filename="evil.exe`, `\"`, "cr\rlf\n.txt", "\xff\xfe.bin", "del\x7f")
	}
	for i, name := range names {
		path := filepath.Join(dir, name)
		data := []byte(fmt.Sprintf("file %d\r\n--%s--\r\n", i, strings.Repeat("0", 60)))
		require.NoError(t, os.WriteFile(path, data, 0o600), "%q", name)
		res, err := e.client.Upload(context.Background(), tok, api.UploadRequest{Path: path})
		require.NoError(t, err, "%q", name)
		assert.True(t, res.Verified, "%q", name)
		assert.Equal(t, boxoCID(t, data), res.Hash, "%q", name)
		ups := e.srv.Uploads(e.acc.ID)
		require.Len(t, ups, i+1)
		assert.Equal(t, api.RemoteName(name), ups[i].Name, "stored name of %q", name)
		assert.Equal(t, api.RemoteName(name), res.Name, "%q", name)
		assert.Equal(t, int64(len(data)), res.FileSize, "%q", name)
	}
}

func TestE2ECIDVectorsAgree(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	tok := e.token(t)
	cases := map[string][]byte{
		"empty":                   {},
		"hello world":             []byte("hello world\n"),
		"two chunks (262,145 B)":  testutil.Content("data1", 262_145),
		"175 chunks (two levels)": testutil.Content("data2", 175*262_144+5),
		"exactly 174 chunks":      testutil.Content("data3", 174*262_144),
	}
	want := map[string]string{
		"empty":       "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
		"hello world": "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			ref := boxoCID(t, data)
			if w, ok := want[name]; ok {
				require.Equal(t, w, ref)
			}
			res, err := e.client.Upload(context.Background(), tok, api.UploadRequest{Path: testfs.WriteTemp(t, "v.bin", data)})
			require.NoError(t, err)
			assert.Equal(t, ref, res.LocalCID, "client")
			assert.Equal(t, ref, res.Hash, "sandbox")
			assert.True(t, res.Verified)
		})
	}
}

// TestE2ETypedErrorsThroughFaults raises every typed error a caller
// branches on through the sandbox, and checks that none of them leaks the
// key, token or password.
func TestE2ETypedErrorsThroughFaults(t *testing.T) {
	e := newE2E(t, sandbox.Config{MaxUploadSize: 64 << 10})
	tok := e.token(t)
	small := testfs.WriteTemp(t, "small.bin", testutil.Content("data9", 4096))
	big := testfs.WriteTemp(t, "big.bin", testutil.Content("data10", 200<<10))
	tests := []struct {
		name      string
		fault     *sandbox.Fault
		path      string
		want      error
		retryable bool
		human     string
	}{
		{"500", &sandbox.Fault{Status: 500}, small, api.ErrServer, true, "busy"},
		{"502 html page", &sandbox.Fault{HTMLError: true, Status: 502}, small, api.ErrServer, true, "busy"},
		{"503 retry-after", &sandbox.Fault{Status: 503, RetryAfter: 3 * time.Second}, small, api.ErrServer, true, "busy"},
		{"429 retry-after", &sandbox.Fault{Status: 429, RetryAfter: 2 * time.Second}, small, api.ErrRateLimited, true, ""},
		{"408", &sandbox.Fault{Status: 408}, small, api.ErrTimeout, true, ""},
		{"401", &sandbox.Fault{Status: 401}, small, api.ErrUnauthorized, false, "sign in"},
		{"413 over the limit", nil, big, api.ErrTooLarge, false, "too large"},
		{"400", &sandbox.Fault{Status: 400}, small, api.ErrBadRequest, false, ""},
		{"malformed json", &sandbox.Fault{Malformed: true}, small, api.ErrMalformed, false, ""},
		{"wrong hash", &sandbox.Fault{WrongHash: true}, small, api.ErrHashMismatch, false, ""},
		{"connection cut mid-body", &sandbox.Fault{CutFraction: 0.5}, big, api.ErrUnreachable, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.srv.ClearFaults()
			if tt.fault != nil {
				f := *tt.fault
				f.Path = "/api/v0/add"
				e.srv.InjectFault(f)
			}
			_, err := e.client.Upload(context.Background(), tok, api.UploadRequest{Path: tt.path})
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			assert.Equal(t, tt.retryable, api.Retryable(err), "retryable")
			human := api.Human(err)
			if tt.human != "" {
				assert.Contains(t, strings.ToLower(human), tt.human)
			}
			for _, secret := range []string{e.key, tok.Raw, e.password} {
				assert.NotContains(t, err.Error(), secret)
				assert.NotContains(t, human, secret)
			}
			if tt.fault != nil && tt.fault.RetryAfter > 0 {
				assert.Equal(t, tt.fault.RetryAfter, api.RetryAfter(err))
			}
			var mismatch *api.HashMismatchError
			if errors.As(err, &mismatch) {
				assert.NotEqual(t, mismatch.Local, mismatch.Remote)
				assert.True(t, api.IsCIDv0(mismatch.Local) && api.IsCIDv0(mismatch.Remote))
			}
		})
	}
	e.srv.ClearFaults()
}

func TestE2ERejectedCredentials(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	ctx := context.Background()
	wrongKey := strings.Repeat("x", 64)
	_, err := e.client.TokenFromAPIKey(ctx, wrongKey, time.Time{})
	assert.ErrorIs(t, err, api.ErrUnauthorized)
	assert.NotContains(t, err.Error(), wrongKey)

	_, err = e.client.TokenFromLogin(ctx, "e2e@example.com", "not the password")
	assert.ErrorIs(t, err, api.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "not the password")

	// A revoked key stops working at once.
	require.NoError(t, e.srv.RevokeAPIKey(e.key))
	_, err = e.client.TokenFromAPIKey(ctx, e.key, time.Time{})
	assert.ErrorIs(t, err, api.ErrUnauthorized)
	assert.NotContains(t, err.Error(), e.key)
}

func TestE2EExpiredTokenRefusedAtUpload(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	e := newE2E(t, sandbox.Config{Now: func() time.Time { return clock() }})
	tok, err := e.client.TokenFromAPIKey(context.Background(), e.key, now.Add(2*time.Second))
	require.NoError(t, err)
	// The sandbox's clock moves past exp; the client does not know yet
	// (its own clock says the token is fine), so the server must refuse.
	later := now.Add(time.Hour)
	clock = func() time.Time { return later }
	f := testfs.WriteTemp(t, "x.txt", []byte("x"))
	_, err = e.client.Upload(context.Background(), tok, api.UploadRequest{Path: f})
	require.Error(t, err)
	assert.True(t, errors.Is(err, api.ErrUnauthorized) || errors.Is(err, api.ErrTokenExpired), "got %v", err)
	assert.NotContains(t, err.Error(), tok.Raw)
}

func TestE2EUnreachableHost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // a closed port on loopback
	env, err := api.CustomEnvironment("http://" + addr)
	require.NoError(t, err)
	c, err := api.NewClient(env, nil)
	require.NoError(t, err)
	_, err = c.TokenFromAPIKey(context.Background(), strings.Repeat("k", 64), time.Time{})
	assert.ErrorIs(t, err, api.ErrUnreachable)
	assert.Contains(t, api.Human(err), "cannot reach")
}

// TestE2ECancelMidUploadLeavesNoGoroutine cancels while the server is
// slowly taking the body; nothing the upload started may outlive it.
func TestE2ECancelMidUploadLeavesNoGoroutine(t *testing.T) {
	e := newE2E(t, sandbox.Config{})
	tok := e.token(t)
	f := testfs.WriteTemp(t, "big.bin", testutil.Content("data5", 8<<20))
	e.srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Stall: time.Minute})
	ignore := goleak.IgnoreCurrent()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Mid-upload: the first bytes of the body are on the connection (after
	// the 100-continue wait runs out, as the stalled server never answers).
	bodyStarted := make(chan struct{})
	var once sync.Once
	progress := func(s, _ int64) {
		if s > 0 {
			once.Do(func() { close(bodyStarted) })
		}
	}
	done := make(chan error, 1)
	go func() {
		_, err := e.client.Upload(ctx, tok, api.UploadRequest{Path: f, Progress: progress})
		done <- err
	}()
	select {
	case <-bodyStarted:
	case err := <-done:
		t.Fatalf("the upload ended before its body started: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the upload's body did not start within 30 s")
	}
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(20 * time.Second):
		t.Fatal("upload did not stop after cancel")
	}
	e.client.CloseIdleConnections()
	e.srv.ClearFaults()
	// The server side may still be winding down its stalled handler; the
	// client side (hasher, body reader, transport) must be gone.
	leakcheck.VerifyNone(t, ignore, goleak.IgnoreAnyFunction("net/http.(*conn).serve"))
}
