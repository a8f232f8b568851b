package sandbox

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
)

func TestUploadCIDMatchesIPFS(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name string
		size int64
		want string // known IPFS CID, when there is one
	}{
		{"empty", 0, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"},
		{"hello world", 12, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
		{"two chunks", api.ChunkSize + 1, ""},
		{"two DAG levels (175 chunks)", 175*api.ChunkSize + 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			content := func() io.Reader { return pattern(tt.size) }
			if tt.size == 12 {
				content = func() io.Reader { return strings.NewReader("hello world\n") }
			}
			want, err := api.ComputeCID(content())
			require.NoError(t, err)
			if tt.want != "" {
				require.Equal(t, tt.want, want)
			}

			ans := e.uploadOK(nil, "file.bin", content())
			assert.Equal(t, want, ans.Hash)
			assert.Equal(t, strconv.FormatInt(tt.size, 10), ans.Size)
			assert.Equal(t, "file.bin", ans.Name)

			// The gateway gives the same bytes back.
			resp, err := e.client.Get(e.url + "/ipfs/" + ans.Hash)
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			got := sha256.New()
			n, err := io.Copy(got, resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.size, n)
			wantSum := sha256.New()
			_, err = io.Copy(wantSum, content())
			require.NoError(t, err)
			assert.Equal(t, wantSum.Sum(nil), got.Sum(nil))
		})
	}
	tmp, err := os.ReadDir(filepath.Join(e.dir, tmpDir))
	require.NoError(t, err)
	assert.Empty(t, tmp, "no temporary files left behind")
}

func TestUploadRecordsDestinationHeaders(t *testing.T) {
	e := newEnv(t, Config{})
	seven, zero := int64(7), int64(0)
	tests := []struct {
		name    string
		headers map[string]string
		want    Upload
	}{
		{"root", nil, Upload{}},
		{"parent id", map[string]string{"x-dstor-parent-id": "7"}, Upload{ParentID: &seven}},
		{"parent id 0 (root)", map[string]string{"x-dstor-parent-id": "0"}, Upload{ParentID: &zero}},
		{"folder path", map[string]string{"x-dstor-folder-path": "/photos/2026/"}, Upload{FolderPath: "/photos/2026/"}},
		{"comment", map[string]string{"x-dstor-comment": "holiday ünïcode ✓"}, Upload{Comment: "holiday ünïcode ✓"}},
		{"folder and comment", map[string]string{"x-dstor-folder-path": "/a b/c", "x-dstor-comment": "c"},
			Upload{FolderPath: "/a b/c", Comment: "c"}},
	}
	before := time.Now()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			data := "content " + tt.name
			ans := e.uploadOK(tt.headers, "f.txt", strings.NewReader(data))
			ups := e.s.Uploads(e.acc.ID)
			require.Len(t, ups, i+1)
			got := ups[i]
			assert.Equal(t, e.acc.ID, got.AccountID)
			assert.Equal(t, "f.txt", got.Name)
			assert.Equal(t, ans.Hash, got.Hash)
			assert.Equal(t, int64(len(data)), got.Size)
			assert.Equal(t, tt.want.FolderPath, got.FolderPath)
			assert.Equal(t, tt.want.ParentID, got.ParentID)
			assert.Equal(t, tt.want.Comment, got.Comment)
			assert.False(t, got.At.Before(before.Add(-time.Second)))
		})
	}
}

func TestUploadHeaderErrors(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		name    string
		headers map[string]string
		message string
	}{
		{"both folder headers", map[string]string{"x-dstor-parent-id": "3", "x-dstor-folder-path": "/a"},
			"send x-dstor-parent-id or x-dstor-folder-path, not both"},
		{"negative parent id", map[string]string{"x-dstor-parent-id": "-1"}, "non-negative integer"},
		{"parent id not a number", map[string]string{"x-dstor-parent-id": "abc"}, "non-negative integer"},
		{"parent id with sign", map[string]string{"x-dstor-parent-id": "+4"}, "non-negative integer"},
		{"parent id overflow", map[string]string{"x-dstor-parent-id": "99999999999999999999"}, "out of range"},
		{"relative folder", map[string]string{"x-dstor-folder-path": "photos/2026"}, "absolute"},
		{"dot-dot folder", map[string]string{"x-dstor-folder-path": "/photos/../etc"}, ".."},
		{"control character in folder", map[string]string{"x-dstor-folder-path": "/a\tb"}, "control characters"},
		{"control character in comment", map[string]string{"x-dstor-comment": "a\u0085b"}, "control characters"},
		{"invalid UTF-8 comment", map[string]string{"x-dstor-comment": "a\xffb"}, "UTF-8"},
	}
	tok := e.token()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			resp, body := e.upload(tok, tt.headers, "f.txt", strings.NewReader("x"))
			eb := requireJSONError(t, resp, body, http.StatusBadRequest)
			assert.Equal(t, "invalid_header", eb.Error)
			assert.Contains(t, eb.Message, tt.message)
		})
	}
	assert.Empty(t, e.s.Uploads(e.acc.ID), "nothing is stored for a refused upload")
}

