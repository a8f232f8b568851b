package worker

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
)

// TestLiveCheckOfOtherBytesOfItsSize: a gateway that answers the check
// after an upload with as many bytes as the file has, but other ones
// (zeros, a placeholder padded to size), leaves the entry "not reachable
// yet": a small file by its CID, a larger one by the first bytes the
// upload sent.
func TestLiveCheckOfOtherBytesOfItsSize(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	small := e.write("small.txt", []byte("a small file\n"))
	large := e.write("large.txt", []byte(strings.Repeat("a larger file, more than the probe\n", 100)))
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size := len("a small file\n")
		if strings.Contains(r.URL.RawQuery, "large") {
			size = 100 * len("a larger file, more than the probe\n")
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(make([]byte, size)))
	}))
	t.Cleanup(gateway.Close)
	cfg := e.config()
	cfg.LiveLink = func(hash, name string) string { return gateway.URL + "/ipfs/" + hash + "?filename=" + name }
	q := e.queue(cfg)
	events, stop := q.Subscribe(256)
	defer stop()
	for _, p := range []string{small, large} {
		q.Add(Request{Path: p})
		j := linkChecked(t, events, p)
		t.Logf("%s: %q", p, j.Live.Error)
		require.False(t, j.Live.At.IsZero(), p)
		assert.False(t, j.Live.Served(), "%s: zeros of its size are not the file", p)
		assert.Equal(t, "not reachable yet: the gateway served other bytes than this file's", j.Live.Error, p)
	}
}
