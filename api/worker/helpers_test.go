package worker

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "close the shared sandbox:", err)
			code = 1
		}
	}
	if code == 0 {
		if err := leakcheck.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

const (
	testEmail    = "worker@example.com"
	testPassword = "worker-password"
	testEnvName  = "sandbox-test"
	addPath      = "/api/v0/add"
	tokenPath    = "/v1/dev/temp-token"
)

// requestLog records the sandbox's requests per path, from its log, with
// the time each started (now minus the duration the line gives), so a test
// counts only its own requests even when the previous test's canceled
// requests are logged late.
type requestLog struct {
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	path  string
	start time.Time
}

// logDuration finds the duration in a line like
// `POST "/api/v0/add" → 200 (123 bytes, 4ms)`.
var logDuration = regexp.MustCompile(`bytes, ([^)]+)\)`)

func (l *requestLog) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	start := time.Now()
	if m := logDuration.FindStringSubmatch(line); m != nil {
		if d, err := time.ParseDuration(m[1]); err == nil {
			start = start.Add(-d)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range []string{addPath, tokenPath} {
		if strings.Contains(line, `"`+p+`"`) {
			l.reqs = append(l.reqs, loggedRequest{path: p, start: start})
			return
		}
	}
}

// count is how many requests for path started at or after since.
func (l *requestLog) count(path string, since time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.reqs {
		if r.path == path && !r.start.Before(since) {
			n++
		}
	}
	return n
}

// uploadsAtOnce is a front for e's sandbox that counts the uploads its
// handler serves at the same moment, from entering to leaving it: the
// sandbox's log stamps a request when its line is written, which a busy
// machine can delay past the next upload's start. A handler's run lies
// within its request, so the count never exceeds the uploads a client has
// in flight. most reads the highest count so far.
func (e *testEnv) uploadsAtOnce() (base string, most func() int32) {
	e.t.Helper()
	var now, top atomic.Int32
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == addPath {
			n := now.Add(1)
			defer now.Add(-1)
			for m := top.Load(); n > m && !top.CompareAndSwap(m, n); m = top.Load() {
			}
		}
		e.srv.ServeHTTP(w, r)
	}))
	e.t.Cleanup(front.Close)
	return front.URL, top.Load
}

// shared is one sandbox (with one account) for the tests that need no
// special server configuration: creating an account costs a bcrypt hash,
// which takes most of a second under the race detector. Tests run one at a
// time, so each resets its faults and counters.
var shared struct {
	once sync.Once
	err  error
	srv  *sandbox.Server
	url  string
	acc  sandbox.Account
	log  requestLog
}

// testEnv is a sandbox on loopback with an account and a fresh API key, a
// client for it, and a fresh database.
type testEnv struct {
	t       *testing.T
	srv     *sandbox.Server
	url     string
	acc     sandbox.Account
	key     string
	client  *api.Client
	dbDir   string
	db      *storage.DB
	files   string // where the test's files live
	log     *requestLog
	began   time.Time // requests from before are not this test's
	uploads int       // uploads of the account before the test
}

// startSandbox starts a sandbox with the test account.
func startSandbox(cfg sandbox.Config, log *requestLog) (*sandbox.Server, string, sandbox.Account, error) {
	cfg.Logf = log.logf
	srv, err := sandbox.New(cfg)
	if err != nil {
		return nil, "", sandbox.Account{}, err
	}
	url, err := srv.Start("127.0.0.1:0")
	if err == nil {
		var acc sandbox.Account
		if acc, err = srv.CreateAccount(testEmail, testPassword); err == nil {
			return srv, url, acc, nil
		}
	}
	_ = srv.Close()
	return nil, "", sandbox.Account{}, err
}

