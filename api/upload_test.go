package api

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

const helloCID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"

func TestUploadSendsFileAndVerifiesCID(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		wantCID string
	}{
		{"empty file", nil, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"},
		{"hello world", []byte("hello world\n"), helloCID},
		{"two chunks (262,145 bytes)", patterned(ChunkSize + 1), ""},
		{"over 1 MiB (asks 100-continue)", patterned(1<<20 + 3), ""},
	}
	f := newFakeDStor(t)
	c := f.client(nil)
	tok := validToken(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := testfs.WriteTemp(t, "data.bin", tt.data)
			st, err := os.Stat(path)
			require.NoError(t, err)

			res, err := c.Upload(t.Context(), tok, UploadRequest{Path: path})
			require.NoError(t, err)

			rec := f.lastUpload()
			require.NoError(t, rec.Err)
			assert.Equal(t, http.MethodPost, rec.Method)
			assert.True(t, bytes.Equal(tt.data, rec.Data), "bytes arrive unchanged")
			assert.Len(t, rec.Data, len(tt.data))
			assert.False(t, rec.Chunked, "the body must have a Content-Length, not chunked encoding")
			assert.Equal(t, rec.BodyBytes, rec.ContentLength, "Content-Length is exact")
			assert.Equal(t, 1, rec.Parts)
			assert.Equal(t, "file", rec.Field)
			assert.Equal(t, "data.bin", rec.FileName)
			assert.Equal(t, "application/octet-stream", rec.PartType)
			assert.Equal(t, "Bearer "+tok.Raw, rec.Header.Get("Authorization"))
			assert.Equal(t, "application/json", rec.Header.Get("Accept"))
			assert.True(t, strings.HasPrefix(rec.Header.Get("User-Agent"), "dstor-uploader/"))
			for _, h := range []string{"x-dstor-folder-path", "x-dstor-parent-id", "x-dstor-comment"} {
				assert.Empty(t, rec.Header.Values(h), "%s is only sent when set", h)
			}

			assert.Equal(t, rec.CID, res.LocalCID, "client and server hash the same bytes alike")
			if tt.wantCID != "" {
				assert.Equal(t, tt.wantCID, res.LocalCID)
			}
			assert.Equal(t, res.LocalCID, res.Hash)
			assert.True(t, res.Verified)
			assert.Equal(t, "data.bin", res.Name)
			assert.Equal(t, int64(len(tt.data)), res.Size, "Size from the answer (a string here)")
			assert.Equal(t, int64(len(tt.data)), res.FileSize)
			assert.True(t, st.ModTime().Equal(res.ModTime))
			assert.Equal(t, tt.data[:min(len(tt.data), liveProbeBytes)], res.Head,
				"the first bytes sent, for the link's live check")
			assert.LessOrEqual(t, cap(res.Head), liveProbeBytes, "no more kept than a check compares")
		})
	}
}

func TestUploadHeaders(t *testing.T) {
	tests := []struct {
		name        string
		req         UploadRequest
		wantHeaders map[string]string // "" = must be absent
		wantName    string
	}{
		{
			name:        "folder path",
			req:         UploadRequest{FolderPath: "/photos/2026/"},
			wantHeaders: map[string]string{"x-dstor-folder-path": "/photos/2026/", "x-dstor-parent-id": ""},
		},
		{
			name:        "root by parent id 0",
			req:         UploadRequest{ParentID: ptr(int64(0))},
			wantHeaders: map[string]string{"x-dstor-parent-id": "0", "x-dstor-folder-path": ""},
		},
		{
			name:        "parent id",
			req:         UploadRequest{ParentID: ptr(int64(9007199254740993))},
			wantHeaders: map[string]string{"x-dstor-parent-id": "9007199254740993"},
		},
		{
			name:        "comment, UTF-8",
			req:         UploadRequest{Comment: "fotos de férias — 📷"},
			wantHeaders: map[string]string{"x-dstor-comment": "fotos de férias — 📷"},
		},
		{
			name:        "everything",
			req:         UploadRequest{FolderPath: "/a b/c/", Comment: "x=1; y=\"2\""},
			wantHeaders: map[string]string{"x-dstor-folder-path": "/a b/c/", "x-dstor-comment": "x=1; y=\"2\""},
		},
		{
			name:     "chosen name with quotes and accents",
			req:      UploadRequest{Name: `résumé "final"; v2.pdf`},
			wantName: `résumé "final"; v2.pdf`,
		},
	}
	f := newFakeDStor(t)
	c := f.client(nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Path = testfs.WriteTemp(t, "local name.txt", []byte("content"))
			res, err := c.Upload(t.Context(), validToken(t), req)
			require.NoError(t, err)
			rec := f.lastUpload()
			for h, want := range tt.wantHeaders {
				if want == "" {
					assert.Empty(t, rec.Header.Values(h))
				} else {
					assert.Equal(t, []string{want}, rec.Header.Values(h))
				}
			}
			wantName := tt.wantName
			if wantName == "" {
				wantName = "local name.txt"
			}
			assert.Equal(t, wantName, rec.FileName)
			assert.Equal(t, wantName, res.Name)
			assert.True(t, res.Verified)
		})
	}
}

