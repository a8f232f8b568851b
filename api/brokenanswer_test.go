package api

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// hijackAnswer is an add handler that reads the whole upload, then writes
// raw (given the right answer's JSON) straight to the connection, and
// either closes it or, with hold, keeps it open until the test ends.
func hijackAnswer(t *testing.T, raw func(body string) string, hold bool) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := readUpload(r)
		body := fmt.Sprintf(`{"Name":%q,"Hash":%q,"Size":"20"}`, rec.FileName, rec.CID)
		conn, bw := hijack(t, w)
		if conn == nil {
			return
		}
		defer func() { _ = conn.Close() }()
		_, _ = bw.WriteString(raw(body))
		_ = bw.Flush()
		if hold {
			<-t.Context().Done()
		}
	}
}

// TestUploadBrokenAnswers: an answer that does not come as an answer should
// (cut short, a protocol switch never asked for, far too large) gets a
// sentence that says what happened, and is tried again only when the
// connection broke on the way (a transient fault), not when the server
// framed a broken answer (it would answer the same again).
func TestUploadBrokenAnswers(t *testing.T) {
	tests := []struct {
		name      string
		raw       func(body string) string
		hold      bool
		sentinel  error
		retryable bool
		wantText  []string
	}{
		{
			name: "Content-Length shorter than the JSON",
			raw: func(body string) string {
				return rawOK(len(body)-5, body)
			},
			sentinel: ErrMalformed,
			wantText: []string{"ends in the middle of its JSON", "cut it short", "not counted as done"},
		},
		{
			name: "connection closed before the Content-Length's end",
			raw: func(body string) string {
				return rawOK(len(body)+100, body)
			},
			sentinel: ErrUnreachable, retryable: true,
			wantText: []string{"broke in the middle of dStor's answer", "retrying may work"},
		},
		{
			name: "connection closed mid-answer, no length",
			raw: func(body string) string {
				return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n" + body[:len(body)/2]
			},
			sentinel: ErrUnreachable, retryable: true,
			wantText: []string{"broke in the middle of dStor's answer", "retrying may work"},
		},
		{
			name: "chunked answer cut mid-JSON, connection closed before the last chunk",
			raw: func(body string) string {
				half := body[:len(body)/2]
				return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(half), half)
			},
			sentinel: ErrUnreachable, retryable: true,
			wantText: []string{"broke in the middle of dStor's answer", "retrying may work"},
		},
		{
			name: "chunked answer whose last chunk comes mid-JSON",
			raw: func(body string) string {
				half := body[:len(body)/2]
				return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(half), half)
			},
			sentinel: ErrMalformed,
			wantText: []string{"ends in the middle of its JSON", "cut it short", "not counted as done"},
		},
		{
			name: "not HTTP at all (another service on the port)",
			raw: func(string) string {
				return "SSH-2.0-OpenSSH_9.6\r\n"
			},
			sentinel: ErrMalformed,
			wantText: []string{"answered with something that is not HTTP", "not counted as done", "check the environment's URLs"},
		},
		{
			name: "a 103 with a body (the answer) before a 200",
			raw: func(body string) string {
				return fmt.Sprintf("HTTP/1.1 103 Early Hints\r\nContent-Length: %d\r\n\r\n%s", len(body), body) +
					rawOK(len(body), body)
			},
			sentinel: ErrMalformed,
			wantText: []string{"answered with something that is not HTTP", "not counted as done"},
		},
		{
			name: "a header line without a colon",
			raw: func(body string) string {
				return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
			},
			sentinel: ErrMalformed,
			wantText: []string{"answered with something that is not HTTP", "not counted as done"},
		},
		{
			name: "101 Switching Protocols, connection kept open",
			raw: func(body string) string {
				return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" + body
			},
			hold:     true,
			sentinel: ErrMalformed,
			wantText: []string{`"101 Switching Protocols"`, "never asked", "check the environment's upload URL"},
		},
		{
			name: "answer larger than 4 MiB",
			raw: func(body string) string {
				pad := strings.Repeat(" ", maxAddAnswer)
				return rawOK(len(pad)+len(body), pad+body)
			},
			sentinel: ErrMalformed,
			wantText: []string{"larger than 4.1 MB", "check the environment's upload URL"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.onAdd = hijackAnswer(t, tt.raw, tt.hold)
			c := f.client(nil)
			done := make(chan error, 1)
			go func() {
				_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))})
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(30 * time.Second): // only stops a hang
				t.Fatal("the upload did not end within 30 s of a broken answer")
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.sentinel, "%v", err)
			assert.Equal(t, tt.retryable, Retryable(err), "retryable: %v", err)
			for _, s := range tt.wantText {
				assert.Contains(t, Human(err), s)
			}
			assert.NotContains(t, Human(err), "cannot read")
		})
	}
}

// TestUploadInformationalAnswersBeforeTheAnswer: 1xx answers a server sends
// before its answer, asked for or not, before or after reading the file,
// change nothing: the final answer is the one checked, and it must name
// the bytes sent.
func TestUploadInformationalAnswersBeforeTheAnswer(t *testing.T) {
	const otherCID = "QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT"
	tests := []struct {
		name     string
		size     int    // 1 MiB or more asks for 100 Continue
		early    string // written before the body is read
		hash     string // the final answer's Hash; "" is the right one
		verified bool
	}{
		{name: "100 Continue never asked for", size: 12, early: "HTTP/1.1 100 Continue\r\n\r\n", verified: true},
		{name: "102 Processing", size: 12, early: "HTTP/1.1 102 Processing\r\n\r\n", verified: true},
		{name: "103 Early Hints", size: 12, early: "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n", verified: true},
		{name: "100 Continue three times, asked for", size: 2 << 20, early: strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 3), verified: true},
		{name: "100 Continue, then another file's hash", size: 2 << 20, early: "HTTP/1.1 100 Continue\r\n\r\n", hash: otherCID},
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
				_, _ = bw.WriteString(tt.early)
				_ = bw.Flush()
				r.Body = io.NopCloser(io.LimitReader(bw.Reader, r.ContentLength)) // after the hijack, the body is read from here
				rec := readUpload(r)
				hash := cmp.Or(tt.hash, rec.CID)
				body := fmt.Sprintf(`{"Name":%q,"Hash":%q,"Size":"20"}`, rec.FileName, hash)
				_, _ = bw.WriteString(rawOK(len(body), body))
				_ = bw.Flush()
			}
			data := patterned(tt.size)
			want, err := ComputeCID(bytes.NewReader(data))
			require.NoError(t, err)
			res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "f.bin", data)})
			assert.Equal(t, want, res.LocalCID)
			if !tt.verified {
				assert.ErrorIs(t, err, ErrHashMismatch)
				assert.False(t, res.Verified)
				return
			}
			require.NoError(t, err)
			assert.True(t, res.Verified)
			assert.Equal(t, want, res.Hash)
		})
	}
}
