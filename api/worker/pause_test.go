package worker

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// meteredServer is an http.Handler in front of the sandbox that counts,
// per upload request, the bytes that reached the server and when the body
// ended.
type meteredServer struct {
	next http.Handler
	mark int64 // reached is closed once a body has this many bytes

	mu     sync.Mutex
	bodies []*meteredBody
}

type meteredBody struct {
	r       io.ReadCloser
	mark    int64
	got     atomic.Int64
	reached chan struct{}
	ended   chan struct{}
	endedAt time.Time // set before ended is closed
	once    sync.Once
}

func (m *meteredServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == addPath {
		b := &meteredBody{r: r.Body, mark: m.mark, reached: make(chan struct{}), ended: make(chan struct{})}
		m.mu.Lock()
		m.bodies = append(m.bodies, b)
		m.mu.Unlock()
		r.Body = b
	}
	m.next.ServeHTTP(w, r)
}

// body is the n-th upload body the server has seen (nil if none yet).
func (m *meteredServer) body(n int) *meteredBody {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n < len(m.bodies) {
		return m.bodies[n]
	}
	return nil
}

func (m *meteredServer) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.bodies)
}

func (b *meteredBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if got := b.got.Add(int64(n)); got >= b.mark && got-int64(n) < b.mark {
		close(b.reached)
	}
	if err != nil {
		b.once.Do(func() { b.endedAt = time.Now(); close(b.ended) })
	}
	return n, err
}

func (b *meteredBody) Close() error { return b.r.Close() }

// slowUplink is a client transport whose request bodies leave at rate bytes
// a second, as over a slow uplink: the server reads what arrives at once,
// so what it counts is what the client sent, not a backlog in buffers.
type slowUplink struct {
	next http.RoundTripper
	rate int64
}

func (s slowUplink) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.URL.Path != addPath {
		return s.next.RoundTrip(r)
	}
	r2 := r.Clone(r.Context())
	r2.Body = &pacedBody{r: r.Body, rate: s.rate}
	return s.next.RoundTrip(r2)
}

type pacedBody struct {
	r    io.ReadCloser
	rate int64
}

func (p *pacedBody) Read(b []byte) (int, error) {
	if len(b) > 16<<10 {
		b = b[:16<<10]
	}
	n, err := p.r.Read(b)
	time.Sleep(time.Duration(int64(n) * int64(time.Second) / p.rate))
	return n, err
}

func (p *pacedBody) Close() error { return p.r.Close() }

// TestPauseStopsBytesWithinASecond measures at the server: after Pause,
// the bytes of an upload in flight stop arriving within a second, no
// other upload starts, and on Resume the file is sent again from its
// first byte and recorded once.
func TestPauseStopsBytesWithinASecond(t *testing.T) {
	e := newTestEnv(t, privateSandbox)
	const size = 24 << 20
	f := testutil.WriteFile(t, filepath.Join(e.files, "big.bin"), size)
	m := &meteredServer{next: e.srv, mark: 2 << 20}
	hs := httptest.NewServer(m)
	t.Cleanup(hs.Close)
	env, err := api.CustomEnvironment(hs.URL)
	require.NoError(t, err)
	uplink := slowUplink{next: api.NewTransport(api.Timeouts{}), rate: 8 << 20}
	client, err := api.NewClient(env, &http.Client{Transport: uplink})
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	cfg := e.config()
	cfg.Client = client
	cfg.Tokens = NewAPIKeyTokens(client, e.key, time.Hour)
	q := e.queue(cfg)

	q.Add(Request{Path: f})
	var first *meteredBody
	eventually(t, 30*time.Second, func() bool { first = m.body(0); return first != nil }, "the upload starts")
	select {
	case <-first.reached:
	case <-time.After(60 * time.Second):
		t.Fatal("2 MiB did not reach the server within 60 s")
	}
	pausedAt := time.Now()
	atPause := first.got.Load()
	q.Pause()
	select {
	case <-first.ended:
	case <-time.After(30 * time.Second):
		t.Fatalf("bytes still arriving 30 s after Pause (%d so far)", first.got.Load())
	}
	stoppedAfter := first.endedAt.Sub(pausedAt)
	received := first.got.Load()
	t.Logf("Pause at %d bytes received; the body ended %s later at %d bytes (%.0f%% of the file)",
		atPause, stoppedAfter.Round(time.Microsecond), received, 100*float64(received)/size)
	// "Within a second" counted in the uplink's bytes, not on the wall
	// clock: on 2 busy cores under -race the process can wait longer than
	// that for a core, but the paced uplink then sends less, too. A Pause
	// that did not stop the body lets the rest of the file through.
	assert.LessOrEqual(t, received-atPause, uplink.rate, "bytes stop within a second of Pause (at the uplink's %d B/s)", uplink.rate)
	assert.Less(t, received, int64(size), "stopped partway")

	eventually(t, 20*time.Second, func() bool { return stateOf(q, f) == storage.JobQueued }, "back in the queue")
	schedulerRound(t, q)
	j := jobFor(t, q, f)
	assert.Positive(t, j.PausedAt, "how far it had got")
	assert.Contains(t, j.Err, "starts again from the beginning")
	assert.Equal(t, 1, m.count(), "nothing else starts while paused")
	assert.Equal(t, received, first.got.Load(), "no byte after the body ended")

	q.Resume()
	require.NoError(t, wait(t, q, 120*time.Second))
	j = jobFor(t, q, f)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	assert.True(t, j.Verified)
	assert.Zero(t, j.PausedAt)
	require.Equal(t, 2, m.count())
	assert.Greater(t, m.body(1).got.Load(), int64(size), "sent again from the first byte (with the multipart framing)")
	requireHistoryOnce(t, e.db, q.Jobs())
}