func TestUploadAnswerForms(t *testing.T) {
	const otherCID = "QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT"
	const cidV1 = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"
	tests := []struct {
		name         string
		status       int    // 0: 200 OK
		answer       string // {CID} = the real CID
		wantName     string
		wantHash     string
		wantSize     int64
		wantVerified bool
		wantMismatch bool
	}{
		{name: "Size as string", answer: `{"Name":"n.txt","Hash":"{CID}","Size":"25136"}`, wantName: "n.txt", wantSize: 25136, wantVerified: true},
		{name: "Size as number", answer: `{"Name":"n.txt","Hash":"{CID}","Size":25136}`, wantName: "n.txt", wantSize: 25136, wantVerified: true},
		{name: "Size missing, Name missing", answer: `{"Hash":"{CID}"}`, wantName: "hello.txt", wantVerified: true},
		{name: "201 Created", status: 201, answer: `{"Name":"hello.txt","Hash":"{CID}","Size":"20"}`, wantName: "hello.txt", wantSize: 20, wantVerified: true},
		{name: "203 from a proxy", status: 203, answer: `{"Name":"hello.txt","Hash":"{CID}","Size":"20"}`, wantName: "hello.txt", wantSize: 20, wantVerified: true},
		{name: "lowercase keys", answer: `{"name":"n.txt","hash":"{CID}","size":"12"}`, wantName: "n.txt", wantSize: 12, wantVerified: true},
		{
			name:     "NDJSON with progress lines, last object is the root",
			answer:   "{\"Name\":\"\",\"Bytes\":6}\n{\"Name\":\"\",\"Bytes\":12}\n{\"Name\":\"sub\",\"Hash\":\"" + otherCID + "\",\"Size\":\"1\"}\n{\"Name\":\"hello.txt\",\"Hash\":\"{CID}\",\"Size\":\"20\"}\n",
			wantName: "hello.txt", wantSize: 20, wantVerified: true,
		},
		{name: "JSON array", answer: `[{"Name":"a","Hash":"` + otherCID + `","Size":"1"},{"Name":"b","Hash":"{CID}","Size":"2"}]`, wantName: "b", wantSize: 2, wantVerified: true},
		{name: "CIDv1 of other content: mismatch", answer: `{"Name":"n","Hash":"` + cidV1 + `","Size":"20"}`, wantName: "n", wantHash: cidV1, wantSize: 20, wantMismatch: true},
		{name: "different CIDv0: mismatch", answer: `{"Name":"n","Hash":"` + otherCID + `","Size":"20"}`, wantName: "n", wantHash: otherCID, wantSize: 20, wantMismatch: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.addAnswer = func(w http.ResponseWriter, rec received) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(cmp.Or(tt.status, http.StatusOK))
				_, _ = io.WriteString(w, strings.ReplaceAll(tt.answer, "{CID}", rec.CID))
			}
			path := testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))
			res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: path})
			wantHash := tt.wantHash
			if wantHash == "" {
				wantHash = helloCID
			}
			assert.Equal(t, helloCID, res.LocalCID)
			assert.Equal(t, wantHash, res.Hash)
			assert.Equal(t, "hello.txt", res.Name, "the name sent, never the server's")
			wantServer := tt.wantName
			if wantServer == "hello.txt" {
				wantServer = ""
			}
			assert.Equal(t, wantServer, res.ServerName, "a different server name is kept apart")
			assert.Equal(t, tt.wantSize, res.Size)
			assert.Equal(t, tt.wantVerified, res.Verified)
			assert.Equal(t, int64(12), res.FileSize)
			if !tt.wantMismatch {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrHashMismatch)
			var hm *HashMismatchError
			require.ErrorAs(t, err, &hm)
			assert.Equal(t, helloCID, hm.Local)
			assert.Equal(t, wantHash, hm.Remote)
			assert.Contains(t, err.Error(), helloCID)
			assert.Contains(t, err.Error(), wantHash)
			assert.False(t, Retryable(err))
		})
	}
}

// statusCase is one server answer and the typed error it must become.
type statusCase struct {
	name        string
	status      int
	header      map[string]string
	body        string
	trailer     map[string]string // sent after body (IPFS's X-Stream-Error)
	wantKind    Kind
	sentinel    error
	retryable   bool
	retryAfter  time.Duration
	wantText    string // substring of Error()
	wantMessage string // exact Error.Message
}

