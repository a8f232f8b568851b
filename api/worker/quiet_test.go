package worker

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// quietServer puts a front before e's sandbox whose uploads read their
// first readFirst body bytes (all of it when negative), then wait for
// release before reading on and answering. It returns a client of its own
// and release, which may be called more than once.
func (e *testEnv) quietServer(readFirst int64) (*api.Client, func()) {
	e.t.Helper()
	released := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(released) }) }
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v0/add" {
			e.srv.ServeHTTP(w, r)
			return
		}
		var first bytes.Buffer
		var err error
		if readFirst < 0 {
			_, err = io.Copy(&first, r.Body)
		} else {
			_, err = io.CopyN(&first, r.Body, readFirst)
		}
		if err != nil {
			return
		}
		select {
		case <-released:
		case <-r.Context().Done():
			return
		}
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(&first, r.Body), r.Body}
		e.srv.ServeHTTP(w, r)
	}))
	e.t.Cleanup(ts.Close)
	// First: a request held before reading its whole body never learns
	// that its client went away, and ts.Close waits for it.
	e.t.Cleanup(release)
	c := clientFor(e.t, ts.URL, nil)
	return c, release
}

// nextJobEvent is the next event about an uploading job for which ok
// holds (30 s at most: it only stops a hang).
func nextJobEvent(t *testing.T, events <-chan Event, ok func(Job) bool, what string) Job {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case ev := <-events:
			if (ev.Kind == JobChanged || ev.Kind == JobAdded) && ev.Job.State == storage.JobUploading && ok(ev.Job) {
				return ev.Job
			}
		case <-deadline:
			t.Fatalf("no event within 30 s: %s", what)
		}
	}
}

// TestQuietUploadIsAnnounced: an upload that stops making progress — the
// server has the whole file and does not answer, or stops reading the file
// partway — says so (Job.QuietSince) once Config.StallNotice has passed,
// and says it no more once the upload moves again; the upload then ends
// as it would have.
func TestQuietUploadIsAnnounced(t *testing.T) {
	for _, tt := range []struct {
		name      string
		size      int
		readFirst int64
	}{
		{"the whole file sent, no answer", 1000, -1},
		{"the server stops reading partway", 32 << 20, 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			cfg := e.config()
			var release func()
			cfg.Client, release = e.quietServer(tt.readFirst)
			cfg.StallNotice = 100 * time.Millisecond
			q := e.queue(cfg)
			events, stop := q.Subscribe(10_000)
			defer stop()
			path := e.write("quiet.bin", make([]byte, tt.size))
			q.Add(Request{Path: path})

			// A busy machine may say the upload is quiet before its first
			// byte is sent (as quiet as a server that reads nothing): wait
			// for the quiet that comes once the server has what it reads.
			sentAll := func(j Job) bool { return j.Sent == j.Size }
			if tt.readFirst >= 0 {
				sentAll = func(j Job) bool { return j.Sent >= tt.readFirst && j.Sent < j.Size }
			}
			quiet := nextJobEvent(t, events, func(j Job) bool { return !j.QuietSince.IsZero() && sentAll(j) },
				"the upload said to be quiet once the server has what it reads")
			assert.Equal(t, 1, quiet.Attempts)
			assert.False(t, quiet.AnswerBegun, "no byte of an answer came")
			assert.GreaterOrEqual(t, time.Since(quiet.QuietSince), cfg.StallNotice)
			release()
			if tt.readFirst >= 0 {
				nextJobEvent(t, events, func(j Job) bool { return j.QuietSince.IsZero() }, "the upload moving again")
			}
			e.requireDone(q, hangGuard, 1)
			assert.Equal(t, 1, jobFor(t, q, path).Attempts, "telling is all it does: the attempt went on")
		})
	}
}

// TestProgressingUploadIsNotQuiet: a slow upload that keeps moving (a
// bandwidth limit) is never said to be quiet while it sends, even under a
// limit so low that one read of the transport's (64 KiB) takes longer
// than the notice: under "--limit-rate 2K" every upload was said to be
// quiet, "dStor has taken no more of the file for 30s", while the limit
// itself held the file back.
func TestProgressingUploadIsNotQuiet(t *testing.T) {
	for _, tt := range []struct {
		name        string
		limit, size int64
		notice      time.Duration
	}{
		{"1 MiB/s", 1 << 20, 3 << 20, time.Second},
		{"16 KiB/s: a 64 KiB read takes 4 s", 16 << 10, 64 << 10, 1500 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			cfg := e.config()
			cfg.UploadLimit = tt.limit
			cfg.StallNotice = tt.notice
			q := e.queue(cfg)
			events, stop := q.Subscribe(10_000)
			defer stop()
			path := e.write("slow.bin", make([]byte, tt.size))
			q.Add(Request{Path: path})
			e.requireDone(q, hangGuard, 1)
			stop()
			for ev := range events {
				if ev.Job.State == storage.JobUploading && ev.Job.Sent < ev.Job.Size {
					assert.True(t, ev.Job.QuietSince.IsZero(), "said quiet while sending, at %d of %d bytes", ev.Job.Sent, ev.Job.Size)
				}
			}
		})
	}
}

// TestTrickledAnswerIsNotQuiet: dStor has the whole file and sends its
// 200 answer slowly but steadily (a byte every 40 ms, seconds in all):
// bytes keep arriving, so the upload is never said to be quiet, which it
// was once StallNotice passed after the last byte of the file ("dStor has
// not answered for 30s" while its answer was arriving). It ends done, in
// one attempt. A busy machine may say the upload is quiet before its
// answer begins (before its first byte is sent, or while the sandbox
// makes its answer): that is a quiet of its own, not the answer's.
func TestTrickledAnswerIsNotQuiet(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	cfg := e.config()
	cfg.Client = e.tricklingServer(40 * time.Millisecond)
	cfg.StallNotice = 500 * time.Millisecond
	q := e.queue(cfg)
	events, stop := q.Subscribe(10_000)
	defer stop()
	path := e.write("trickled.bin", make([]byte, 1000))
	q.Add(Request{Path: path})
	e.requireDone(q, hangGuard, 1)
	stop()
	for ev := range events {
		if ev.Job.State == storage.JobUploading && ev.Job.AnswerBegun {
			assert.True(t, ev.Job.QuietSince.IsZero(), "said quiet while the answer arrived, at %d of %d bytes sent", ev.Job.Sent, ev.Job.Size)
		}
	}
	assert.Equal(t, 1, jobFor(t, q, path).Attempts)
}

// tricklingServer puts a front before e's sandbox whose answers to
// uploads come a byte at a time, every, headers first; it returns a
// client of its own.
func (e *testEnv) tricklingServer(every time.Duration) *api.Client {
	e.t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v0/add" {
			e.srv.ServeHTTP(w, r)
			return
		}
		answer := httptest.NewRecorder()
		e.srv.ServeHTTP(answer, r)
		body := answer.Body.Bytes()
		for k, v := range answer.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(answer.Code)
		flusher := w.(http.Flusher)
		flusher.Flush()
		for _, b := range body {
			select {
			case <-time.After(every):
			case <-r.Context().Done():
				return
			}
			if _, err := w.Write([]byte{b}); err != nil {
				return
			}
			flusher.Flush()
		}
	}))
	e.t.Cleanup(ts.Close)
	return clientFor(e.t, ts.URL, nil)
}