func TestUploadAnyFieldName(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.token()
	hello := "hello world\n"
	const helloCID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	tests := []struct {
		name     string
		parts    []part
		wantName string
	}{
		{"empty field name (the guide)", []part{{field: "", filename: "a.txt", body: strings.NewReader(hello)}}, "a.txt"},
		{"file", []part{{field: "file", filename: "b.txt", body: strings.NewReader(hello)}}, "b.txt"},
		{"odd field name", []part{{field: "über data", filename: "c.txt", body: strings.NewReader(hello)}}, "c.txt"},
		{"a plain field before the file", []part{
			{field: "comment", body: strings.NewReader("not the file")},
			{field: "upload", filename: "d.txt", body: strings.NewReader(hello)},
		}, "d.txt"},
		{"fields after the file are ignored", []part{
			{field: "file", filename: "e.txt", body: strings.NewReader(hello)},
			{field: "file2", filename: "other.txt", body: strings.NewReader("other")},
		}, "e.txt"},
		{"only a part without a filename", []part{{field: "data", body: strings.NewReader(hello)}}, helloCID},
		{"a directory in the filename", []part{{field: "file", filename: "dir/sub/f.txt", body: strings.NewReader(hello)}}, "f.txt"},
		// A backslash is a character of a Linux file's name, sent by a
		// client on Linux; the sandbox keeps it on every system (it took
		// it for a folder's end on Windows: "slash.txt").
		{"a backslash in the filename", []part{{field: "file", filename: `back\slash.txt`, body: strings.NewReader(hello)}}, `back\\slash.txt`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			req, wait := e.addRequest(tok, nil, tt.parts...)
			defer wait()
			resp, body := e.do(req)
			require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
			assert.Contains(t, string(body), `"Hash":"`+helloCID+`"`)
			assert.Contains(t, string(body), `"Name":"`+tt.wantName+`"`)
			assert.Contains(t, string(body), `"Size":"12"`)
		})
	}
	tmp, err := os.ReadDir(filepath.Join(e.dir, tmpDir))
	require.NoError(t, err)
	assert.Empty(t, tmp, "the discarded candidate part is removed")
}

func TestUploadBadBody(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.token()
	tests := []struct {
		name, contentType, body string
	}{
		{"not multipart", "application/octet-stream", "raw bytes"},
		{"no boundary", "multipart/form-data", "--x\r\n\r\nbody\r\n--x--\r\n"},
		{"no parts", "multipart/form-data; boundary=x", "--x--\r\n"},
		{"truncated", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := e.with(t)
			req, err := http.NewRequest(http.MethodPost, e.url+"/api/v0/add", strings.NewReader(tt.body))
			require.NoError(t, err)
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", tt.contentType)
			resp, body := e.do(req)
			eb := requireJSONError(t, resp, body, http.StatusBadRequest)
			assert.Equal(t, "invalid_body", eb.Error)
		})
	}
	tmp, err := os.ReadDir(filepath.Join(e.dir, tmpDir))
	require.NoError(t, err)
	assert.Empty(t, tmp)
}