// newTestEnv uses the shared sandbox for a zero cfg, else its own.
// (Logf is always replaced.)
func newTestEnv(t *testing.T, cfg sandbox.Config) *testEnv {
	t.Helper()
	e := &testEnv{t: t, began: time.Now()}
	if cfg.DataDir == "" && cfg.MaxUploadSize == 0 && cfg.Secret == nil && cfg.Now == nil {
		shared.once.Do(func() {
			shared.srv, shared.url, shared.acc, shared.err = startSandbox(cfg, &shared.log)
		})
		require.NoError(t, shared.err)
		e.srv, e.url, e.acc, e.log = shared.srv, shared.url, shared.acc, &shared.log
		e.srv.ClearFaults()
		t.Cleanup(e.srv.ClearFaults)
	} else {
		e.log = &requestLog{}
		srv, url, acc, err := startSandbox(cfg, e.log)
		require.NoError(t, err)
		e.srv, e.url, e.acc = srv, url, acc
		t.Cleanup(func() { require.NoError(t, srv.Close()) })
	}
	e.uploads = len(e.srv.Uploads(e.acc.ID))
	var err error
	e.key, err = e.srv.CreateAPIKey(e.acc.ID, time.Time{})
	require.NoError(t, err)

	env, err := api.CustomEnvironment(e.url)
	require.NoError(t, err)
	e.client, err = api.NewClient(env, nil)
	require.NoError(t, err)
	t.Cleanup(e.client.CloseIdleConnections)

	e.dbDir = t.TempDir()
	e.db, err = storage.Open(e.dbDir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.db.Close()) })
	// As the walk spells it (Windows may give the temporary folder a short
	// 8.3 name): jobs' paths then equal the paths e.write returns.
	e.files = api.SpelledOnDisk(t.TempDir())
	return e
}

// sandboxUploads lists what the sandbox stored during this test.
func (e *testEnv) sandboxUploads() []sandbox.Upload {
	return e.srv.Uploads(e.acc.ID)[e.uploads:]
}

// requests returns how many requests the sandbox logged for path.
func (e *testEnv) requests(path string) int {
	return e.log.count(path, e.began)
}

// config is a queue configuration with tiny backoffs.
func (e *testEnv) config() Config {
	return Config{
		Client:      e.client,
		DB:          e.db,
		Tokens:      NewAPIKeyTokens(e.client, e.key, time.Hour),
		Env:         testEnvName,
		Account:     testEmail,
		BaseBackoff: 5 * time.Millisecond,
		MaxBackoff:  20 * time.Millisecond,
	}
}

// tokenless is e's config without tokens: nothing uploads (the queue waits
// for sign-in), so only what comes before an upload matters.
func (e *testEnv) tokenless() Config {
	cfg := e.config()
	cfg.Tokens = nil
	return cfg
}

// queue starts a queue; the test's cleanup closes it.
func (e *testEnv) queue(cfg Config) *Queue {
	e.t.Helper()
	q, err := New(cfg)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { assert.NoError(e.t, q.Close()) })
	return q
}

// uploaded is a queue with e's config that has taken reqs to the end
// (wait, within hangGuard).
func (e *testEnv) uploaded(reqs ...Request) *Queue {
	e.t.Helper()
	q := e.queue(e.config())
	q.Add(reqs...)
	require.NoError(e.t, wait(e.t, q, hangGuard))
	return q
}

// requireDone waits (within d) for q to end without an error, and checks
// that done jobs finished and that the history holds each job once.
func (e *testEnv) requireDone(q *Queue, d time.Duration, done int) {
	e.t.Helper()
	require.NoError(e.t, wait(e.t, q, d))
	assert.Equal(e.t, done, q.Summary().Done)
	requireHistoryOnce(e.t, e.db, q.Jobs())
}

// writeNumbered writes n files under e.files, the i-th named by format
// with i and holding i in decimal.
func (e *testEnv) writeNumbered(format string, n int) {
	for i := range n {
		e.write(fmt.Sprintf(format, i), []byte(fmt.Sprint(i)))
	}
}

// stillListing makes batch look as if a request of it, for path, were
// still being listed on q: a walk row in the database and in q's memory.
// It returns the row.
func (e *testEnv) stillListing(q *Queue, batch, path string) storage.WalkRow {
	e.t.Helper()
	still := storage.WalkRow{ID: uuid.NewString(), BatchID: batch, Env: testEnvName, Account: testEmail, Path: path}
	require.NoError(e.t, e.db.InsertWalks([]storage.WalkRow{still}))
	q.mu.Lock()
	q.liveWalks[still.ID] = batch
	q.liveBatches[batch]++
	q.mu.Unlock()
	return still
}

