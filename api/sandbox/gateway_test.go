package sandbox

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pngBytes is the start of a PNG file: enough for type sniffing.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 100)...)

func TestGatewayServesContent(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name, filename string
		data           []byte
		contentType    string
		disposition    string
	}{
		{"by extension", "photo.png", pngBytes, "image/png", `inline; filename="photo.png"`},
		{"json by extension", "data.json", []byte(`{"a":1}`), "application/json", `inline; filename="data.json"`},
		{"sniffed text", "README", []byte("plain words\n"), "text/plain; charset=utf-8", `inline; filename="README"`},
		{"sniffed PNG without extension", "picture", pngBytes, "image/png", `inline; filename="picture"`},
		{"unknown binary", "blob", []byte{0, 1, 2, 3, 0xfe, 0xff}, "application/octet-stream", `inline; filename="blob"`},
		{"name needing quotes", "my file.png", pngBytes, "image/png", `inline; filename="my file.png"`},
		{"non-ASCII name", "résumé.pdf", []byte("%PDF-1.4 fake"), "application/pdf", `inline; filename="r_sum_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			ans := e.uploadOK(nil, tt.filename, bytes.NewReader(tt.data))
			resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+ans.Hash, nil))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, tt.data, body)
			assert.Equal(t, tt.contentType, resp.Header.Get("Content-Type"))
			assert.Equal(t, tt.disposition, resp.Header.Get("Content-Disposition"))
			_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition"))
			require.NoError(t, err)
			assert.Equal(t, tt.filename, params["filename"])
		})
	}
}

// TestGatewayFilenameQuery: ?filename= names the download, as IPFS
// gateways do, whatever bytes the name holds: the header stays one header,
// a plain client reads the ASCII stand-in, a modern one the exact name.
func TestGatewayFilenameQuery(t *testing.T) {
	e := newEnv(t, Config{})
	ans := e.uploadOK(nil, "stored.txt", strings.NewReader("named by the link\n"))
	tests := []struct {
		name, query, disposition, parsed string
	}{
		{"plain", "filename=report.txt", `inline; filename="report.txt"`, "report.txt"},
		{"space and plus", "filename=my%20file%2Bv2.txt", `inline; filename="my file+v2.txt"`, "my file+v2.txt"},
		{"non-ASCII", "filename=%C3%A9t%C3%A9.txt", `inline; filename="_t_.txt"; filename*=UTF-8''%C3%A9t%C3%A9.txt`, "été.txt"},
		{"quotes and backslash", "filename=a%22b%5Cc.txt", `inline; filename="a_b_c.txt"; filename*=UTF-8''a%22b%5Cc.txt`, `a"b\c.txt`},
		{"CR LF header injection", "filename=x.txt%0D%0ASet-Cookie:%20a=b", `inline; filename="x.txt__Set-Cookie: a=b"`, "x.txt__Set-Cookie: a=b"},
		{"invalid UTF-8", "filename=%FF.txt", `inline; filename="_.txt"; filename*=UTF-8''%EF%BF%BD.txt`, "\uFFFD.txt"},
		{"download", "filename=r.txt&download=true", `attachment; filename="r.txt"`, "r.txt"},
		{"empty falls back to the stored name", "filename=", `inline; filename="stored.txt"`, "stored.txt"},
		{"too long is cut", "filename=" + strings.Repeat("%C3%A9", 200), `inline; filename="` + strings.Repeat("_", 127) + `"; filename*=UTF-8''` + strings.Repeat("%C3%A9", 127), strings.Repeat("é", 127)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+ans.Hash+"?"+tt.query, nil))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "named by the link\n", string(body))
			assert.Empty(t, resp.Header.Values("Set-Cookie"))
			require.Len(t, resp.Header.Values("Content-Disposition"), 1)
			d := resp.Header.Get("Content-Disposition")
			assert.Equal(t, tt.disposition, d)
			_, params, err := mime.ParseMediaType(d)
			require.NoError(t, err)
			assert.Equal(t, tt.parsed, params["filename"])
		})
	}
}