func TestUploadStatusErrors(t *testing.T) {
	tok := validToken(t)
	json := map[string]string{"Content-Type": "application/json"}
	html := map[string]string{"Content-Type": "text/html; charset=utf-8"}
	tests := []statusCase{
		{name: "400", status: 400, header: json, body: `{"message":"x-dstor-parent-id and x-dstor-folder-path are exclusive"}`,
			wantKind: KindBadRequest, sentinel: ErrBadRequest, wantText: "dStor refused the upload request",
			wantMessage: "x-dstor-parent-id and x-dstor-folder-path are exclusive"},
		{name: "401", status: 401, header: json, body: `{"message":"invalid token ` + tok.Raw + `"}`,
			wantKind: KindUnauthorized, sentinel: ErrUnauthorized, wantText: "dStor refused the sign-in — sign in again",
			wantMessage: "invalid token ***"},
		{name: "401 that says expired", status: 401, header: json, body: `{"error":"jwt expired"}`,
			wantKind: KindTokenExpired, sentinel: ErrTokenExpired, wantText: "your dStor sign-in has expired", wantMessage: "jwt expired"},
		{name: "403", status: 403, header: json, body: `{"message":"folder belongs to another account"}`,
			wantKind: KindUnauthorized, sentinel: ErrUnauthorized, wantText: "dStor refused access"},
		{name: "404", status: 404, body: "404 page not found\n", wantKind: KindBadRequest, sentinel: ErrBadRequest,
			wantText: "no such address", wantMessage: "404 page not found"},
		{name: "408", status: 408, wantKind: KindTimeout, sentinel: ErrTimeout, retryable: true, wantText: "did not answer in time"},
		{name: "413", status: 413, header: json, body: `{"message":"file exceeds 100000000 bytes"}`,
			wantKind: KindTooLarge, sentinel: ErrTooLarge, wantText: "the file is too large for dStor", wantMessage: "file exceeds 100000000 bytes"},
		{name: "429 with Retry-After seconds", status: 429, header: map[string]string{"Retry-After": "7"},
			wantKind: KindRateLimited, sentinel: ErrRateLimited, retryable: true, retryAfter: 7 * time.Second,
			wantText: "dStor is busy (too many requests) — retrying later may work, after 7s"},
		{name: "500", status: 500, body: "internal error", wantKind: KindServer, sentinel: ErrServer, retryable: true,
			wantText: "dStor is busy or having trouble — retrying later may work", wantMessage: "internal error"},
		{name: "502 HTML error page", status: 502, header: html,
			body:     "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			wantKind: KindServer, sentinel: ErrServer, retryable: true, wantMessage: "HTML page: 502 Bad Gateway"},
		{name: "503 with Retry-After", status: 503, header: map[string]string{"Retry-After": "120"},
			wantKind: KindServer, sentinel: ErrServer, retryable: true, retryAfter: 2 * time.Minute, wantText: "after 2m0s"},
		{name: "200 HTML page", status: 200, header: html, body: "<!doctype html><title>Sign in to Wi-Fi</title>",
			wantKind: KindMalformed, sentinel: ErrMalformed, wantText: "cannot read", wantMessage: "HTML page: Sign in to Wi-Fi"},
		{name: "200 malformed JSON", status: 200, header: json, body: `{"Name":"a","Hash":`,
			wantKind: KindMalformed, sentinel: ErrMalformed, wantText: "not JSON"},
		{name: "200 without Hash", status: 200, header: json, body: `{"message":"queued"}`,
			wantKind: KindMalformed, sentinel: ErrMalformed, wantMessage: "queued"},
		{name: "200 with a bad Size", status: 200, header: json, body: `{"Hash":"` + helloCID + `","Size":"-1"}`,
			wantKind: KindMalformed, sentinel: ErrMalformed, wantText: "Size"},
		// IPFS's add reports a failure found after it wrote a Hash (pinning,
		// storing) as an error object at the end of the stream, or in the
		// X-Stream-Error trailer: the right Hash before it is no success.
		{name: "200 stream ending with an IPFS error object", status: 200, header: json,
			body:     `{"Name":"hello.txt","Hash":"` + helloCID + `","Size":"20"}` + "\n" + `{"Message":"pin: blockstore is full","Code":0,"Type":"error"}` + "\n",
			wantKind: KindServer, sentinel: ErrServer, retryable: true,
			wantText: "dStor reported an error while adding the file", wantMessage: "pin: blockstore is full"},
		{name: "200 array with an error item", status: 200, header: json,
			body:     `[{"Name":"hello.txt","Hash":"` + helloCID + `","Size":"20"},{"Message":"could not save ` + tok.Raw + `","Type":"error"}]`,
			wantKind: KindServer, sentinel: ErrServer, retryable: true,
			wantText: "dStor reported an error while adding the file", wantMessage: "could not save ***"},
		{name: "200 one object with a Hash and Type error", status: 200, header: json,
			body:     `{"Hash":"` + helloCID + `","Size":"20","Message":"quota exceeded","type":"Error"}`,
			wantKind: KindServer, sentinel: ErrServer, retryable: true,
			wantText: "dStor reported an error while adding the file", wantMessage: "quota exceeded"},
		{name: "200 with an X-Stream-Error trailer", status: 200, header: json,
			body:     `{"Name":"hello.txt","Hash":"` + helloCID + `","Size":"20"}` + "\n",
			trailer:  map[string]string{"X-Stream-Error": "context canceled"},
			wantKind: KindServer, sentinel: ErrServer, retryable: true,
			wantText: "dStor reported an error while adding the file", wantMessage: "context canceled"},
		// Only 200 OK and 201 Created (203: a 200 a proxy rewrote) say the
		// add was carried out: 202 says it was not yet, and the file's own
		// Hash in its body does not make it so.
		{name: "202 Accepted with the file's own Hash", status: 202, header: json,
			body:     `{"Name":"hello.txt","Hash":"` + helloCID + `","Size":"20"}`,
			wantKind: KindMalformed, sentinel: ErrMalformed,
			wantText: `dStor answered the upload with "202 Accepted", which does not say the file was stored, so the upload is not counted as done`},
		{name: "206 Partial Content with the file's own Hash", status: 206, header: json,
			body:     `{"Name":"hello.txt","Hash":"` + helloCID + `","Size":"20"}`,
			wantKind: KindMalformed, sentinel: ErrMalformed, wantText: `"206 Partial Content"`},
		{name: "205 Reset Content", status: 205, wantKind: KindMalformed, sentinel: ErrMalformed, wantText: `"205 Reset Content"`},
		{name: "204 No Content", status: 204, wantKind: KindMalformed, sentinel: ErrMalformed, wantText: `"204 No Content"`},
		{name: "200 with X-Stream-Error as a header (a proxy that buffered the answer moved its trailer)", status: 200,
			header:   map[string]string{"Content-Type": "application/json", "X-Stream-Error": "pin: blockstore is full"},
			body:     `{"Name":"hello.txt","Hash":"` + helloCID + `","Size":"20"}` + "\n",
			wantKind: KindServer, sentinel: ErrServer, retryable: true,
			wantText: "dStor reported an error while adding the file", wantMessage: "pin: blockstore is full"},
		{name: "302 redirect", status: 302, header: map[string]string{"Location": "https://elsewhere.example/add"},
			wantKind: KindMalformed, sentinel: ErrMalformed, wantText: "redirected", wantMessage: "redirect to https://elsewhere.example/add"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.onAdd = func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				for k := range tt.trailer {
					w.Header().Add("Trailer", k) // declared first, as IPFS does
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
				for k, v := range tt.trailer {
					w.Header().Set(k, v)
				}
			}
			path := testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))
			_, err := f.client(nil).Upload(t.Context(), tok, UploadRequest{Path: path})
			checkStatusError(t, err, tt, tok.Raw)
		})
	}
}

