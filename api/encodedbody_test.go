package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestEncodedErrorBodyIsNotQuoted: an error answer whose body is encoded
// (Content-Encoding: gzip, which the client never asks for, so the
// transport leaves it as it came) was quoted as its raw bytes: "dStor
// said: "\x1f\ufffd\b…"", the start of a compressed page, in the FAILED
// line and the window. Such a body is not quoted; the status says what
// happened. A body sent as it is ("identity") still is.
func TestEncodedErrorBodyIsNotQuoted(t *testing.T) {
	var page bytes.Buffer
	z := gzip.NewWriter(&page)
	_, err := z.Write(bytes.Repeat([]byte("dStor is down. "), 1000))
	require.NoError(t, err)
	require.NoError(t, z.Close())
	answer := func(encoding string, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "text/plain")
			w.Header().Set("Content-Encoding", encoding)
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(body)
		}
	}
	for _, tc := range []struct {
		name, encoding string
		body           []byte
		quoted         string
	}{
		{"gzip", "gzip", page.Bytes(), ""},
		{"br, as a proxy may send it", "br", []byte("\x8b\x02\x80dStor is down\x03"), ""},
		{"identity", "identity", []byte("dStor is down."), "dStor is down."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, call := range []struct {
				name  string
				serve func(f *fakeDStor, h http.HandlerFunc)
				run   func(c *Client) error
			}{
				{"token", func(f *fakeDStor, h http.HandlerFunc) { f.onToken = h },
					func(c *Client) error { _, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{}); return err }},
				{"upload", func(f *fakeDStor, h http.HandlerFunc) { f.onAdd = h },
					func(c *Client) error {
						_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: testfs.WriteTemp(t, "a", []byte("a"))})
						return err
					}},
			} {
				f := newFakeDStor(t)
				call.serve(f, answer(tc.encoding, tc.body))
				err := call.run(f.client(nil))
				var e *Error
				require.ErrorAs(t, err, &e, call.name)
				assert.Equal(t, http.StatusInternalServerError, e.Status, call.name)
				assert.Equal(t, tc.quoted, e.Message, call.name)
				assert.NotContains(t, Human(err), "\ufffd", "%s: no raw bytes in the sentence", call.name)
			}
		})
	}
}
