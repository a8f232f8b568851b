package sandbox

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// FuzzSandboxMultipart feeds arbitrary multipart bodies to the add handler:
// it must never panic and must answer 200 or a 4xx, never a 5xx.
func FuzzSandboxMultipart(f *testing.F) {
	s, err := New(Config{DataDir: f.TempDir(), MaxUploadSize: 1 << 20})
	require.NoError(f, err)
	f.Cleanup(func() { _ = s.Close() })
	acc, err := s.CreateAccount(aliceEmail, alicePassword)
	require.NoError(f, err)
	tok, err := s.signToken(claims{Iat: 1, Exp: time.Now().Add(time.Hour).Unix(), Aud: tokenAudience, Iss: tokenAudience, Sub: acc.ID})
	require.NoError(f, err)

	seeds := []struct{ boundary, body string }{
		{"x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello world\n\r\n--x--\r\n"},
		{"x", "--x\r\nContent-Disposition: form-data; name=\"\"; filename=\"\"\r\n\r\n\r\n--x--\r\n"},
		{"x", "--x\r\nContent-Disposition: form-data; name=\"c\"\r\n\r\nnote\r\n--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"b\"\r\nContent-Type: text/plain\r\n\r\nbody\r\n--x--\r\n"},
		{"x", "--x\r\nContent-Disposition: form-data; name=\"f\"; filename*=utf-8''%C3%A9.txt\r\n\r\ne\r\n--x--\r\n"},
		{"x", "--x\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Disposition: form-data; name=\"f\"; filename=\"q\"\r\n\r\na=3Db\r\n--x--\r\n"},
		{"x", "--x--\r\n"},
		{"x", "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"t\"\r\n\r\ntruncated"},
		{"b", "no boundary at all"},
		{"", ""},
		{"x", "--x\r\nbroken header line\r\n\r\n\r\n--x--\r\n"},
		{"x", "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"..\"\r\n\r\n\x00\x01\r\n--x--\r\n"},
	}
	for _, sd := range seeds {
		f.Add(sd.boundary, []byte(sd.body))
	}
	f.Fuzz(func(t *testing.T, boundary string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v0/add", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		code := rec.Code
		if code != http.StatusOK && (code < 400 || code > 499) {
			t.Fatalf("status %d for body %q: %s", code, body, rec.Body.String())
		}
	})
}