func checkStatusError(t *testing.T, err error, tt statusCase, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, tt.wantKind, e.Kind, "%v", err)
	assert.Equal(t, tt.status, e.Status)
	assert.Equal(t, OpUpload, e.Op)
	assert.True(t, strings.HasPrefix(e.Host, "127.0.0.1:"), e.Host)
	assert.ErrorIs(t, err, tt.sentinel)
	assert.Equal(t, tt.retryable, Retryable(err))
	assert.Equal(t, tt.retryAfter, RetryAfter(err))
	if tt.wantText != "" {
		assert.Contains(t, err.Error(), tt.wantText)
	}
	if tt.wantMessage != "" {
		assert.Equal(t, tt.wantMessage, e.Message)
	}
	assert.NotEmpty(t, Human(err))
	assertNoSecret(t, err.Error()+Human(err)+fmt.Sprintf("%v %+v %#v", err, err, err), secrets...)
}

func TestUploadRefusesExpiredTokenWithoutSending(t *testing.T) {
	f := newFakeDStor(t)
	tok := ParseToken(makeJWT(t, map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}))
	_, err := f.client(nil).Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTokenExpired)
	assert.False(t, Retryable(err), "a new token is needed first")
	assert.Contains(t, Human(err), "sign in again")
	assert.Zero(t, f.uploadCount(), "nothing may be sent with a dead token")
	assertNoSecret(t, err.Error(), tok.Raw)
}

func TestUploadTokenExpiresDuringUpload(t *testing.T) {
	f := newFakeDStor(t)
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "unauthorized"})
	}
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	tok := ParseToken(makeJWT(t, map[string]any{"exp": exp.Unix()}))
	c := f.client(nil)
	var calls atomic.Int32
	c.now = func() time.Time {
		if calls.Add(1) == 1 {
			return exp.Add(-time.Minute) // when the upload starts
		}
		return exp.Add(time.Minute) // when the 401 arrives
	}
	_, err := c.Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTokenExpired)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.Status)

	// The same 401 with the token still valid is a plain refusal.
	c.now = time.Now
	_, err = c.Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	assert.ErrorIs(t, err, ErrUnauthorized)
}

func TestUploadValidatesBeforeSending(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	file := testfs.WriteTemp(t, "ok.txt", []byte("ok"))
	tests := []struct {
		name  string
		tok   Token
		req   UploadRequest
		field string
		want  string
	}{
		{"no token", Token{}, UploadRequest{Path: file}, "token", "sign in first"},
		{"damaged token", Token{Raw: "abc\r\nx-evil: 1"}, UploadRequest{Path: file}, "token", "damaged"},
		{"both folder headers", validToken(t), UploadRequest{Path: file, FolderPath: "/a/", ParentID: ptr(int64(1))}, "folder path", "not both"},
		{"header injection in comment", validToken(t), UploadRequest{Path: file, Comment: "hi\r\nx-dstor-parent-id: 5"}, "comment", "control characters"},
		{"missing file", validToken(t), UploadRequest{Path: file + ".missing"}, "file", "does not exist"},
		{"folder", validToken(t), UploadRequest{Path: t.TempDir()}, "file", "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Upload(t.Context(), tt.tok, tt.req)
			checkValidation(t, err, tt.field, tt.want, tt.tok.Raw)
		})
	}
	assert.Zero(t, f.uploadCount())
}

func TestUploadConnectionRefused(t *testing.T) {
	addr := closedPort(t)
	c := newTestClient(t, "http://"+addr, nil)
	_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnreachable)
	assert.True(t, Retryable(err))
	assert.Equal(t, "cannot reach "+addr+" — check your connection", Human(err))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Zero(t, e.Status)
	assert.Equal(t, addr, e.Host)
}

func TestUploadConnectionCutMidBody(t *testing.T) {
	f := newFakeDStor(t)
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.CopyN(io.Discard, r.Body, 64<<10)
		if conn, _ := hijack(t, w); conn != nil {
			_ = conn.Close()
		}
	}
	tok := validToken(t)
	_, err := f.client(nil).Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "big", patterned(8<<20))})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnreachable, "%v", err)
	assert.True(t, Retryable(err))
	assert.Contains(t, Human(err), "the connection to 127.0.0.1:")
	assert.Contains(t, Human(err), "broke")
	assertNoSecret(t, err.Error(), tok.Raw)
}

func TestUploadProgress(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	size := 3*ChunkSize + 12345
	var (
		mu    sync.Mutex
		calls [][2]int64
	)
	req := UploadRequest{
		Path: testfs.WriteTemp(t, "p.bin", patterned(size)),
		Progress: func(sent, total int64) {
			mu.Lock()
			calls = append(calls, [2]int64{sent, total})
			mu.Unlock()
		},
	}
	res, err := c.Upload(t.Context(), validToken(t), req)
	require.NoError(t, err)
	assert.True(t, res.Verified)

	mu.Lock()
	defer mu.Unlock()
	require.Greater(t, len(calls), 4, "progress is reported as the file goes, not once")
	prev := int64(0)
	for _, c := range calls {
		assert.Equal(t, int64(size), c[1], "total is the file size")
		assert.GreaterOrEqual(t, c[0], prev, "sent never goes back")
		assert.LessOrEqual(t, c[0], int64(size))
		prev = c[0]
	}
	assert.Equal(t, int64(size), calls[len(calls)-1][0], "progress reaches the total")

	// An empty file reports its (zero) completion too.
	var got [][2]int64
	_, err = c.Upload(t.Context(), validToken(t), UploadRequest{
		Path:     testfs.WriteTemp(t, "empty", nil),
		Progress: func(sent, total int64) { got = append(got, [2]int64{sent, total}) },
	})
	require.NoError(t, err)
	assert.Equal(t, [][2]int64{{0, 0}}, got)
}