func TestUploadTooLarge(t *testing.T) {
	const limit = 1024
	e := newEnv(t, Config{MaxUploadSize: limit})
	tok := e.token()
	tmpFiles := func() []os.DirEntry {
		entries, err := os.ReadDir(filepath.Join(e.dir, tmpDir))
		require.NoError(t, err)
		return entries
	}

	resp, body := e.upload(tok, nil, "max.bin", pattern(limit))
	require.Equal(t, http.StatusOK, resp.StatusCode, "exactly the limit is fine: %s", body)

	resp, body = e.upload(tok, nil, "over.bin", pattern(limit+1))
	eb := requireJSONError(t, resp, body, http.StatusRequestEntityTooLarge)
	assert.Equal(t, "too_large", eb.Error)
	assert.Empty(t, tmpFiles(), "the partial file is removed")

	// A body far over the limit and the envelope slack: refused by
	// MaxBytesReader while streaming (chunked, no Content-Length).
	resp, body = e.upload(tok, nil, "huge.bin", pattern(3<<20))
	requireJSONError(t, resp, body, http.StatusRequestEntityTooLarge)
	assert.Empty(t, tmpFiles())

	// The same with a Content-Length: refused before reading.
	var buf bytes.Buffer
	buf.Write(bytes.Repeat([]byte("x"), 2<<20))
	req, err := http.NewRequest(http.MethodPost, e.url+"/api/v0/add", &buf)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	resp, body = e.do(req)
	requireJSONError(t, resp, body, http.StatusRequestEntityTooLarge)

	assert.Len(t, e.s.Uploads(e.acc.ID), 1)
}

func TestUploadAccountIsolation(t *testing.T) {
	e := newEnv(t, Config{})
	bob, err := e.s.CreateAccount("bob@example.com", "bob-password")
	require.NoError(t, err)
	bobKey, err := e.s.CreateAPIKey(bob.ID, time.Time{})
	require.NoError(t, err)

	e.uploadOK(map[string]string{"x-dstor-comment": "alice's"}, "alice.txt", strings.NewReader("alice"))
	resp, body := e.upload(e.tokenFor(bobKey), map[string]string{"x-dstor-comment": "bob's"}, "bob.txt", strings.NewReader("bob"))
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))

	alice := e.s.Uploads(e.acc.ID)
	require.Len(t, alice, 1)
	assert.Equal(t, "alice.txt", alice[0].Name)
	bobs := e.s.Uploads(bob.ID)
	require.Len(t, bobs, 1)
	assert.Equal(t, "bob.txt", bobs[0].Name)
	assert.Equal(t, bob.ID, bobs[0].AccountID)
	assert.Empty(t, e.s.Uploads("someone-else"))
}

func TestUploadsReturnsCopies(t *testing.T) {
	e := newEnv(t, Config{})
	e.uploadOK(map[string]string{"x-dstor-parent-id": "5"}, "a.txt", strings.NewReader("a"))
	ups := e.s.Uploads(e.acc.ID)
	*ups[0].ParentID = 99
	assert.Equal(t, int64(5), *e.s.Uploads(e.acc.ID)[0].ParentID)
}

func TestEndpointsAnswerJSONErrors(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/nope", http.StatusNotFound, ""},
		{http.MethodGet, "/api/v0/add", http.StatusMethodNotAllowed, "POST"},
		{http.MethodDelete, "/v1/dev/temp-token", http.StatusMethodNotAllowed, "GET, POST"},
		{http.MethodPost, "/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", http.StatusMethodNotAllowed, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			e := e.with(t)
			req, err := http.NewRequest(tt.method, e.url+tt.path, nil)
			require.NoError(t, err)
			resp, body := e.do(req)
			requireJSONError(t, resp, body, tt.status)
			assert.Equal(t, tt.allow, resp.Header.Get("Allow"))
		})
	}
}

// TestForgetUploadsKeepsNoList: a sandbox told to forget its uploads (the
// window's Local sandbox, `dstor-uploader sandbox`) still stores and
// serves every file, and holds no record of it in memory.
func TestForgetUploadsKeepsNoList(t *testing.T) {
	for _, forget := range []bool{false, true} {
		t.Run(fmt.Sprintf("forget=%v", forget), func(t *testing.T) {
			e := newEnv(t, Config{ForgetUploads: forget})
			data := []byte("kept on disk either way\n")
			ans := e.uploadOK(map[string]string{"x-dstor-comment": "a note"}, "note.txt", bytes.NewReader(data))
			resp, body := e.do(mustRequest(t, http.MethodGet, e.url+"/ipfs/"+ans.Hash, nil))
			require.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, data, body)
			assert.Equal(t, `inline; filename="note.txt"`, resp.Header.Get("Content-Disposition"))
			if forget {
				assert.Empty(t, e.s.Uploads(e.acc.ID))
			} else {
				require.Len(t, e.s.Uploads(e.acc.ID), 1)
				assert.Equal(t, ans.Hash, e.s.Uploads(e.acc.ID)[0].Hash)
			}
		})
	}
}
