package api

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Secrets used by the tests; each test that fails checks none of them leaks.
const (
	testAPIKey   = "k3Y_0123456789-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
	testPassword = "pa55-w0rd \"quoted\" & <secret>"
	testEmail    = "dev@example.com"
)

// makeJWT builds an unsigned-but-shaped HS256 JWT with the given claims.
func makeJWT(t testing.TB, claims map[string]any) string {
	t.Helper()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	payload, err := json.Marshal(claims)
	require.NoError(t, err)
	sig := base64.RawURLEncoding.EncodeToString([]byte("not-a-real-signature-but-long-enough"))
	return header + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + sig
}

// validToken is a dStor-shaped token that expires in an hour.
func validToken(t testing.TB) Token {
	t.Helper()
	now := time.Now()
	return ParseToken(makeJWT(t, map[string]any{
		"d": false, "o": false, "s": false, "t": nil,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"aud": "dstor.cloud", "iss": "dstor.cloud",
		"sub": "2f0d3a52-5b36-4c1e-9a57-6f2f3c0b9e11",
	}))
}

// patterned is deterministic content of size n that is not all zeros (its
// first MiB repeats, which is fine for hashing and quick to build).
func patterned(n int) []byte {
	b := make([]byte, n)
	first := min(n, 1<<20)
	for i := range first {
		b[i] = byte(i*7 + i/251)
	}
	for done := first; done < n; done *= 2 {
		copy(b[done:], b[:done])
	}
	return b
}

// newTestClient is a client for a loopback test server.
func newTestClient(t testing.TB, baseURL string, hc *http.Client) *Client {
	t.Helper()
	env, err := CustomEnvironment(baseURL)
	require.NoError(t, err)
	c, err := NewClient(env, hc)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// received is what the fake dStor saw of one upload.
type received struct {
	Method        string
	Header        http.Header
	ContentLength int64
	BodyBytes     int64 // bytes actually read from the body
	Chunked       bool
	Field         string
	FileName      string
	PartType      string
	Parts         int
	Data          []byte
	CID           string
	Err           error // multipart parse error
}

// tokenRequest is what the fake dStor saw of one temp-token request.
type tokenRequest struct {
	Method string
	Header http.Header
	Body   []byte
}

// fakeDStor is a minimal dStor-compatible server for client tests: it
// parses uploads for real (and hashes them with ComputeCID) and lets each
// test replace any answer.
type fakeDStor struct {
	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	uploads   []received
	tokenReqs []tokenRequest

	conns atomic.Int32 // connections accepted

	token     string                                       // handed out by temp-token
	addAnswer func(w http.ResponseWriter, rec received)    // nil: {"Name","Hash","Size"} of what arrived
	onAdd     func(w http.ResponseWriter, r *http.Request) // replaces the whole add handler
	onToken   func(w http.ResponseWriter, r *http.Request) // replaces the whole temp-token handler
}

func newFakeDStor(t testing.TB) *fakeDStor {
	t.Helper()
	f := &fakeDStor{t: t, token: makeJWT(t, map[string]any{"sub": "acct-1", "exp": time.Now().Add(time.Hour).Unix()})}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v0/add", f.handleAdd)
	mux.HandleFunc("/v1/dev/temp-token", f.handleToken)
	f.srv = httptest.NewUnstartedServer(mux)
	f.srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDStor) client(hc *http.Client) *Client { return newTestClient(f.t, f.srv.URL, hc) }

// patientClient is a client with the default transport, except that a
// large upload waits a minute rather than a second for "100 Continue"
// before sending the file anyway. A test of what happens when the server
// answers before the file (a refusal, a 417) must see that answer arrive
// within the wait: on a busy machine a second may not be enough.
func (f *fakeDStor) patientClient() *Client {
	tr := newTransport()
	tr.ExpectContinueTimeout = time.Minute
	return f.client(&http.Client{Transport: tr})
}

func (f *fakeDStor) lastUpload() received {
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(f.t, f.uploads, "the server saw no upload")
	return f.uploads[len(f.uploads)-1]
}

func (f *fakeDStor) uploadCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.uploads)
}

func (f *fakeDStor) lastTokenRequest() tokenRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	require.NotEmpty(f.t, f.tokenReqs, "the server saw no token request")
	return f.tokenReqs[len(f.tokenReqs)-1]
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readUpload parses an upload the way a server would.
func readUpload(r *http.Request) received {
	cb := &countingReader{r: r.Body}
	rec := received{
		Method:        r.Method,
		Header:        r.Header.Clone(),
		ContentLength: r.ContentLength,
		Chunked:       len(r.TransferEncoding) > 0,
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		rec.Err = io.ErrUnexpectedEOF
		return rec
	}
	mr := multipart.NewReader(cb, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			rec.Err = err
			break
		}
		data, err := io.ReadAll(p)
		if err != nil {
			rec.Err = err
			break
		}
		rec.Parts++
		rec.Field, rec.FileName, rec.PartType, rec.Data = p.FormName(), p.FileName(), p.Header.Get("Content-Type"), data
	}
	_, _ = io.Copy(io.Discard, cb)
	rec.BodyBytes = cb.n
	if rec.Err == nil {
		rec.CID, rec.Err = ComputeCID(bytes.NewReader(rec.Data))
	}
	return rec
}

func (f *fakeDStor) handleAdd(w http.ResponseWriter, r *http.Request) {
	if f.onAdd != nil {
		f.onAdd(w, r)
		return
	}
	rec := readUpload(r)
	f.mu.Lock()
	f.uploads = append(f.uploads, rec)
	f.mu.Unlock()
	if rec.Err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"message": "bad multipart body"})
		return
	}
	if f.addAnswer != nil {
		f.addAnswer(w, rec)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": rec.CID, "Size": itoa(len(rec.Data))})
}

func (f *fakeDStor) handleToken(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.tokenReqs = append(f.tokenReqs, tokenRequest{Method: r.Method, Header: r.Header.Clone(), Body: body})
	f.mu.Unlock()
	if f.onToken != nil {
		f.onToken(w, r)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": f.token})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// assertNoSecret fails if any secret appears in s.
func assertNoSecret(t testing.TB, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			t.Errorf("text leaks a secret (%d chars): %q", len(secret), s)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// appendBytes adds b to the end of the file at path, as another program
// writing to it would.
func appendBytes(t testing.TB, path, b string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	_, err = f.WriteString(b)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// hijack takes the connection of an answer over, for a server that breaks
// HTTP on purpose; the caller closes it. When the server cannot give it
// up, the test has the error and conn is nil.
func hijack(t testing.TB, w http.ResponseWriter) (conn net.Conn, bw *bufio.ReadWriter) {
	conn, bw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Error(err)
		return nil, nil
	}
	return conn, bw
}

// rawOK is a 200 answer as written on the wire, saying its body is
// length bytes long (len(body) for an honest one).
func rawOK(length int, body string) string {
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", length, body)
}

// trickleAnswer answers status with a body of contentType that never ends:
// one byte of text (over and over) every interval, until the client gives
// up.
func trickleAnswer(status int, contentType, text string, every time.Duration) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		flush := http.NewResponseController(w).Flush
		tick := time.NewTicker(every)
		defer tick.Stop()
		for i := 0; ; i++ {
			if _, err := w.Write([]byte{text[i%len(text)]}); err != nil || flush() != nil {
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
			}
		}
	}
}
