package worker

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
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

// TestUnchangedHead: "Check again" compares the local file's first bytes
// only while the file is the version uploaded (the test that finds it
// already uploaded); once it changed, or went, there are none to compare
// and the check falls back to the size.
func TestUnchangedHead(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	content := []byte(strings.Repeat("first version, longer than the probe\n", 100))
	p := e.write("kept.txt", content)
	e.uploaded(Request{Path: p})
	hs := history(t, e.db)
	require.Len(t, hs, 1)
	h := hs[0]

	unchanged := func(h storage.HistoryEntry) []byte { return UnchangedHead(e.db, h, ReadLocalHead(h)) }
	assert.Equal(t, content[:1024], unchanged(h), "the file as uploaded")
	other := h
	other.Hash = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	assert.Nil(t, unchanged(other), "an entry of other content at that path")
	elsewhere := h
	elsewhere.FolderPath = "/elsewhere"
	assert.Nil(t, unchanged(elsewhere), "an entry of an upload to another place")

	require.NoError(t, os.WriteFile(p, bytes.ToUpper(content), 0o600)) // same size, new version
	assert.Nil(t, unchanged(h), "the file changed since")
	require.NoError(t, os.Remove(p))
	assert.Nil(t, unchanged(h), "the file is gone")
}
