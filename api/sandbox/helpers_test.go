package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

func TestMain(m *testing.M) {
	bcryptCost = bcrypt.MinCost // keep account creation fast; the cost is not under test
	leakcheck.VerifyTestMain(m)
}

const (
	aliceEmail    = "alice@example.com"
	alicePassword = "alice-password"
)

// testEnv is a sandbox on real loopback HTTP with one account and one key.
type testEnv struct {
	t      *testing.T
	s      *Server
	url    string // base URL
	client *http.Client
	dir    string
	acc    Account
	key    string
}

// hangGuard is how long a test waits for what should end at once (a
// Close, a request's end): it only stops a hang, so it is far from the
// stalls the tests make (an hour) and from what a busy 2-core machine under
// -race takes, and a passing run never waits for it.
const hangGuard = 2 * time.Minute

// newEnv starts a sandbox on httptest.NewServer with a data directory the
// test can inspect, and an account (alice) with a never-expiring key.
func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	s, err := New(cfg)
	require.NoError(t, err)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	t.Cleanup(func() { require.NoError(t, s.Close()) }) // runs first: ends stalls
	acc, err := s.CreateAccount(aliceEmail, alicePassword)
	require.NoError(t, err)
	key, err := s.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	return &testEnv{t: t, s: s, url: ts.URL, client: ts.Client(), dir: cfg.DataDir, acc: acc, key: key}
}

// do sends a request and returns the answer with its body read.
func (e *testEnv) do(req *http.Request) (*http.Response, []byte) {
	e.t.Helper()
	resp, err := e.client.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return resp, body
}

// keyTokenRequest builds GET /v1/dev/temp-token with a key in header hdr.
func (e *testEnv) keyTokenRequest(hdr, key, expiration string) *http.Request {
	req, err := http.NewRequest(http.MethodGet, e.url+"/v1/dev/temp-token", nil)
	require.NoError(e.t, err)
	if hdr != "" {
		req.Header.Set(hdr, key)
	}
	if expiration != "" {
		req.Header.Set("x-expiration", expiration)
	}
	return req
}

// loginRequest builds POST /v1/dev/temp-token with a JSON body.
func (e *testEnv) loginRequest(body string) *http.Request {
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/dev/temp-token", strings.NewReader(body))
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// tokenFor gets a token with key, failing the test if there is none.
func (e *testEnv) tokenFor(key string) string {
	e.t.Helper()
	resp, body := e.do(e.keyTokenRequest("api-key", key, ""))
	require.Equal(e.t, http.StatusOK, resp.StatusCode, string(body))
	var tok tokenAnswer
	require.NoError(e.t, json.Unmarshal(body, &tok))
	require.NotEmpty(e.t, tok.AccessToken)
	return tok.AccessToken
}

// token is a valid token for alice.
func (e *testEnv) token() string { return e.tokenFor(e.key) }

// part is one multipart part of an upload form.
type part struct {
	field, filename string
	body            io.Reader
}

// addRequest builds POST /api/v0/add streaming parts through a pipe (big
// files never sit in memory). The returned wait func must be called after
// the answer has been read; it stops the writer goroutine.
func (e *testEnv) addRequest(token string, headers map[string]string, parts ...part) (*http.Request, func()) {
	e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, p := range parts {
			h := textproto.MIMEHeader{}
			disp := fmt.Sprintf(`form-data; name=%q`, p.field)
			if p.filename != "" {
				disp += fmt.Sprintf(`; filename=%q`, p.filename)
			}
			h.Set("Content-Disposition", disp)
			h.Set("Content-Type", "application/octet-stream")
			w, err := mw.CreatePart(h)
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if _, err := io.Copy(w, p.body); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(mw.Close())
	}()
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/v0/add", pr)
	require.NoError(e.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return req, func() {
		pr.CloseWithError(io.ErrClosedPipe)
		<-done
	}
}

// upload sends one file part named "file" and returns the answer.
func (e *testEnv) upload(token string, headers map[string]string, filename string, data io.Reader) (*http.Response, []byte) {
	e.t.Helper()
	req, wait := e.addRequest(token, headers, part{field: "file", filename: filename, body: data})
	defer wait()
	return e.do(req)
}

// uploadOK uploads and decodes a 200 answer.
func (e *testEnv) uploadOK(headers map[string]string, filename string, data io.Reader) addAnswer {
	e.t.Helper()
	resp, body := e.upload(e.token(), headers, filename, data)
	require.Equal(e.t, http.StatusOK, resp.StatusCode, string(body))
	var ans addAnswer
	require.NoError(e.t, json.Unmarshal(body, &ans), string(body))
	return ans
}

// requireJSONError checks a JSON error answer and returns its code.
func requireJSONError(t *testing.T, resp *http.Response, body []byte, status int) errorBody {
	t.Helper()
	require.Equal(t, status, resp.StatusCode, string(body))
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var eb errorBody
	require.NoError(t, json.Unmarshal(body, &eb), string(body))
	require.NotEmpty(t, eb.Message)
	require.NotEmpty(t, eb.Error)
	return eb
}

// patternReader gives n deterministic, non-repeating-per-chunk bytes
// without holding them in memory.
type patternReader struct {
	n, off int64
}

func (p *patternReader) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	if int64(len(b)) > p.n-p.off {
		b = b[:p.n-p.off]
	}
	for i := range b {
		x := uint64(p.off + int64(i))
		x ^= x >> 7
		x *= 0x9e3779b97f4a7c15
		b[i] = byte(x >> 56)
	}
	p.off += int64(len(b))
	return len(b), nil
}

func pattern(n int64) io.Reader { return &patternReader{n: n} }

// with is e reporting to t, for use inside subtests (failing the parent
// test from a subtest would abort it with a confusing message).
func (e *testEnv) with(t *testing.T) *testEnv {
	c := *e
	c.t = t
	return &c
}