func TestUploadFileChangedWhileSending(t *testing.T) {
	size := 3*ChunkSize + 5
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
	}{
		{"grew", func(t *testing.T, path string) { appendBytes(t, path, "more") }},
		{"shrank", func(t *testing.T, path string) {
			require.NoError(t, os.Truncate(path, ChunkSize+10))
		}},
		{"modified in place", func(t *testing.T, path string) {
			fh, err := os.OpenFile(path, os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = fh.WriteAt([]byte("XXXX"), int64(size-4))
			require.NoError(t, err)
			require.NoError(t, fh.Close())
			later := time.Now().Add(time.Hour)
			require.NoError(t, os.Chtimes(path, later, later))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			path := testfs.WriteTemp(t, "live.log", patterned(size))
			var once sync.Once
			_, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{
				Path:     path,
				Progress: func(int64, int64) { once.Do(func() { tt.change(t, path) }) },
			})
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrFileChanged)
			assert.False(t, Retryable(err))
			assert.Contains(t, Human(err), "the file changed while it was being uploaded")
			assert.Contains(t, err.Error(), "live.log")

			f.mu.Lock()
			defer f.mu.Unlock()
			for _, rec := range f.uploads {
				assert.Error(t, rec.Err, "the server must never receive a complete body for a changed file")
			}
		})
	}
}

// slowReader is an add handler that reads the body slowly until the client
// goes away.
func slowReader(w http.ResponseWriter, r *http.Request) {
	buf := make([]byte, 16<<10)
	for {
		if _, err := r.Body.Read(buf); err != nil {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestUploadCancelMidFileLeavesNoGoroutine(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())

	f := newFakeDStor(t)
	f.onAdd = slowReader
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	defer hc.CloseIdleConnections()
	c := f.client(hc)

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var sentAtCancel atomic.Int64
	var once sync.Once
	size := int64(16 << 20)
	res, err := c.Upload(ctx, validToken(t), UploadRequest{
		Path: testfs.WriteTemp(t, "big.bin", patterned(int(size))),
		Progress: func(sent, _ int64) {
			if sent >= 1<<20 {
				once.Do(func() { sentAtCancel.Store(sent); cancel() })
			}
		},
	})
	require.Error(t, err)
	assert.Equal(t, UploadResult{}, res)
	assert.ErrorIs(t, err, ErrCanceled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, Retryable(err))
	assert.Equal(t, "upload canceled", Human(err))
	assert.Less(t, sentAtCancel.Load(), size, "canceled mid-file")

	f.srv.Close() // ends the server's connection goroutines before the check
}

func TestUploadCanceledBeforeStart(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	f := newFakeDStor(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	_, err := f.client(hc).Upload(ctx, validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	assert.ErrorIs(t, err, ErrCanceled)
	f.srv.Close()
}

func TestUploadDeadlineMidFile(t *testing.T) {
	f := newFakeDStor(t)
	f.onAdd = slowReader
	path := testfs.WriteTemp(t, "big.bin", patterned(16<<20))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err := f.client(nil).Upload(ctx, validToken(t), UploadRequest{Path: path})
	assertTimedOut(t, err)
}

// TestUploadDeadlineWhileItsFileOpensOrIsChecked: a caller's deadline
// that passes while the upload's open of its file, or the read of an
// expected checksum, has not returned (a slow share) is a timeout, as the
// same deadline passing mid-file is: retryable, not "canceled". The
// upload gave those looks up as a cancel since they moved off its
// goroutine (aa9faac); TestUploadDeadlineMidFile, which made its 16 MiB
// file inside its 200 ms, failed so under load.
func TestUploadDeadlineWhileItsFileOpensOrIsChecked(t *testing.T) {
	for _, sum := range []string{"", strings.Repeat("ab", 32)} {
		t.Run(map[bool]string{false: "open", true: "checksum"}[sum != ""], func(t *testing.T) {
			// Released last, after the file's folder is removed: the open
			// left behind then finds no file, so it leaves none open
			// (Windows cannot remove a folder whose file is open).
			released := make(chan struct{})
			t.Cleanup(func() { close(released) })
			f := newFakeDStor(t)
			path := testfs.WriteTemp(t, "slow.bin", []byte("slow"))
			t.Cleanup(readhook.SetOpen(func(p string) {
				if p == path {
					<-released
				}
			}))
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			_, err := f.client(nil).Upload(ctx, validToken(t), UploadRequest{Path: path, ExpectSHA256: sum})
			assertTimedOut(t, err)
		})
	}
}

// assertTimedOut checks that err is an upload's timeout: the deadline
// given, kept in the chain, and retryable.
func assertTimedOut(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.True(t, Retryable(err))
}

// TestUploadStreamsWithFlatMemory uploads a file of more than 174 chunks
// (a two-level DAG) to a server that hashes as it reads, and checks that
// the heap never holds anything near the file's size.
func TestUploadStreamsWithFlatMemory(t *testing.T) {
	size := 175*ChunkSize + 17 // ≈ 44 MiB
	path := testfs.WriteTemp(t, "two-levels.bin", patterned(size))

	f := newFakeDStor(t)
	var serverCID string
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		part, err := multipart.NewReader(r.Body, params["boundary"]).NextPart()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		serverCID, err = ComputeCID(part)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"Name": part.FileName(), "Hash": serverCID, "Size": size})
	}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: path})
	close(stop)
	<-sampled
	require.NoError(t, err)
	assert.True(t, res.Verified)
	assert.Equal(t, serverCID, res.LocalCID)
	assert.Equal(t, int64(size), res.Size, "Size as a JSON number")

	growth := int64(peak.Load()) - int64(base.HeapAlloc)
	t.Logf("file %d MiB, peak heap growth %d MiB", size>>20, growth>>20)
	assert.Less(t, growth, int64(size/2), "memory must not grow with the file size")
}

