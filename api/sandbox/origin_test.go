package sandbox

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// startedEnv is newEnv's sandbox listening by itself (Start on
// 127.0.0.1:0), as `dstor-uploader sandbox` and the window's Local
// sandbox do, so requests reach it with whatever Host header a test sets.
func startedEnv(t *testing.T) (*testEnv, string) {
	t.Helper()
	s, err := New(Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	base, err := s.Start("127.0.0.1:0")
	require.NoError(t, err)
	acc, err := s.CreateAccount(aliceEmail, alicePassword)
	require.NoError(t, err)
	key, err := s.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	u, err := url.Parse(base)
	require.NoError(t, err)
	e := &testEnv{t: t, s: s, url: base, client: &http.Client{}, acc: acc, key: key}
	t.Cleanup(e.client.CloseIdleConnections)
	return e, u.Port()
}

// TestForeignHostRefused: a web page whose name its DNS points at
// 127.0.0.1 after it loaded (DNS rebinding) is same-origin with
// http://evil.example:PORT/ and could send the public demo key and read
// every answer. The sandbox answers only requests addressed to a loopback
// name, whatever the port (a loopback proxy in front forwards its own).
func TestForeignHostRefused(t *testing.T) {
	e, port := startedEnv(t)
	cid := e.uploadOK(nil, "note.txt", strings.NewReader("on this computer\n")).Hash
	tests := []struct {
		host string
		want int
	}{
		{"127.0.0.1:" + port, http.StatusOK},
		{"localhost:" + port, http.StatusOK},
		{"LocalHost:" + port, http.StatusOK},
		{"[::1]:" + port, http.StatusOK},
		{"127.0.0.2:" + port, http.StatusOK},
		{"127.0.0.1", http.StatusOK},
		{"127.0.0.1:1", http.StatusOK},
		{"evil.example:" + port, http.StatusMisdirectedRequest},
		{"evil.example", http.StatusMisdirectedRequest},
		{"localhost.evil.example:" + port, http.StatusMisdirectedRequest},
		{"127.0.0.1.nip.io:" + port, http.StatusMisdirectedRequest},
		{"sub.localhost:" + port, http.StatusMisdirectedRequest},
		{"localhost.:" + port, http.StatusMisdirectedRequest},
		{"0.0.0.0:" + port, http.StatusMisdirectedRequest},
		{"192.168.1.10:" + port, http.StatusMisdirectedRequest},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			e := e.with(t)
			for _, path := range []string{"/v1/dev/temp-token", "/ipfs/" + cid} {
				req := e.keyTokenRequest("api-key", e.key, "")
				req.URL.Path = path
				req.Host = tt.host
				resp, body := e.do(req)
				assert.Equal(t, tt.want, resp.StatusCode, "%s: %s", path, body)
				assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
				if tt.want != http.StatusOK {
					eb := requireJSONError(t, resp, body, tt.want)
					assert.Contains(t, eb.Message, "127.0.0.1")
					assert.NotContains(t, string(body), "on this computer")
				}
			}
		})
	}
}

// TestRequestWithoutHostRefused: an HTTP/1.0 request without a Host names
// no loopback listener either.
func TestRequestWithoutHostRefused(t *testing.T) {
	e, _ := startedEnv(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /v1/dev/temp-token HTTP/1.0\r\napi-key: "+e.key+"\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusMisdirectedRequest, resp.StatusCode)
}

