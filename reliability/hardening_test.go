package reliability

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

// relFuzzTargets lists the fuzz targets `make fuzz` runs and checks each
// exists; their seed corpora run in every `go test`.
func relFuzzTargets(t *testing.T, rep *relReport) {
	sec := rep.section("Fuzzing",
		"`make fuzz` runs each target with `go test -fuzz` for FUZZTIME (default 60s); the seed corpora run in every `make test`.",
		"target", "package", "what it feeds", "property checked")
	targets := []struct{ name, pkg, what, property string }{
		{"FuzzParseAddResponse", "api", "upload answers (JSON, NDJSON, arrays, HTML, garbage)", "never panics; an accepted answer has a clean Hash and Size ≥ 0"},
		{"FuzzParseToken", "api", "JWTs and anything else", "never panics; keeps the raw token; printed forms never contain it"},
		{"FuzzValidateHeaders", "api", "comments and folder paths", "accepted values are one line of UTF-8 and travel as exactly one header (no injection)"},
		{"FuzzRemoteName", "api", "local file and folder names (any bytes)", "the dStor name is valid UTF-8 without control characters, and gives the local bytes back"},
		{"FuzzSandboxMultipart", "api/sandbox", "multipart bodies with any boundary", "never panics; answers 200 or 4xx, never 5xx"},
		{"FuzzParseFaultSpec", "api/sandbox", "--fault specs", "never panics; an accepted spec injects a fault that does something"},
	}
	def := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	found := map[string]string{}
	for _, dir := range []string{"api", "api/sandbox"} {
		matches, err := filepath.Glob(filepath.Join("..", dir, "*_test.go"))
		require.NoError(t, err)
		for _, m := range matches {
			b, err := os.ReadFile(m)
			require.NoError(t, err)
			for _, sm := range def.FindAllStringSubmatch(string(b), -1) {
				found[sm[1]] = dir
			}
		}
	}
	for _, tg := range targets {
		assert.Equal(t, tg.pkg, found[tg.name], "fuzz target %s", tg.name)
		sec.add("`"+tg.name+"`", tg.pkg, tg.what, tg.property)
	}
}

func relHardening(t *testing.T, rep *relReport) {
	sec := rep.section("Sandbox hardening", "", "check", "tried", "result")
	t.Run("keys only as SHA-256", func(t *testing.T) { relKeysHashed(t, sec) })
	t.Run("bounded bodies and headers", func(t *testing.T) { relBounds(t, sec) })
	t.Run("accounts isolated", func(t *testing.T) { relIsolation(t, sec) })
	t.Run("1000 concurrent connections", func(t *testing.T) { relConnections(t, sec) })
}

// relKeysHashed walks everything the sandbox keeps in memory (accounts,
// keys, uploads: the whole *sandbox.Server, read by reflection) and its data
// directory for the API key and the password, after they were used.
func relKeysHashed(t *testing.T, sec *relSection) {
	dir := t.TempDir()
	srv, err := sandbox.New(sandbox.Config{DataDir: dir})
	require.NoError(t, err)
	defer srv.Close()
	ts := httptest.NewServer(srv) // not srv.Start: net/http's own buffers are not the sandbox's storage
	defer ts.Close()
	acc, err := srv.CreateAccount("keys@example.com", "keys-password-1")
	require.NoError(t, err)
	key, err := srv.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	// Use both: a token from the key, one from the password, an upload.
	tok := tokenWithKey(t, ts.URL, key)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/dev/temp-token", strings.NewReader(`{"email":"keys@example.com","password":"keys-password-1"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	uploadSmall(t, ts.URL, tok, "k.txt", "content")
	http.DefaultClient.CloseIdleConnections()

	sum := sha256.Sum256([]byte(key))
	w := &memWalker{seen: map[uintptr]bool{}, needles: [][]byte{[]byte(key), []byte("keys-password-1")}, sum: sum}
	w.walk(reflect.ValueOf(srv))
	_, diskHits := searchTree(t, dir, []string{key, "keys-password-1"})
	assert.Zero(t, w.hits, "the raw key or password is in the sandbox's memory")
	assert.Zero(t, diskHits)
	assert.Positive(t, w.sums, "the key's SHA-256 is what is kept")
	sec.add("API key and password never stored", "the whole *sandbox.Server walked by reflection and every file of its data directory, after key, password and upload were used",
		fmt.Sprintf("raw key or password found %d times; the key's SHA-256 found %d time(s)", w.hits+diskHits, w.sums))

}

