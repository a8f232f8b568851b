package worker

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// linkChecked waits for the LinkChecked event of the job of path.
func linkChecked(t *testing.T, events <-chan Event, path string) Job {
	t.Helper()
	deadline := time.After(hangGuard)
	for {
		select {
		case ev, ok := <-events:
			require.True(t, ok, "events ended")
			if ev.Kind == LinkChecked && ev.Job.LocalPath == path {
				return ev.Job
			}
		case <-deadline:
			t.Fatalf("no live check of %s", path)
		}
	}
}

// TestLiveCheckWaitsWithoutHoldingTheQueue: a gateway that holds the
// check of the first file back does not hold the queue — the next file
// uploads meanwhile — and once it answers, the entry is live, with the
// time it took, from one ranged GET.
func TestLiveCheckWaitsWithoutHoldingTheQueue(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	first := e.write("first.txt", []byte(strings.Repeat("first file\n", 300)))
	second := e.write("second.txt", []byte("second file\n"))
	firstCID := testutil.CIDOf(t, first)

	target, err := url.Parse(e.url)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	release := make(chan struct{})
	var held, ranged atomic.Int32
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/ipfs/"+firstCID) {
			held.Add(1)
			<-release // a slow gateway
		}
		if r.Header.Get("Range") == "bytes=0-1023" {
			ranged.Add(1)
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gateway.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})

	cfg := e.config()
	cfg.LiveLink = func(hash, name string) string {
		return gateway.URL + "/ipfs/" + hash + "?filename=" + url.QueryEscape(name)
	}
	q := e.queue(cfg)
	events, stop := q.Subscribe(256)
	defer stop()
	q.Add(Request{Path: first})
	eventually(t, 10*time.Second, func() bool { return held.Load() == 1 }, "the first check reached the gateway")
	q.Add(Request{Path: second})
	require.NoError(t, wait(t, q, 10*time.Second))
	assert.Equal(t, storage.JobDone, jobFor(t, q, second).State, "the next upload finished while the check waited")
	assert.True(t, jobFor(t, q, first).Live.At.IsZero(), "the first check is still waiting")

	close(release)
	j := linkChecked(t, events, first)
	assert.True(t, j.Live.Served(), j.Live.Error)
	assert.Positive(t, j.Live.Took)
	eventually(t, 10*time.Second, func() bool {
		for _, h := range history(t, e.db) {
			if h.LocalPath == first {
				return h.Live.Served()
			}
		}
		return false
	}, "the history entry is live")
	assert.Positive(t, ranged.Load(), "checks ask for the first bytes only")
}

// TestLiveCheckOfAMissingLink: a gateway that answers 404 leaves the entry
// "not reachable yet", with the reason, and the upload itself done.
func TestLiveCheckOfAMissingLink(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	p := e.write("gone.txt", []byte("not on that gateway\n"))
	cid := testutil.CIDOf(t, p)
	e.srv.InjectFault(sandbox.Fault{Path: "/ipfs/" + cid, Status: http.StatusNotFound, Count: -1})

	cfg := e.config()
	cfg.LiveLink = func(hash, _ string) string { return e.url + "/ipfs/" + hash }
	q := e.queue(cfg)
	events, stop := q.Subscribe(256)
	defer stop()
	q.Add(Request{Path: p})
	j := linkChecked(t, events, p)
	assert.Equal(t, storage.JobDone, j.State)
	assert.False(t, j.Live.Served())
	assert.Equal(t, "not reachable yet: the gateway answered 404 Not Found", j.Live.Error)
	h := history(t, e.db)
	require.Len(t, h, 1)
	assert.Equal(t, j.Live.Error, h[0].Live.Error)
	assert.False(t, h[0].Live.At.IsZero())
}

// Live checks that finish close together are recorded in one commit (one
// per file cost a commit per upload), each on its own entry, and each
// published once it is recorded.
func TestLiveChecksFinishedTogetherShareACommit(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	var reqs []Request
	for i := range 3 {
		reqs = append(reqs, Request{Path: e.write(fmt.Sprintf("f%d.txt", i), fmt.Appendf(nil, "file %d\n", i))})
	}
	q := e.uploaded(reqs...)
	events, stop := q.Subscribe(256)
	defer stop()
	hs := history(t, e.db)
	require.Len(t, hs, 3)
	took := map[string]time.Duration{}
	q.mu.Lock()
	for i, h := range hs {
		took[h.LocalPath] = time.Duration(i+1) * time.Millisecond
		j := &job{row: storage.JobRow{ID: h.JobID, LocalPath: h.LocalPath, State: storage.JobDone}}
		q.liveFound = append(q.liveFound, liveFound{j: j, jobID: h.JobID, check: storage.LiveCheck{At: time.Now(), Took: took[h.LocalPath]}})
	}
	q.mu.Unlock()
	before := e.db.Commits()
	q.liveSaver.signal()

	checked := map[string]time.Duration{}
	deadline := time.After(hangGuard)
	for len(checked) < len(hs) {
		select {
		case ev := <-events:
			if ev.Kind == LinkChecked {
				checked[ev.Job.LocalPath] = ev.Job.Live.Took
			}
		case <-deadline:
			t.Fatalf("checks published: %v", checked)
		}
	}
	assert.Equal(t, took, checked)
	assert.Equal(t, before+1, e.db.Commits(), "the three checks in one commit")
	for _, h := range history(t, e.db) {
		assert.True(t, h.Live.Served(), h.LocalPath)
		assert.Equal(t, took[h.LocalPath], h.Live.Took, h.LocalPath)
	}
}