// TestForeignOriginCannotChangeState: a page of another site (or a local
// file, Origin "null", or another program's page on this computer) may
// post a form or a no-cors fetch to the sandbox without rebinding its
// name: sign-ins, uploads and preflights from it are refused; the
// sandbox's own origin under any loopback name, and clients that send no
// Origin (the app, the CLI, curl), are not.
func TestForeignOriginCannotChangeState(t *testing.T) {
	e, port := startedEnv(t)
	login := `{"email":"` + aliceEmail + `","password":"` + alicePassword + `"}`
	tests := []struct {
		origin string
		want   int
	}{
		{"", http.StatusOK},
		{"http://127.0.0.1:" + port, http.StatusOK},
		{"http://localhost:" + port, http.StatusOK},
		{"http://[::1]:" + port, http.StatusOK},
		{"http://evil.example", http.StatusForbidden},
		{"http://evil.example:" + port, http.StatusForbidden},
		{"null", http.StatusForbidden},
		{"http://127.0.0.1:1", http.StatusForbidden},
		{"http://localhost", http.StatusForbidden},
		{"https://127.0.0.1:" + port, http.StatusForbidden},
		{"file://", http.StatusForbidden},
		{"http://127.0.0.1:" + port + ".evil.example", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run("origin "+tt.origin, func(t *testing.T) {
			e := e.with(t)
			req := e.loginRequest(login)
			req.Header.Set("Content-Type", "text/plain") // what a cross-site form can send
			setOrigin(req, tt.origin)
			resp, body := e.do(req)
			assert.Equal(t, tt.want, resp.StatusCode, "sign-in: %s", body)
			if tt.want != http.StatusOK {
				requireJSONError(t, resp, body, tt.want)
				assert.NotContains(t, string(body), "access_token")
			}

			before := len(e.s.Uploads(e.acc.ID))
			var headers map[string]string
			if tt.origin != "" {
				headers = map[string]string{"Origin": tt.origin}
			}
			resp, body = e.upload(e.token(), headers, "csrf.txt", strings.NewReader("posted by a page\n"))
			assert.Equal(t, tt.want, resp.StatusCode, "upload: %s", body)
			if tt.want != http.StatusOK {
				assert.Len(t, e.s.Uploads(e.acc.ID), before, "nothing is stored")
			}
			assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
		})
	}
}

// TestForeignPreflightRefused: a page's fetch with the api-key header is
// preceded by a preflight, which gets no CORS permission.
func TestForeignPreflightRefused(t *testing.T) {
	e, _ := startedEnv(t)
	req := mustRequest(t, http.MethodOptions, e.url+"/v1/dev/temp-token", nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "api-key")
	resp, body := e.do(req)
	requireJSONError(t, resp, body, http.StatusForbidden)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Headers"))
}

// TestGatewayLinkOpensInBrowser: the link the app hands out for a file in
// the sandbox (http://127.0.0.1:PORT/ipfs/CID?filename=…) opens when a
// browser follows it (a top-level GET: no Origin, Sec-Fetch-Site none),
// and under localhost too; a page of another site that loads it (an image,
// a no-cors fetch: GET with its Origin) is answered but cannot read it.
func TestGatewayLinkOpensInBrowser(t *testing.T) {
	e, port := startedEnv(t)
	cid := e.uploadOK(nil, "photo.png", strings.NewReader(string(pngBytes))).Hash
	env, err := api.CustomEnvironment(e.url)
	require.NoError(t, err)
	link := api.Links{Gateways: map[string]string{env.Key(): env.GatewayURL}}.GatewayLink(env.Key(), cid, "photo.png")
	require.True(t, strings.HasPrefix(link, e.url+"/ipfs/"+cid), link)
	for _, host := range []string{"", "localhost:" + port} {
		req := mustRequest(t, http.MethodGet, link, nil)
		req.Header.Set("Sec-Fetch-Site", "none")
		req.Header.Set("Sec-Fetch-Mode", "navigate")
		req.Header.Set("Accept", "text/html,*/*")
		if host != "" {
			req.Host = host
		}
		resp, body := e.do(req)
		require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
		assert.Equal(t, pngBytes, body)
	}
	req := mustRequest(t, http.MethodGet, link, nil)
	req.Header.Set("Origin", "http://evil.example")
	resp, _ := e.do(req)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "no page of another site may read it")
}

// setOrigin sets the Origin header, or none when origin is empty.
func setOrigin(req *http.Request, origin string) {
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
}