// seedRows saves n job rows in state, of this test's environment and
// account, named f0 to f<n-1> under e.files (no file is written), as an
// earlier run left them: a queue opened after it lists those it keeps in
// memory (a failed or canceled job stays listed).
func (e *testEnv) seedRows(n int, state storage.JobState) {
	e.t.Helper()
	rows := make([]storage.JobRow, n)
	for i := range rows {
		name := fmt.Sprintf("f%d", i)
		rows[i] = storage.JobRow{Env: testEnvName, Account: testEmail, BatchID: "b",
			LocalPath: filepath.Join(e.files, name), Name: name, Size: 1, State: state}
	}
	require.NoError(e.t, e.db.InsertJobs(rows))
}

// write creates a file under e.files with the given content.
func (e *testEnv) write(rel string, content []byte) string {
	e.t.Helper()
	p := filepath.Join(e.files, filepath.FromSlash(rel))
	require.NoError(e.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(e.t, os.WriteFile(p, content, 0o644))
	return p
}

// hangGuard is the least time wait, eventually and drainUntil give: their
// deadlines only stop a hang (a passing run returns as soon as the queue is
// idle, the condition holds or the events came), and a busy 2-core machine
// under -race can take several times the d a test names for a few uploads.
// Under Wine, where every file open is a round trip to its server, listing
// and queueing 600 files took over 50 s with a load average of 60.
const hangGuard = 2 * time.Minute

// wait runs q.Wait with a deadline of d, at least hangGuard.
func wait(t *testing.T, q *Queue, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), max(d, hangGuard))
	defer cancel()
	return q.Wait(ctx)
}

// eventually polls cond until it holds or d (at least hangGuard) passes.
func eventually(t *testing.T, d time.Duration, cond func() bool, msgAndArgs ...any) {
	t.Helper()
	require.Eventually(t, cond, max(d, hangGuard), 5*time.Millisecond, msgAndArgs...)
}

// history returns every history entry, newest first.
func history(t *testing.T, db *storage.DB) []storage.HistoryEntry {
	t.Helper()
	var out []storage.HistoryEntry
	for {
		page, err := db.HistoryPage(storage.HistoryQuery{Limit: 500, Offset: len(out)})
		require.NoError(t, err)
		out = append(out, page...)
		if len(page) < 500 {
			return out
		}
	}
}

// jobFor finds the job of a local path.
func jobFor(t *testing.T, q *Queue, path string) Job {
	t.Helper()
	j, ok := findJob(q, path)
	require.True(t, ok, "no job for %s", path)
	return j
}

// findJob finds the job of a local path, if it is listed yet.
func findJob(q *Queue, path string) (Job, bool) {
	for _, j := range q.Jobs() {
		if j.LocalPath == path {
			return j, true
		}
	}
	return Job{}, false
}

// jobsByPath maps jobs by their local path.
func jobsByPath(jobs []Job) map[string]Job {
	return jobsBy(jobs, func(j Job) string { return j.LocalPath })
}

// jobsBy maps jobs by key (their name, say); of two with one key, the
// later is kept.
func jobsBy(jobs []Job, key func(Job) string) map[string]Job {
	m := make(map[string]Job, len(jobs))
	for _, j := range jobs {
		m[key(j)] = j
	}
	return m
}

// stateOf is the state of the job of a local path ("" when not listed).
func stateOf(q *Queue, path string) storage.JobState {
	j, _ := findJob(q, path)
	return j.State
}

// dbState is the persisted state of a job.
func dbState(t *testing.T, db *storage.DB, id string) storage.JobRow {
	t.Helper()
	row, err := db.Job(id)
	require.NoError(t, err)
	return row
}

// writesDone reports whether q has no database write to make or under
// way (writesPendingLocked): a test that makes the database fail after it
// fails none of the queue's own writes, such as the deletion of cleared
// rows that follows a listing's end.
func writesDone(q *Queue) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return !q.writesPendingLocked()
}

// requireHistoryOnce checks that every done job is in the history exactly
// once, with the file's CID, and that nothing else is.
func requireHistoryOnce(t *testing.T, db *storage.DB, jobs []Job) {
	t.Helper()
	hist := history(t, db)
	seen := make(map[string]int)
	for _, h := range hist {
		seen[h.JobID]++
	}
	done := 0
	for _, j := range jobs {
		if j.State != storage.JobDone {
			assert.Zero(t, seen[j.ID], "job %s (%s) is in the history", j.Name, j.State)
			continue
		}
		done++
		assert.Equal(t, 1, seen[j.ID], "job %s in the history %d times", j.Name, seen[j.ID])
	}
	assert.Len(t, hist, done, "history has entries that are not done jobs")
}