// TestNoSecretInAnyError drives every failure path where a careless server
// echoes the credentials it got, and checks no error text contains them.
func TestNoSecretInAnyError(t *testing.T) {
	tok := validToken(t)
	secrets := []string{testAPIKey, testPassword, tok.Raw}
	echo := func(w http.ResponseWriter, r *http.Request, status int) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"message":"got api-key=%s auth=%s x-api=%s body=%s"}`,
			r.Header.Get("api-key"), r.Header.Get("Authorization"), r.Header.Get("x-api-key"), body)
	}
	var errs []error
	for _, status := range []int{200, 400, 401, 403, 413, 429, 500, 502} {
		f := newFakeDStor(t)
		f.onToken = func(w http.ResponseWriter, r *http.Request) { echo(w, r, status) }
		f.onAdd = func(w http.ResponseWriter, r *http.Request) { echo(w, r, status) }
		c := f.client(nil)
		_, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
		errs = append(errs, err)
		_, err = c.TokenFromLogin(t.Context(), testEmail, testPassword)
		errs = append(errs, err)
		_, err = c.Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
		errs = append(errs, err)
	}
	// Plain-text and HTML echoes, and network failures.
	f := newFakeDStor(t)
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprintf(w, "<html><title>bad %s</title></html>", r.Header.Get("Authorization"))
	}
	f.onToken = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprintf(w, "key %s\nrefused", r.Header.Get("api-key"))
	}
	_, err := f.client(nil).Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	errs = append(errs, err)
	_, err = f.client(nil).TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	errs = append(errs, err)
	// A status line or header net/http cannot parse, made of the secret
	// sent: net/http quotes it in its error.
	statusLineOf := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		conn, bw := hijack(t, w)
		if conn == nil {
			return
		}
		defer func() { _ = conn.Close() }()
		echoed := r.Header.Get("api-key") + r.Header.Get("Authorization") + string(body)
		_, _ = fmt.Fprintf(bw, "%s 200 OK\r\n\r\n", strings.NewReplacer("\r", "", "\n", "").Replace(echoed))
		_ = bw.Flush()
	}
	f = newFakeDStor(t)
	f.onToken, f.onAdd = statusLineOf, statusLineOf
	_, err = f.client(nil).TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	errs = append(errs, err)
	_, err = f.client(nil).TokenFromLogin(t.Context(), testEmail, testPassword)
	errs = append(errs, err)
	_, err = f.client(nil).Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	errs = append(errs, err)
	dead := newTestClient(t, "http://"+closedPort(t), nil)
	_, err = dead.TokenFromLogin(t.Context(), testEmail, testPassword)
	errs = append(errs, err)
	_, err = dead.Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	errs = append(errs, err)
	// Validation failures of the secrets themselves.
	_, err = dead.TokenFromAPIKey(t.Context(), testAPIKey+"!", time.Time{})
	errs = append(errs, err)
	_, err = dead.Upload(t.Context(), Token{Raw: tok.Raw + " x"}, UploadRequest{Path: "/nonexistent"})
	errs = append(errs, err)

	for i, err := range errs {
		require.Error(t, err, "case %d", i)
		text := strings.Join([]string{err.Error(), Human(err), fmt.Sprintf("%v|%+v|%#v|%s|%q", err, err, err, err, err)}, "\n")
		for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
			text += "\n" + u.Error()
		}
		assertNoSecret(t, text, secrets...)
		// Partial leaks: the JSON-escaped password and long prefixes.
		assertNoSecret(t, text, `pa55-w0rd \"quoted\"`, testAPIKey[:32], tok.Raw[:40])
	}
}

// A large upload asks for "100 Continue" first, so a refusal that comes
// before the body (here an expired token) costs no file bytes.
func TestUploadEarlyRefusalSendsNoFileBytes(t *testing.T) {
	f := newFakeDStor(t)
	var expect atomic.Value
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		expect.Store(r.Header.Get("Expect"))
		writeJSON(w, http.StatusUnauthorized, map[string]any{"message": "token expired"})
	}
	var progressCalls atomic.Int32
	_, err := f.patientClient().Upload(t.Context(), validToken(t), UploadRequest{
		Path:     testfs.WriteTemp(t, "big.bin", patterned(4<<20)),
		Progress: func(int64, int64) { progressCalls.Add(1) },
	})
	assert.ErrorIs(t, err, ErrTokenExpired)
	assert.Equal(t, "100-continue", expect.Load())
	assert.Zero(t, progressCalls.Load(), "no file byte may be sent after the refusal")

	// Small files do not wait for 100 Continue.
	_, _ = f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "s", []byte("s"))})
	assert.Equal(t, "", expect.Load())
}

// A server that answers 200 with the whole file's right CID before it has
// taken the file (it knew the hash beforehand, as a server that already
// holds the content may), then holds or resets the connection, has not
// received the bytes this upload sent: the upload is not done, however
// right the hash. The file is far larger than the loopback's socket
// buffers, so it cannot all be handed to the connection before the answer.
func TestUploadAnsweredBeforeTheFileWasTakenIsNotDone(t *testing.T) {
	data := patterned(32 << 20)
	want, err := ComputeCID(bytes.NewReader(data))
	require.NoError(t, err)
	path := testfs.WriteTemp(t, "big.bin", data)
	tests := []struct {
		name     string
		end      func(t *testing.T, conn net.Conn) // after the answer
		sentinel error
	}{
		{name: "then the connection is held, unread", end: func(t *testing.T, _ net.Conn) { <-t.Context().Done() }, sentinel: ErrServer},
		{name: "then the connection is reset", end: func(_ *testing.T, conn net.Conn) {
			_ = conn.(*net.TCPConn).SetLinger(0) // Close sends RST
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.onAdd = func(w http.ResponseWriter, r *http.Request) {
				conn, bw := hijack(t, w)
				if conn == nil {
					return
				}
				defer func() { _ = conn.Close() }()
				body := fmt.Sprintf(`{"Name":"big.bin","Hash":%q,"Size":"%d"}`, want, len(data))
				_, _ = bw.WriteString(rawOK(len(body), body))
				_ = bw.Flush()
				tt.end(t, conn)
			}
			res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: path})
			require.Error(t, err)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel, "%v", err)
				assert.Contains(t, err.Error(), "dStor answered before receiving the whole file")
			}
			assert.True(t, Retryable(err), "the file never arrived whole: worth another attempt (%v)", err)
			assert.False(t, res.Verified)
			assert.Empty(t, res.Hash)
		})
	}
}