// TestGatewayPageHasNoSandboxOrigin: an HTML page (or SVG, or XML) the
// person uploaded and opens from the gateway would run on the sandbox's
// own origin, where its script could sign in with the public demo key
// and read every answer; it is served in a CSP sandbox (an opaque origin,
// no script), whether its type comes from its name or from its bytes.
// Other content (a picture, a PDF, text) is served without one, so the
// browser shows it as before.
func TestGatewayPageHasNoSandboxOrigin(t *testing.T) {
	e := newEnv(t, Config{})
	page := "<!DOCTYPE html><script>fetch('/v1/dev/temp-token')</script>"
	tests := []struct {
		name, filename, data string
		sandboxed            bool
	}{
		{"html by name", "page.html", page, true},
		{"html sniffed", "page", page, true},
		{"xhtml", "page.xhtml", page, true},
		{"svg", "drawing.svg", `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, true},
		{"xml sniffed", "data", `<?xml version="1.0"?><x/>`, true},
		{"png", "photo.png", string(pngBytes), false},
		{"pdf", "report.pdf", "%PDF-1.4 fake", false},
		{"text", "notes.txt", page, false},
		{"unknown bytes", "blob", "\x00\x01\x02", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			cid := e.uploadOK(nil, tt.filename, strings.NewReader(tt.data)).Hash
			resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+cid, nil))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.data, string(body))
			csp := resp.Header.Get("Content-Security-Policy")
			if tt.sandboxed {
				assert.Equal(t, "sandbox", csp, resp.Header.Get("Content-Type"))
			} else {
				assert.Empty(t, csp, resp.Header.Get("Content-Type"))
			}
		})
	}
}

// TestHostPortIsWhereTheBrowserConnected: the Host check takes any port
// (b569048); is there a page it lets through? A browser sets Host itself
// (a page cannot), to the name and port it connects to, so a page's
// request reaches the sandbox with Host 127.0.0.1:PORT, the sandbox's
// port, whatever page sent it: a page of another program on this
// computer (http://127.0.0.1:OTHER) is cross-origin, cannot read the
// answers (no CORS headers), and its sign-ins and uploads carry Origin
// :OTHER, refused. A Host at another port reaches the sandbox only
// through something on this computer that forwards that port to it
// (ssh -L, a dev server's proxy): the browser then takes that port for
// the sandbox's origin, whose pages are answered, and any other origin,
// the sandbox's own direct port included, is refused as foreign there.
// Checking the Host's port would refuse only that forward. A client that
// writes Host itself (curl) needs no page's trick: it sends no Origin.
func TestHostPortIsWhereTheBrowserConnected(t *testing.T) {
	e, port := startedEnv(t)
	fwd := forwardTo(t, strings.TrimPrefix(e.url, "http://"))
	_, fwdPort, err := net.SplitHostPort(fwd)
	require.NoError(t, err)
	other, err := net.Listen("tcp", "127.0.0.1:0") // another program's page server
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	_, otherPort, err := net.SplitHostPort(other.Addr().String())
	require.NoError(t, err)
	login := `{"email":"` + aliceEmail + `","password":"` + alicePassword + `"}`

	tests := []struct {
		name, via, origin string
		want              int
	}{
		{"the sandbox's page", e.url, "http://127.0.0.1:" + port, http.StatusOK},
		{"another program's page", e.url, "http://127.0.0.1:" + otherPort, http.StatusForbidden},
		{"another program's page, by localhost", e.url, "http://localhost:" + otherPort, http.StatusForbidden},
		{"through a forward, its page", "http://" + fwd, "http://127.0.0.1:" + fwdPort, http.StatusOK},
		{"through a forward, another program's page", "http://" + fwd, "http://127.0.0.1:" + otherPort, http.StatusForbidden},
		{"through a forward, the direct port's page", "http://" + fwd, "http://127.0.0.1:" + port, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			e.url = tt.via // as a browser connects: Host is this URL's host and port
			req := e.loginRequest(login)
			req.Header.Set("Content-Type", "text/plain") // what a cross-site form can send
			setOrigin(req, tt.origin)
			resp, body := e.do(req)
			assert.Equal(t, tt.want, resp.StatusCode, "sign-in: %s", body)
			assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), "no page of another origin reads an answer")
			if tt.want != http.StatusOK {
				requireJSONError(t, resp, body, tt.want)
				assert.NotContains(t, string(body), "access_token")
			}
		})
	}
}

// forwardTo listens on a free loopback port and forwards each connection
// to addr, as ssh -L or a dev server's proxy on this computer would; it
// is its address. The test's cleanup closes it and every connection, and
// waits for its goroutines.
func forwardTo(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Go(func() { io.Copy(out, in); out.Close() })
			wg.Go(func() { io.Copy(in, out); in.Close() })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}