func TestGatewayRangeAndHead(t *testing.T) {
	e := newEnv(t, Config{})
	data := []byte("0123456789abcdefghij")
	ans := e.uploadOK(nil, "digits.txt", bytes.NewReader(data))
	url := e.url + "/ipfs/" + ans.Hash

	req := mustRequest(t, http.MethodGet, url, nil)
	req.Header.Set("Range", "bytes=2-5")
	resp, body := e.do(req)
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, "2345", string(body))
	assert.Equal(t, "bytes 2-5/20", resp.Header.Get("Content-Range"))

	req = mustRequest(t, http.MethodGet, url, nil)
	req.Header.Set("Range", "bytes=15-")
	resp, body = e.do(req)
	require.Equal(t, http.StatusPartialContent, resp.StatusCode)
	assert.Equal(t, "fghij", string(body))

	req = mustRequest(t, http.MethodGet, url, nil)
	req.Header.Set("Range", "bytes=50-60")
	resp, _ = e.do(req)
	assert.Equal(t, http.StatusRequestedRangeNotSatisfiable, resp.StatusCode)

	resp, body = e.do(mustRequest(t, http.MethodHead, url, nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, body)
	assert.Equal(t, "20", resp.Header.Get("Content-Length"))
	assert.Contains(t, resp.Header.Get("Content-Disposition"), "digits.txt")
	assert.Equal(t, `"`+ans.Hash+`"`, resp.Header.Get("Etag"))

	req = mustRequest(t, http.MethodGet, url, nil)
	req.Header.Set("If-None-Match", `"`+ans.Hash+`"`)
	resp, _ = e.do(req)
	assert.Equal(t, http.StatusNotModified, resp.StatusCode)
}

func TestGatewayUnknownAndInvalid(t *testing.T) {
	e := newEnv(t, Config{})
	resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", nil))
	eb := requireJSONError(t, resp, body, http.StatusNotFound)
	assert.Equal(t, "not_found", eb.Error)

	for _, bad := range []string{"", "nope", "..%2F..%2Fetc%2Fpasswd", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o/x", "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"} {
		t.Run(bad, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+bad, nil))
			eb := requireJSONError(t, resp, body, http.StatusBadRequest)
			assert.Equal(t, "invalid_hash", eb.Error)
		})
	}
}

func TestGatewayNameOfLatestUploadAndRestart(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, Config{DataDir: dir})
	first := e.uploadOK(nil, "first.txt", strings.NewReader("same bytes"))
	second := e.uploadOK(nil, "second.txt", strings.NewReader("same bytes"))
	require.Equal(t, first.Hash, second.Hash, "same bytes, same CID")

	resp, _ := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+first.Hash, nil))
	assert.Equal(t, `inline; filename="second.txt"`, resp.Header.Get("Content-Disposition"))

	// A new server on the same directory still serves the content.
	e2 := newEnv(t, Config{DataDir: dir})
	resp, body := e2.do(mustRequest(t, http.MethodGet, e2.url+"/ipfs/"+first.Hash, nil))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "same bytes", string(body))
	assert.Equal(t, `inline; filename="second.txt"`, resp.Header.Get("Content-Disposition"))
}

func mustRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	require.NoError(t, err)
	return req
}

// TestGatewayZeroSuffixRange: a suffix range of 0 bytes ("bytes=-0")
// selects nothing, which RFC 9110 (§14.1.1) calls unsatisfiable: alone it
// is answered 416 with "bytes */LENGTH", as a range past the end is, and
// beside a satisfiable range it is left out. net/http's ServeContent
// answers it 206 with "Content-Range: bytes 20-19/20" (golang/go#81262).
func TestGatewayZeroSuffixRange(t *testing.T) {
	e := newEnv(t, Config{})
	ans := e.uploadOK(nil, "digits.txt", bytes.NewReader([]byte("0123456789abcdefghij")))
	url := e.url + "/ipfs/" + ans.Hash
	tests := []struct {
		rangeHeader  string
		status       int
		contentRange string
		body         string
	}{
		{"bytes=-0", http.StatusRequestedRangeNotSatisfiable, "bytes */20", ""},
		{"bytes=-000", http.StatusRequestedRangeNotSatisfiable, "bytes */20", ""},
		{"bytes=-0, -0", http.StatusRequestedRangeNotSatisfiable, "bytes */20", ""},
		{"bytes=-0, 2-5", http.StatusPartialContent, "bytes 2-5/20", "2345"},
		{"bytes=2-5,-0", http.StatusPartialContent, "bytes 2-5/20", "2345"},
		{"bytes=-5", http.StatusPartialContent, "bytes 15-19/20", "fghij"},
		{"bytes=-50", http.StatusPartialContent, "bytes 0-19/20", "0123456789abcdefghij"},
		{"bytes=0-0", http.StatusPartialContent, "bytes 0-0/20", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.rangeHeader, func(t *testing.T) {
			req := mustRequest(t, http.MethodGet, url, nil)
			req.Header.Set("Range", tt.rangeHeader)
			resp, body := e.do(req)
			require.Equal(t, tt.status, resp.StatusCode, string(body))
			assert.Equal(t, tt.contentRange, resp.Header.Get("Content-Range"))
			if tt.status == http.StatusPartialContent {
				assert.Equal(t, tt.body, string(body))
			}
		})
	}
}