// memWalker searches a value graph for byte sequences, reading unexported
// fields by reflection (read only).
type memWalker struct {
	seen    map[uintptr]bool
	needles [][]byte
	sum     [32]byte
	hits    int
	sums    int
	nodes   int
}

func (w *memWalker) check(b []byte) {
	for _, n := range w.needles {
		if bytes.Contains(b, n) {
			w.hits++
		}
	}
	if bytes.Contains(b, w.sum[:]) {
		w.sums++
	}
}

func (w *memWalker) walk(v reflect.Value) {
	if !v.IsValid() || w.nodes > 2_000_000 {
		return
	}
	w.nodes++
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || w.seen[v.Pointer()] {
			return
		}
		w.seen[v.Pointer()] = true
		w.walk(v.Elem())
	case reflect.Interface:
		w.walk(v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			w.walk(v.Field(i))
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			w.walk(it.Key())
			w.walk(it.Value())
		}
	case reflect.Slice, reflect.Array:
		w.walkList(v)
	case reflect.String:
		w.check([]byte(v.String()))
	}
}

// walkList checks a byte slice or array as bytes, and walks the elements
// of any other (a slice's backing array once).
func (w *memWalker) walkList(v reflect.Value) {
	slice := v.Kind() == reflect.Slice
	if slice && v.IsNil() {
		return
	}
	if v.Type().Elem().Kind() == reflect.Uint8 {
		b := make([]byte, v.Len())
		for i := range b {
			b[i] = byte(v.Index(i).Uint())
		}
		w.check(b)
		return
	}
	if slice {
		if w.seen[v.Pointer()] && v.Len() > 0 {
			return
		}
		w.seen[v.Pointer()] = true
	}
	for i := range v.Len() {
		w.walk(v.Index(i))
	}
}

// tokenWithKey gets a token from the sandbox at base with an API key.
func tokenWithKey(t *testing.T, base, key string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/dev/temp-token", nil)
	require.NoError(t, err)
	req.Header.Set("api-key", key)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var ans struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	return ans.AccessToken
}

// uploadSmall uploads content with the given headers and returns the hash.
func uploadSmall(t *testing.T, base, tok, name, content string, headers ...string) string {
	t.Helper()
	body, ctype := multipartBody(t, name, []byte(content))
	req, err := http.NewRequest(http.MethodPost, base+"/api/v0/add", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+tok)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(b))
	var ans struct{ Hash string }
	require.NoError(t, json.Unmarshal(b, &ans))
	return ans.Hash
}

func multipartBody(t *testing.T, name string, data []byte) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile("file", name)
	require.NoError(t, err)
	_, err = w.Write(data)
	require.NoError(t, err)
	require.NoError(t, mw.Close())
	return buf.Bytes(), mw.FormDataContentType()
}

