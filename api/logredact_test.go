package api

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// lockedBuffer is an io.Writer safe for the transport's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A server follows a good answer with bytes echoing the API key and the
// bearer token on the kept-alive connection. net/http's transport writes
// them to the standard logger ("Unsolicited response received on idle
// HTTP channel starting with …"); through RedactingWriter, which the
// command line and the window log through, neither secret is left.
//
// net/http logs them only once the connection is back in its idle pool, and
// it puts it back only if its writer goroutine reported the request written
// within 50 ms of the answer being read (maxWriteWaitBeforeConnReuse); on a
// busy machine that goroutine can wait longer for a core, and the connection
// is then closed with nothing logged. The upload is then sent again, on a new
// connection, until net/http logs the stray bytes.
func TestStrayBytesAfterAnAnswerLogNoSecret(t *testing.T) {
	logged := &lockedBuffer{}
	old := log.Writer()
	log.SetOutput(RedactingWriter(logged))
	defer log.SetOutput(old)

	f := newFakeDStor(t)
	closed := make(chan struct{}, 1)
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		rec := readUpload(r)
		conn, bw := hijack(t, w)
		if conn == nil {
			return
		}
		defer func() { _ = conn.Close() }()
		body := `{"Name":"f.txt","Hash":"` + rec.CID + `","Size":"1"}`
		_, _ = bw.WriteString(rawOK(len(body), body))
		_, _ = fmt.Fprintf(bw, "echo api-key: %s, %s", testAPIKey, r.Header.Get("Authorization")[:60])
		_ = bw.Flush()
		// The client closes the connection once it has seen (and logged)
		// the stray bytes, or closed it unlogged: that is the event this
		// test waits for.
		_, _ = io.Copy(io.Discard, conn)
		closed <- struct{}{}
	}
	c := f.client(nil)
	tok, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
	require.NoError(t, err)
	path := testfs.WriteTemp(t, "f.txt", []byte("x"))
	attempts := 0
	for ; attempts < 10 && !strings.Contains(logged.String(), "Unsolicited response"); attempts++ {
		_, err = c.Upload(t.Context(), tok, UploadRequest{Path: path})
		require.NoError(t, err)
		select {
		case <-closed:
		case <-time.After(30 * time.Second):
			t.Fatal("the client never closed the connection")
		}
	}
	t.Logf("%d upload(s) until net/http logged the stray bytes", attempts)
	out := logged.String()
	assert.Contains(t, out, "Unsolicited response", "net/http logged the stray bytes")
	assert.Contains(t, out, redacted)
	assert.NotContains(t, out, testAPIKey[5:40], "the API key reached the log")
	assert.NotContains(t, out, tok.Raw[10:50], "the token (cut, so no longer token-shaped) reached the log")
}