// TestUploadAnswerStalls: an answer that begins, then stops arriving
// (headers and part of its body, then nothing) is cut once nothing more
// of it has come for answerIdle.
func TestUploadAnswerStalls(t *testing.T) {
	f := newFakeDStor(t)
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"Name":"a",`)
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
	}
	c := f.client(nil)
	c.answerIdle = 100 * time.Millisecond
	_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.True(t, Retryable(err))
	assert.Contains(t, err.Error(), "stopped sending its answer")
	assert.ErrorIs(t, err, ErrAnswerStopped, "what the window and the worker branch on")
	assert.Equal(t, "dStor began its answer, then stopped sending it, so the upload is not counted as done — check your connection; retrying may work", Human(err))
}

// TestUploadSteadyAnswerIsNotCut: a success answer that arrives slowly
// but steadily (a byte every 25 ms, seconds in all: a slow proxy, a
// loaded server) is read to its end and the upload is done, though it
// takes several times answerIdle in all; it was cut once answerTimeout
// (then a bound on the whole answer) had passed, its bytes still coming.
func TestUploadSteadyAnswerIsNotCut(t *testing.T) {
	f := newFakeDStor(t)
	const padding = 160 // bytes of white space before the JSON: 4 s of answer
	f.addAnswer = func(w http.ResponseWriter, rec received) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		answer := strings.Repeat(" ", padding) + fmt.Sprintf(`{"Name":"a","Hash":%q,"Size":"1"}`, rec.CID)
		flush := http.NewResponseController(w).Flush
		tick := time.NewTicker(25 * time.Millisecond)
		defer tick.Stop()
		for i := range len(answer) {
			if _, err := w.Write([]byte{answer[i]}); err != nil || flush() != nil {
				return
			}
			<-tick.C
		}
	}
	c := f.client(nil)
	c.answerIdle = time.Second
	var arrivals atomic.Int32
	res, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a")),
		Answering: func() { arrivals.Add(1) }})
	require.NoError(t, err)
	assert.True(t, res.Verified)
	assert.Greater(t, int(arrivals.Load()), padding/2, "the answer came in many reads")
}

// TestUploadTrickledAnswerIsBounded: a success answer that trickles in
// without end (a byte every 20 ms) is bounded as a whole by answerTotal,
// however steadily its bytes arrive.
func TestUploadTrickledAnswerIsBounded(t *testing.T) {
	f := newFakeDStor(t)
	f.onAdd = trickleAnswer(http.StatusOK, "application/json", " ", 20*time.Millisecond)
	c := f.client(nil)
	c.answerTotal = 300 * time.Millisecond
	start := time.Now()
	_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
	took := time.Since(start)
	assert.ErrorIs(t, err, ErrTimeout)
	assert.True(t, Retryable(err))
	assert.Contains(t, err.Error(), "still sending its answer")
	assert.ErrorIs(t, err, ErrAnswerTooLong, "what the window and the worker branch on")
	assert.Equal(t, "dStor's answer was still arriving after 30 minutes, far longer than any answer takes, so it was cut off and the upload is not counted as done — check your connection and any proxy in between; retrying may work", Human(err))
	assert.Less(t, took, c.answerTotal+5*time.Second, "held the upload for %v", took)
}

func TestParseAddResponse(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    AddResponse
		wantErr string
	}{
		{name: "guide example", body: `{"Name":"hello-world.txt","Hash":"QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT","Size":"25136"}`,
			want: AddResponse{Name: "hello-world.txt", Hash: "QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT", Size: 25136}},
		{name: "number size", body: `{"Hash":"QmA","Size":7}`, want: AddResponse{Hash: "QmA", Size: 7}},
		{name: "exponent size", body: `{"Hash":"QmA","Size":1.2e3}`, want: AddResponse{Hash: "QmA", Size: 1200}},
		{name: "padded string size", body: `{"Hash":" QmA ","Size":" 12 "}`, want: AddResponse{Hash: "QmA", Size: 12}},
		{name: "null size", body: `{"Hash":"QmA","Size":null}`, want: AddResponse{Hash: "QmA"}},
		{name: "NDJSON, CRLF, trailing blank lines", body: "{\"Hash\":\"QmA\"}\r\n{\"Hash\":\"QmB\",\"Size\":\"2\"}\r\n\r\n", want: AddResponse{Hash: "QmB", Size: 2}},
		{name: "progress after root is skipped", body: "{\"Hash\":\"QmA\",\"Size\":\"1\"}\n{\"Bytes\":5}\n", want: AddResponse{Hash: "QmA", Size: 1}},
		{name: "empty", body: "", wantErr: "no object with a Hash"},
		{name: "only progress", body: `{"Name":"","Bytes":100}`, wantErr: "no object with a Hash"},
		{name: "fractional size", body: `{"Hash":"QmA","Size":1.5}`, wantErr: "Size: not a non-negative integer"},
		{name: "negative size", body: `{"Hash":"QmA","Size":"-4"}`, wantErr: "Size: negative"},
		{name: "size object", body: `{"Hash":"QmA","Size":{}}`, wantErr: "Size"},
		{name: "hash number", body: `{"Hash":5}`, wantErr: "Hash: not a string"},
		{name: "scalar", body: `"QmA"`, wantErr: "expected a JSON object"},
		{name: "array of scalars", body: `["QmA"]`, wantErr: "not a JSON object"},
		{name: "truncated", body: `{"Hash":"QmA"`, wantErr: "not JSON"},
		{name: "garbage after root", body: `{"Hash":"QmA"} trailing`, wantErr: "not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddResponse([]byte(tt.body))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// Many uploads in a row on one client must all succeed and reuse one
// kept-alive connection: net/http's last read of a finished body must never
// break the connection while the answer is read.
//
// net/http puts a connection back in its idle pool only if its writer
// goroutine reports the request written within 50 ms of the answer being
// read (maxWriteWaitBeforeConnReuse); on a busy machine that goroutine can
// wait longer for a core after its last write, and the next upload dials
// anew. Here the answer waits for the client's report that the request
// was written (a server across a network answers later than that anyway),
// so that wait never runs out and every upload must find the connection.
func TestUploadManyInARowReuseOneConnection(t *testing.T) {
	const uploads = 150
	f := newFakeDStor(t)
	wrote := make(chan error, uploads) // one report per upload: never blocks the writer
	f.addAnswer = func(w http.ResponseWriter, rec received) {
		select {
		case err := <-wrote:
			assert.NoError(t, err, "the client's transport wrote the request whole")
		case <-t.Context().Done():
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": rec.CID, "Size": itoa(len(rec.Data))})
	}
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) { wrote <- info.Err },
	})
	c := f.client(nil)
	tok := validToken(t)
	path := testfs.WriteTemp(t, "small.txt", []byte("hello world\n"))
	for i := range uploads {
		res, err := c.Upload(ctx, tok, UploadRequest{Path: path})
		require.NoError(t, err, "upload %d", i)
		require.True(t, res.Verified)
	}
	assert.Equal(t, int32(1), f.conns.Load(), "uploads reuse the kept-alive connection (without keep-alive: one each)")
}

func TestUploadConcurrentlyThroughOneClient(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	tok := validToken(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	results := make([]UploadResult, 8)
	for i := range errs {
		data := patterned(ChunkSize + i*1000)
		path := testfs.WriteTemp(t, fmt.Sprintf("f%d.bin", i), data)
		wg.Go(func() {
			results[i], errs[i] = c.Upload(t.Context(), tok, UploadRequest{Path: path, Comment: fmt.Sprint(i)})
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		assert.True(t, results[i].Verified)
		assert.Equal(t, int64(ChunkSize+i*1000), results[i].FileSize)
	}
	assert.Equal(t, 8, f.uploadCount())
}

func TestUploadRetriesWithoutExpectAfter417(t *testing.T) {
	f := newFakeDStor(t)
	var refused atomic.Int32
	var exactLength atomic.Bool
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Expect") != "" {
			refused.Add(1)
			w.WriteHeader(http.StatusExpectationFailed)
			return
		}
		rec := readUpload(r)
		exactLength.Store(rec.Err == nil && rec.BodyBytes == rec.ContentLength)
		writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": rec.CID, "Size": len(rec.Data)})
	}
	res, err := f.patientClient().Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "big.bin", patterned(2<<20))})
	require.NoError(t, err)
	assert.True(t, res.Verified)
	assert.Equal(t, int32(1), refused.Load())
	assert.True(t, exactLength.Load())
}

// TestUploadRetriesWithoutExpectAfterLate417 is a 417 that comes after
// net/http's wait for "100 Continue" ran out and the file began to go (a
// proxy on a slow link): the upload is sent again, once, without Expect,
// and when that fails too the error names the 417, not the folder.
func TestUploadRetriesWithoutExpectAfterLate417(t *testing.T) {
	tests := []struct {
		name       string
		plain417   bool // the request without Expect gets a 417 too
		wantKind   Kind
		wantInText string
	}{
		{name: "the retry is stored", wantKind: -1},
		{name: "the retry gets 417 too", plain417: true, wantKind: KindMalformed, wantInText: "417 Expectation Failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			began := make(chan struct{})
			var once sync.Once
			var mu sync.Mutex
			var progress []int64
			var withExpect, without atomic.Int32
			f.onAdd = func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Expect") != "" {
					withExpect.Add(1)
					select { // answer only once the file has begun to go
					case <-began:
					case <-r.Context().Done():
						return
					}
					_, _ = io.Copy(io.Discard, r.Body)
					w.WriteHeader(http.StatusExpectationFailed)
					return
				}
				without.Add(1)
				rec := readUpload(r)
				if tt.plain417 {
					w.WriteHeader(http.StatusExpectationFailed)
					return
				}
				writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": rec.CID, "Size": len(rec.Data)})
			}
			tr := newTransport()
			tr.ExpectContinueTimeout = time.Millisecond // the file goes before the 417 comes
			c := f.client(&http.Client{Transport: tr})
			size := int64(2 << 20)
			req := UploadRequest{Path: testfs.WriteTemp(t, "big.bin", patterned(int(size))), Progress: func(sent, _ int64) {
				mu.Lock()
				progress = append(progress, sent)
				mu.Unlock()
				if sent > 0 {
					once.Do(func() { close(began) })
				}
			}}
			res, err := c.Upload(t.Context(), validToken(t), req)
			assert.Equal(t, int32(1), withExpect.Load(), "requests with Expect")
			assert.Equal(t, int32(1), without.Load(), "requests without Expect")
			mu.Lock()
			defer mu.Unlock()
			for i := 1; i < len(progress); i++ {
				require.GreaterOrEqual(t, progress[i], progress[i-1], "progress went back at call %d", i)
			}
			if tt.wantKind < 0 {
				require.NoError(t, err)
				assert.True(t, res.Verified)
				require.NotEmpty(t, progress)
				assert.Equal(t, size, progress[len(progress)-1])
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.wantKind, e.Kind)
			assert.Equal(t, http.StatusExpectationFailed, e.Status)
			assert.Contains(t, e.Error(), tt.wantInText)
			assert.NotContains(t, e.Error(), "folder")
		})
	}
}