// relBounds sends oversized headers and bodies to a sandbox listening on
// 127.0.0.1 (srv.Start, with its real limits) and checks each is refused
// without the server reading it all.
func relBounds(t *testing.T, sec *relSection) {
	srv, err := sandbox.New(sandbox.Config{DataDir: t.TempDir(), MaxUploadSize: 1 << 20})
	require.NoError(t, err)
	defer srv.Close()
	base, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	acc, err := srv.CreateAccount("bounds@example.com", "bounds-password")
	require.NoError(t, err)
	key, err := srv.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	tok := tokenWithKey(t, base, key)
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Minute}
	defer client.CloseIdleConnections()

	type probe struct {
		name  string
		build func() (*http.Request, *countingBody)
		want  int
	}
	big := func(n int) *countingBody { return &countingBody{r: bytes.NewReader(bytes.Repeat([]byte("x"), n))} }
	probes := []probe{
		{"1 MiB of request headers", func() (*http.Request, *countingBody) {
			req, _ := http.NewRequest(http.MethodGet, base+"/v1/dev/temp-token", nil)
			req.Header.Set("api-key", key)
			for i := range 16 {
				req.Header.Set(fmt.Sprintf("x-pad-%d", i), strings.Repeat("p", 64<<10))
			}
			return req, nil
		}, http.StatusRequestHeaderFieldsTooLarge},
		{"sign-in body of 8 MiB", func() (*http.Request, *countingBody) {
			cb := big(8 << 20)
			req, _ := http.NewRequest(http.MethodPost, base+"/v1/dev/temp-token", cb)
			req.ContentLength = 8 << 20
			req.Header.Set("Content-Type", "application/json")
			return req, cb
		}, http.StatusBadRequest},
		{"upload of 16 MiB declared in Content-Length (limit 1 MiB)", func() (*http.Request, *countingBody) {
			cb := big(16 << 20)
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v0/add", cb)
			req.ContentLength = 16 << 20
			req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
			req.Header.Set("Authorization", "Bearer "+tok)
			return req, cb
		}, http.StatusRequestEntityTooLarge},
		{"upload of 16 MiB with no length (chunked, limit 1 MiB)", func() (*http.Request, *countingBody) {
			data := bytes.Repeat([]byte("y"), 16<<20)
			body, ctype := multipartBody(t, "big.bin", data)
			cb := &countingBody{r: bytes.NewReader(body)}
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v0/add", cb)
			req.ContentLength = -1
			req.Header.Set("Content-Type", ctype)
			req.Header.Set("Authorization", "Bearer "+tok)
			return req, cb
		}, http.StatusRequestEntityTooLarge},
	}
	refused := 0
	for _, p := range probes {
		req, cb := p.build()
		resp, err := client.Do(req)
		status := 0
		if err == nil {
			status = resp.StatusCode
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		ok := err == nil && status == p.want
		result := fmt.Sprintf("HTTP %d (want %d)", status, p.want)
		if cb != nil {
			if cb.n.Load() >= cb.size() {
				ok = false // the server read it all
			} else {
				result += ", refused before the whole body was sent"
			}
		}
		assert.True(t, ok, "%s: status %d, err %v, body bytes taken %d", p.name, status, err, bodyTaken(cb))
		if ok {
			refused++
		}
		sec.add("bounded request", p.name, result)
	}
	// And the server still works.
	uploadSmall(t, base, tok, "after.txt", "still fine")
	sec.add("bounded request", "a normal upload after the oversized ones", "HTTP 200")
}

func bodyTaken(cb *countingBody) int64 {
	if cb == nil {
		return 0
	}
	return cb.n.Load()
}

// countingBody counts what the HTTP client took from a body.
type countingBody struct {
	r *bytes.Reader
	n atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingBody) size() int64 { return c.r.Size() }