// heldRequest is a transport that, once armed, holds the first request for
// path it gets until released (or the request's context ends), before it
// reaches the server, so a test knows a request is in flight for as long
// as it needs.
type heldRequest struct {
	path     string
	next     http.RoundTripper
	armed    atomic.Bool
	once     sync.Once
	started  chan struct{}
	released chan struct{}
	stop     sync.Once
}

func newHeldRequest(t *testing.T, path string) *heldRequest {
	h := &heldRequest{path: path, next: api.NewTransport(api.Timeouts{}), started: make(chan struct{}), released: make(chan struct{})}
	t.Cleanup(h.release)
	return h
}

// client is an API client for url whose requests go through h.
func (h *heldRequest) client(t *testing.T, url string) *api.Client {
	t.Helper()
	c := clientFor(t, url, &http.Client{Transport: h})
	return c
}

func (h *heldRequest) arm() { h.armed.Store(true) }

func (h *heldRequest) release() { h.stop.Do(func() { close(h.released) }) }

// waitStarted returns once the held request has reached the transport.
func (h *heldRequest) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-h.started:
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s request within 30 s", h.path)
	}
}

func (h *heldRequest) RoundTrip(r *http.Request) (*http.Response, error) {
	first := false
	if r.URL.Path == h.path && h.armed.Load() {
		h.once.Do(func() { first = true; close(h.started) })
	}
	if first {
		select {
		case <-h.released:
		case <-r.Context().Done():
			if r.Body != nil {
				_ = r.Body.Close()
			}
			return nil, context.Cause(r.Context())
		}
	}
	return h.next.RoundTrip(r)
}

// heldServer puts a testutil.UploadHold, armed, in front of e's sandbox
// and returns it with a client of its own: an upload whose body has started
// gets no answer until Release, so a test can change the file mid-upload
// however slow the machine (a server delay can run out first).
func (e *testEnv) heldServer() (*testutil.UploadHold, *api.Client) {
	e.t.Helper()
	hold := testutil.NewUploadHold(e.srv, 0)
	hold.Arm()
	ts := httptest.NewServer(hold)
	e.t.Cleanup(ts.Close)
	e.t.Cleanup(hold.Release) // runs first: a held request must not keep ts.Close waiting
	c := clientFor(e.t, ts.URL, nil)
	return hold, c
}

// uploadChangedMidway uploads path through a held server (heldServer):
// once its first attempt has sent bytes it calls change, then lets the
// server answer. It returns the queue when every job is final, within d.
func (e *testEnv) uploadChangedMidway(path string, d time.Duration, change func()) *Queue {
	e.t.Helper()
	hold, client := e.heldServer()
	cfg := e.config()
	cfg.Client = client
	q := e.queue(cfg)
	events, stop := q.Subscribe(64)
	defer stop()
	q.Add(Request{Path: path})
	changed := false
	for ev := range events {
		if ev.Job.State == storage.JobUploading && ev.Job.Sent > 0 && !changed {
			change()
			changed = true
			hold.Release()
		}
		if ev.Job.State.Final() {
			break
		}
	}
	require.True(e.t, changed, "%s was never seen mid-upload", path)
	require.NoError(e.t, wait(e.t, q, d))
	return q
}

// schedulerRound returns once no upload runs and the scheduler has since
// finished a whole round: whatever it was going to start by then, it has
// started (a test of what must NOT start needs no waiting window). The
// scheduler takes one wake-up token per round from its one-slot channel,
// and running-- queues one; so the second of two tokens sent here is
// taken only after a round that began after running-- has ended.
func schedulerRound(t *testing.T, q *Queue) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		q.mu.Lock()
		running, changed := q.running, q.changed
		q.mu.Unlock()
		if running == 0 {
			break
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%d upload(s) still running after 30 s", running)
		}
	}
	for range 2 {
		select {
		case q.wake <- struct{}{}:
		case <-deadline:
			t.Fatal("the scheduler took no wake-up within 30 s")
		}
	}
}

// clientFor is an API client of the dStor-like server at url (hc nil for
// the client's own transport), whose idle connections close with the test.
func clientFor(t *testing.T, url string, hc *http.Client) *api.Client {
	t.Helper()
	env, err := api.CustomEnvironment(url)
	require.NoError(t, err)
	c, err := api.NewClient(env, hc)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}