// relIsolation: with account B's token, every way one could ask the
// sandbox about account A's uploads must reveal nothing of their metadata.
func relIsolation(t *testing.T, sec *relSection) {
	srv, err := sandbox.New(sandbox.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	defer srv.Close()
	base, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	a, err := srv.CreateAccount("alice@example.com", "alice-password")
	require.NoError(t, err)
	b, err := srv.CreateAccount("bob@example.com", "bob-password")
	require.NoError(t, err)
	keyA, _ := srv.CreateAPIKey(a.ID, time.Time{})
	keyB, _ := srv.CreateAPIKey(b.ID, time.Time{})
	tokA, tokB := tokenWithKey(t, base, keyA), tokenWithKey(t, base, keyB)
	const comment, folder = "alice private comment 7731", "/alice-private-folder-7731/"
	hash := uploadSmall(t, base, tokA, "alice-report-7731.pdf", "alice's content", "x-dstor-comment", comment, "x-dstor-folder-path", folder)

	secrets := []string{a.ID, "alice@example.com", comment, folder, "alice-private-folder"}
	probes := []struct{ method, path string }{
		{"GET", "/api/v0/add"}, {"GET", "/api/v0/ls?arg=" + hash}, {"POST", "/api/v0/ls?arg=" + hash},
		{"POST", "/api/v0/files/ls?arg=/"}, {"POST", "/api/v0/pin/ls"}, {"POST", "/api/v0/object/stat?arg=" + hash},
		{"POST", "/api/v0/cat?arg=" + hash}, {"GET", "/v1/upload/get-status/"}, {"GET", "/v1/uploads"},
		{"GET", "/v1/files"}, {"GET", "/v1/files/" + hash}, {"GET", "/v1/folders"}, {"GET", "/v1/dev/temp-token"},
		{"GET", "/ipfs/" + hash}, {"HEAD", "/ipfs/" + hash}, {"GET", "/ipfs/" + hash + "?meta=1"},
		{"GET", "/api/v0/add?arg=" + a.ID}, {"OPTIONS", "/api/v0/add"},
	}
	leaks := 0
	client := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	for _, p := range probes {
		req, err := http.NewRequest(p.method, base+p.path, nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+tokB)
		resp, err := client.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var head bytes.Buffer
		_ = resp.Header.Write(&head)
		for _, s := range secrets {
			if bytes.Contains(body, []byte(s)) || bytes.Contains(head.Bytes(), []byte(s)) {
				t.Errorf("%s %s with bob's token reveals %q", p.method, p.path, s)
				leaks++
			}
		}
	}
	assert.Empty(t, srv.Uploads(b.ID), "bob's upload list is empty")
	assert.Len(t, srv.Uploads(a.ID), 1)
	assert.Zero(t, leaks)
	sec.add("one account cannot read or list another's upload metadata",
		fmt.Sprintf("%d requests with account B's token for account A's upload (every IPFS/dStor list, stat and status path, the gateway, the add endpoint); B's upload list", len(probes)),
		fmt.Sprintf("%d leaks of A's account id, email, comment or folder; B's list holds %d uploads (the gateway serves the content by hash, as IPFS does, without metadata)", leaks, len(srv.Uploads(b.ID))))
}

// relConnections opens 1,000 connections to a sandbox on 127.0.0.1 at
// once, sends one request on each (token, gateway, upload, unknown path),
// and checks every answer, then that no goroutine outlives the server.
// The sandbox waits for headers longer than its 10 s default: on a busy
// machine a connection can wait that long, from its accept, for its
// goroutine to send while 999 others and the server's answers share the
// cores, and the server then rightly closed it (2 "unexpected EOF" in CI
// at load average 20, 14.6 s for the whole case).
func relConnections(t *testing.T, sec *relSection) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	const n = 1000
	srv, err := sandbox.New(sandbox.Config{DataDir: t.TempDir(), ReadHeaderTimeout: 5 * time.Minute})
	require.NoError(t, err)
	base, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	addr := strings.TrimPrefix(base, "http://")
	acc, err := srv.CreateAccount("load@example.com", "load-password")
	require.NoError(t, err)
	key, err := srv.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	tok := tokenWithKey(t, base, key)
	hash := uploadSmall(t, base, tok, "shared.txt", "served to everyone")
	http.DefaultClient.CloseIdleConnections()
	body, ctype := multipartBody(t, "load.txt", []byte("load test upload"))

	conns := make([]net.Conn, 0, n)
	dialed := time.Now()
	for range n {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		require.NoError(t, err)
		_ = c.SetDeadline(time.Now().Add(2 * time.Minute))
		conns = append(conns, c)
	}
	var (
		wg     sync.WaitGroup
		start  = make(chan struct{})
		errs   atomic.Int32
		wrong  atomic.Int32
		last   atomic.Int64 // the longest wait from the first dial to a request sent, ns
		mu     sync.Mutex
		sample []string
	)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			<-start
			var req *http.Request
			want := http.StatusOK
			switch i % 4 {
			case 0:
				req, _ = http.NewRequest(http.MethodGet, base+"/v1/dev/temp-token", nil)
				req.Header.Set("api-key", key)
			case 1:
				req, _ = http.NewRequest(http.MethodGet, base+"/ipfs/"+hash, nil)
			case 2:
				req, _ = http.NewRequest(http.MethodPost, base+"/api/v0/add", bytes.NewReader(body))
				req.Header.Set("Content-Type", ctype)
				req.Header.Set("Authorization", "Bearer "+tok)
			case 3:
				req, _ = http.NewRequest(http.MethodGet, base+"/no/such/endpoint", nil)
				want = http.StatusNotFound
			}
			req.Close = true
			if err := req.Write(c); err != nil {
				errs.Add(1)
				return
			}
			for w := int64(time.Since(dialed)); ; {
				if l := last.Load(); w <= l || last.CompareAndSwap(l, w) {
					break
				}
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), req)
			if err != nil {
				errs.Add(1)
				mu.Lock()
				sample = append(sample, err.Error())
				mu.Unlock()
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want {
				wrong.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	uploads := len(srv.Uploads(acc.ID))
	require.NoError(t, srv.Close())
	assert.Zero(t, errs.Load(), "connection errors: %v", sample)
	assert.Zero(t, wrong.Load(), "wrong answers")
	assert.Equal(t, n/4+1, uploads, "every upload was stored")
	sec.add("survives 1,000 concurrent connections", fmt.Sprintf("%d connections to 127.0.0.1 opened first, then one request each at once (¼ tokens, ¼ gateway, ¼ uploads, ¼ unknown paths; the last sent %s after the first dial)", n, time.Duration(last.Load()).Round(time.Millisecond)),
		fmt.Sprintf("%d connection errors, %d wrong answers, %d/%d uploads stored; no goroutine left after Close (goleak)", errs.Load(), wrong.Load(), uploads-1, n/4))
}
