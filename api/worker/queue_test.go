package worker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestUploadFilesAndNestedFolder(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("a.txt", []byte("hello world\n"))
	b := e.write("b.bin", testutil.Content("b", 700_000)) // several IPFS chunks
	empty := e.write("empty.txt", nil)
	photos := filepath.Join(e.files, "photos")
	x := e.write("photos/x.jpg", testutil.Content("x", 5000))
	y := e.write("photos/2026/y.jpg", testutil.Content("y", 300_000))
	z := e.write("photos/2026/deep/z.jpg", testutil.Content("z", 10))
	hidden := e.write("photos/.hidden", testutil.Content("h", 10))

	q := e.queue(e.config())
	events, stop := q.Subscribe(1024)
	defer stop()
	q.Add(
		Request{Path: a, Comment: "greeting"},
		Request{Path: b, FolderPath: "/bins/"},
		Request{Path: empty},
		Request{Path: photos, FolderPath: "/backup/"},
	)
	require.NoError(t, wait(t, q, 30*time.Second))

	jobs := q.Jobs()
	require.Len(t, jobs, 7)
	wantFolder := map[string]string{
		a: "", b: "/bins/", empty: "",
		x: "/backup/photos/", y: "/backup/photos/2026/", z: "/backup/photos/2026/deep/", hidden: "/backup/photos/",
	}
	for i, j := range jobs {
		require.Equal(t, storage.JobDone, j.State, "%s: %s", j.Name, j.Err)
		assert.Equal(t, wantFolder[j.LocalPath], j.FolderPath, j.LocalPath)
		assert.Equal(t, testutil.CIDOf(t, j.LocalPath), j.Hash, j.Name)
		assert.True(t, j.Verified)
		assert.Equal(t, 1, j.Attempts)
		assert.Equal(t, j.Size, j.Sent)
		assert.False(t, j.FinishedAt.IsZero(), "read back from its row: finished when it last changed")
		if i < 3 {
			assert.Equal(t, jobs[0].BatchID, j.BatchID, "one Add is one batch")
		}
	}
	// The order is the order of the requests; a folder's files in
	// lexical order.
	assert.Equal(t, []string{a, b, empty}, []string{jobs[0].LocalPath, jobs[1].LocalPath, jobs[2].LocalPath})
	assert.Equal(t, "greeting", jobs[0].Comment)

	requireHistoryOnce(t, e.db, jobs)
	for _, h := range history(t, e.db) {
		assert.Equal(t, testutil.CIDOf(t, h.LocalPath), h.Hash)
		assert.Equal(t, testEnvName, h.Env)
		assert.Equal(t, testEmail, h.Account)
		assert.Equal(t, wantFolder[h.LocalPath], h.FolderPath)
		assert.True(t, h.Verified)
		assert.Equal(t, 1, h.Attempts)
	}
	// What dStor got.
	ups := e.sandboxUploads()
	require.Len(t, ups, 7)
	for _, u := range ups {
		assert.Contains(t, []string{"", "/bins/", "/backup/photos/", "/backup/photos/2026/", "/backup/photos/2026/deep/"}, u.FolderPath)
	}

	s := q.Summary()
	assert.Equal(t, Summary{Total: 7, Done: 7, BytesTotal: s.BytesTotal, BytesDone: s.BytesTotal}, s)
	assert.EqualValues(t, 12+700_000+5000+300_000+10+10, s.BytesTotal)

	// Every job was announced, went through uploading and ended done.
	seen := map[string][]storage.JobState{}
	drainUntil(t, events, func(ev Event) {
		if ev.Job.ID != "" {
			seen[ev.Job.ID] = append(seen[ev.Job.ID], ev.Job.State)
		}
		if ev.Job.State == storage.JobDone {
			assert.False(t, ev.Job.StartedAt.IsZero())
			assert.False(t, ev.Job.FinishedAt.Before(ev.Job.StartedAt))
		}
	}, func() bool {
		for _, j := range jobs {
			if st := seen[j.ID]; len(st) == 0 || st[len(st)-1] != storage.JobDone {
				return false
			}
		}
		return true
	})
	for _, j := range jobs {
		st := seen[j.ID]
		require.NotEmpty(t, st, j.Name)
		assert.Equal(t, storage.JobQueued, st[0], j.Name)
		assert.Contains(t, st, storage.JobUploading, j.Name)
		assert.Equal(t, storage.JobDone, st[len(st)-1], j.Name)
	}
	// The rows are done too.
	for _, j := range jobs {
		row := dbState(t, e.db, j.ID)
		assert.Equal(t, storage.JobDone, row.State)
		assert.Equal(t, j.Hash, row.Hash)
	}
}

// drainUntil feeds fn every event until done reports that all the test
// waits for has come (failing after a generous deadline), then, for a quiet
// spell, whatever else comes: a slow machine can make a surplus event go
// unseen, never an expected one.
func drainUntil(t *testing.T, ch <-chan Event, fn func(Event), done func() bool) {
	t.Helper()
	deadline := time.After(hangGuard)
	for !done() {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("the event channel closed before the awaited events came")
			}
			fn(ev)
		case <-deadline:
			t.Fatalf("the awaited events did not come within %s", hangGuard)
		}
	}
	drain(ch, 50*time.Millisecond, fn)
}

// drain reads events until none came for idle (all a test waits for must
// be in the channel already: see drainUntil).
func drain(ch <-chan Event, idle time.Duration, fn func(Event)) {
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return
			}
			fn(ev)
		case <-time.After(idle):
			return
		}
	}
}

func TestFolderPathFor(t *testing.T) {
	for _, c := range []struct{ dest, root, rel, want string }{
		{"/backup/", "photos", ".", "/backup/photos/"},
		{"/backup/", "photos", "2026", "/backup/photos/2026/"},
		{"/backup", "photos", "2026/deep", "/backup/photos/2026/deep/"},
		{"", "photos", ".", "/photos/"},
		{"/", "photos", "a/b", "/photos/a/b/"},
		{"/x/", "", ".", "/x/"},
		{"", "", ".", "/"},
		{"/backup/", "my photos", "été", "/backup/my photos/été/"},
	} {
		assert.Equal(t, c.want, folderPathFor(c.dest, c.root, c.rel), "%+v", c)
	}
}

func TestFolderWithParentIDKeepsParentForAllFiles(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "docs")
	e.write("docs/a.txt", testutil.Content("a", 10))
	e.write("docs/sub/b.txt", testutil.Content("b", 10))
	parent := int64(42)

	q := e.uploaded(Request{Path: dir, ParentID: &parent})
	jobs := q.Jobs()
	require.Len(t, jobs, 2)
	for _, j := range jobs {
		require.Equal(t, storage.JobDone, j.State, j.Err)
		require.NotNil(t, j.ParentID)
		assert.EqualValues(t, 42, *j.ParentID)
		assert.Empty(t, j.FolderPath)
	}
	for _, u := range e.sandboxUploads() {
		require.NotNil(t, u.ParentID)
		assert.EqualValues(t, 42, *u.ParentID)
		assert.Empty(t, u.FolderPath)
	}
	// The job's ParentID is a copy.
	*jobs[0].ParentID = 7
	j, ok := q.Job(jobs[0].ID)
	require.True(t, ok)
	assert.EqualValues(t, 42, *j.ParentID)
}

func TestSkippedEntriesAreVisible(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "mixed")
	good := e.write("mixed/good.txt", testutil.Content("g", 100))
	e.write("mixed/.config/settings", testutil.Content("s", 10)) // hidden: uploaded
	link := filepath.Join(dir, "link.txt")
	testfs.SymlinkOrSkip(t, good, link)
	dirLink := filepath.Join(dir, "dirlink")
	testfs.SymlinkOrSkip(t, e.files, dirLink) // would loop if followed
	fifo := filepath.Join(dir, "pipe")
	makeFifo(t, fifo)
	emptySub := filepath.Join(dir, "nothing")
	require.NoError(t, os.Mkdir(emptySub, 0o755))
	secret := e.write("mixed/secret.txt", testutil.Content("x", 10))
	lockedDir := filepath.Join(dir, "locked")
	e.write("mixed/locked/inside.txt", testutil.Content("i", 10))
	require.NoError(t, os.Chmod(secret, 0))
	require.NoError(t, os.Chmod(lockedDir, 0))
	t.Cleanup(func() { _ = os.Chmod(lockedDir, 0o755) })
	asRoot := os.Geteuid() == 0 // root reads everything: no unreadable entries then
	emptyDrop := filepath.Join(e.files, "empty-drop")
	require.NoError(t, os.Mkdir(emptyDrop, 0o755))

	q := e.uploaded(Request{Path: dir, FolderPath: "/in/"}, Request{Path: emptyDrop, FolderPath: "/in/"})

	jobs := q.Jobs()
	got := jobsByPath(jobs)
	assert.Equal(t, storage.JobDone, got[good].State)
	assert.Equal(t, storage.JobDone, got[filepath.Join(dir, ".config", "settings")].State, "hidden files are uploaded")
	assert.Equal(t, "/in/mixed/.config/", got[filepath.Join(dir, ".config", "settings")].FolderPath)

	skipped := func(p, reason string) {
		t.Helper()
		j, ok := got[p]
		require.True(t, ok, "no job for %s", p)
		assert.Equal(t, storage.JobSkipped, j.State, p)
		assert.Contains(t, j.Err, reason, p)
		assert.Equal(t, storage.JobSkipped, dbState(t, e.db, j.ID).State, "persisted as skipped")
	}
	skipped(link, "symbolic link — not followed")
	skipped(dirLink, "symbolic link — not followed")
	skipped(fifo, "named pipe")
	skipped(emptySub, "folder is empty")
	assert.Equal(t, "/in/mixed/nothing/", got[emptySub].FolderPath)
	skipped(emptyDrop, "folder is empty")
	assert.Equal(t, "/in/empty-drop/", got[emptyDrop].FolderPath)
	if asRoot {
		t.Log("running as root: unreadable entries cannot be made; that part is skipped")
		assert.Equal(t, storage.JobDone, got[secret].State)
	} else {
		skipped(secret, "cannot be read")
		skipped(lockedDir, "permission denied")
		_, listed := got[filepath.Join(lockedDir, "inside.txt")]
		assert.False(t, listed)
	}
	s := q.Summary()
	assert.Equal(t, s.Done+s.Skipped, s.Total)
	assert.Zero(t, s.Failed)
	requireHistoryOnce(t, e.db, jobs)
}

func TestInvalidRequestsFail(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 10))
	parent := int64(3)
	negative := int64(-1)
	q := e.queue(e.config())
	q.Add(
		Request{Path: f, FolderPath: "/x/", ParentID: &parent},
		Request{Path: f, FolderPath: "relative/"},
		Request{Path: f, Comment: "two\nlines"},
		Request{Path: f, ParentID: &negative},
		Request{Path: filepath.Join(e.files, "missing.txt")},
		Request{Path: ""},
	)
	require.NoError(t, wait(t, q, 10*time.Second))
	jobs := q.Jobs()
	require.Len(t, jobs, 6)
	for _, j := range jobs {
		assert.Equal(t, storage.JobFailed, j.State, j.LocalPath)
		assert.NotEmpty(t, j.Err)
		assert.Zero(t, j.Attempts)
	}
	assert.Contains(t, jobs[0].Err, "not both")
	assert.Contains(t, jobs[1].Err, "must start with /")
	assert.Contains(t, jobs[2].Err, "one line")
	assert.Contains(t, jobs[3].Err, "parent folder id")
	assert.Contains(t, jobs[4].Err, "does not exist")
	assert.Contains(t, jobs[5].Err, "choose a file")
	assert.Zero(t, e.requests(addPath))
	requireHistoryOnce(t, e.db, jobs)
}

func TestRetryThenSuccess(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 1000))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 503, Count: 2, RetryAfter: 500 * time.Millisecond})

	q := e.queue(e.config())
	events, stop := q.Subscribe(256)
	defer stop()
	start := time.Now()
	q.Add(Request{Path: f})
	require.NoError(t, wait(t, q, 20*time.Second))

	j := jobFor(t, q, f)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, 3, j.Attempts)
	assert.Empty(t, j.Err)
	// Retry-After (rounded up to 1 s by the sandbox) was honoured twice,
	// not the 5–20 ms backoff.
	assert.GreaterOrEqual(t, time.Since(start), 2*time.Second)
	assert.Equal(t, 3, e.requests(addPath))

	var retrying []Job
	finished := false
	drainUntil(t, events, func(ev Event) {
		if ev.Job.State == storage.JobQueued && ev.Job.Attempts > 0 {
			retrying = append(retrying, ev.Job)
		}
		finished = finished || ev.Job.State == storage.JobDone
	}, func() bool { return finished })
	require.Len(t, retrying, 2)
	assert.Equal(t, 1, retrying[0].Attempts)
	assert.Contains(t, retrying[0].Err, "injected fault")

	hist := history(t, e.db)
	require.Len(t, hist, 1)
	assert.Equal(t, 3, hist[0].Attempts)
	assert.Equal(t, testutil.CIDOf(t, f), hist[0].Hash)
}

func TestNetworkCutAndRateLimitAreRetried(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.bin", testutil.Content("f", 300_000))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, CutAfter: 1000, Count: 1})
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 429, Count: 1})
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 500, HTMLError: true, Count: 1})
	q := e.uploaded(Request{Path: f})
	j := jobFor(t, q, f)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, 4, j.Attempts)
	assert.Equal(t, testutil.CIDOf(t, f), j.Hash)
	requireHistoryOnce(t, e.db, q.Jobs())
}

func TestRetriesGiveUpAfterMaxAttempts(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 1000))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 502, Count: -1})
	cfg := e.config()
	cfg.MaxAttempts = 3
	q := e.queue(cfg)
	q.Add(Request{Path: f})
	require.NoError(t, wait(t, q, 20*time.Second))
	j := jobFor(t, q, f)
	assert.Equal(t, storage.JobFailed, j.State)
	assert.Equal(t, 3, j.Attempts)
	assert.Contains(t, j.Err, "gave up after 3 attempts")
	assert.Equal(t, 3, e.requests(addPath))
	row := dbState(t, e.db, j.ID)
	assert.Equal(t, storage.JobFailed, row.State)
	assert.Equal(t, j.Err, row.Error)
	assert.Empty(t, history(t, e.db))
}

func TestPermanentFailures(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{MaxUploadSize: 1000})
	big := e.write("big.bin", testutil.Content("big", 5000))
	bad := e.write("bad.txt", testutil.Content("bad", 10))
	cfg := e.config()
	cfg.Concurrency = 1
	q := e.queue(cfg)
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 400, Count: 1})
	q.Add(Request{Path: bad})
	require.NoError(t, wait(t, q, 20*time.Second))
	q.Add(Request{Path: big})
	require.NoError(t, wait(t, q, 20*time.Second))

	jb := jobFor(t, q, bad)
	assert.Equal(t, storage.JobFailed, jb.State)
	assert.Equal(t, 1, jb.Attempts, "a 400 is not retried")
	assert.Contains(t, jb.Err, "injected fault: Bad Request")

	jg := jobFor(t, q, big)
	assert.Equal(t, storage.JobFailed, jg.State)
	assert.Equal(t, 1, jg.Attempts)
	assert.Contains(t, strings.ToLower(jg.Err), "too large")
	assert.Equal(t, api.Human(&api.Error{Kind: api.KindTooLarge}), jg.Err[:len(api.Human(&api.Error{Kind: api.KindTooLarge}))])

	assert.Empty(t, history(t, e.db))
	assert.Equal(t, 2, q.Summary().Failed)

	// Retry of a failed job runs it again (and it succeeds now).
	q.Retry(jb.ID)
	require.NoError(t, wait(t, q, 20*time.Second))
	jb = jobFor(t, q, bad)
	assert.Equal(t, storage.JobDone, jb.State, jb.Err)
	assert.Equal(t, 1, jb.Attempts, "attempts start over")
	requireHistoryOnce(t, e.db, q.Jobs())
}

func TestUnauthorizedThenRefresh(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 1000))
	g := e.write("g.txt", testutil.Content("g", 1000))
	cfg := e.config()
	cfg.Concurrency = 1
	q := e.queue(cfg)
	q.Add(Request{Path: f})
	require.NoError(t, wait(t, q, 20*time.Second))
	require.Equal(t, 1, e.requests(tokenPath), "one token minted")

	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 401, Count: 1})
	q.Add(Request{Path: g})
	require.NoError(t, wait(t, q, 20*time.Second))
	j := jobFor(t, q, g)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, 1, j.Attempts, "a refresh is not an attempt")
	assert.Equal(t, 2, e.requests(tokenPath), "exactly one extra token mint")
	assert.Equal(t, 3, e.requests(addPath))
	requireHistoryOnce(t, e.db, q.Jobs())
}

func TestExpiredLoginTokenWaitsForSignIn(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	ctx := context.Background()
	tok, err := e.client.TokenFromLogin(ctx, testEmail, testPassword)
	require.NoError(t, err)
	expired := tok
	expired.ExpiresAt = time.Now().Add(30 * time.Second) // inside the one-minute margin

	f1 := e.write("1.txt", testutil.Content("1", 100))
	f2 := e.write("2.txt", testutil.Content("2", 100))
	cfg := e.config()
	cfg.Tokens = NewStaticTokens(expired)
	q := e.queue(cfg)
	events, stop := q.Subscribe(64)
	defer stop()
	q.Add(Request{Path: f1}, Request{Path: f2})
	err = wait(t, q, 10*time.Second)
	require.ErrorIs(t, err, ErrSignInRequired)

	s := q.Summary()
	assert.True(t, s.WaitingSignIn)
	assert.Equal(t, 2, s.Waiting)
	for _, j := range q.Jobs() {
		assert.Equal(t, storage.JobWaitingSignIn, j.State)
		assert.Zero(t, j.Attempts, "waiting for sign-in is not an attempt")
		assert.Contains(t, j.Err, "sign in")
		assert.Equal(t, storage.JobWaitingSignIn, dbState(t, e.db, j.ID).State)
	}
	assert.Zero(t, e.requests(addPath), "nothing was sent with the expired token")
	sawQueueEvent := false
	drainUntil(t, events, func(ev Event) {
		if ev.Kind == QueueChanged && ev.Summary.WaitingSignIn {
			sawQueueEvent = true
		}
	}, func() bool { return sawQueueEvent })
	assert.True(t, sawQueueEvent)

	// Jobs added meanwhile wait too.
	f3 := e.write("3.txt", testutil.Content("3", 100))
	q.Add(Request{Path: f3})
	require.ErrorIs(t, wait(t, q, 10*time.Second), ErrSignInRequired)
	assert.Equal(t, storage.JobWaitingSignIn, jobFor(t, q, f3).State)

	// Signing in again resumes everything.
	q.SetTokens(NewStaticTokens(tok))
	require.NoError(t, wait(t, q, 20*time.Second))
	for _, j := range q.Jobs() {
		assert.Equal(t, storage.JobDone, j.State, j.Err)
		assert.Equal(t, 1, j.Attempts)
	}
	assert.False(t, q.Summary().WaitingSignIn)
	requireHistoryOnce(t, e.db, q.Jobs())

	// A login token the server rejects (401) also waits for sign-in.
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 401, Count: 1})
	f4 := e.write("4.txt", testutil.Content("4", 100))
	q.Add(Request{Path: f4})
	require.ErrorIs(t, wait(t, q, 10*time.Second), ErrSignInRequired)
	assert.Equal(t, storage.JobWaitingSignIn, jobFor(t, q, f4).State)
	apiKeyTokens := NewAPIKeyTokens(e.client, e.key, 0)
	q.SetTokens(apiKeyTokens)
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, storage.JobDone, jobFor(t, q, f4).State)
	requireHistoryOnce(t, e.db, q.Jobs())
}

func TestNoTokensWaitsForSignIn(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 100))
	cfg := e.tokenless()
	q := e.queue(cfg)
	q.Add(Request{Path: f})
	require.ErrorIs(t, wait(t, q, 10*time.Second), ErrSignInRequired)
	q.SetTokens(NewAPIKeyTokens(e.client, e.key, time.Hour))
	require.NoError(t, wait(t, q, 10*time.Second))
	assert.Equal(t, storage.JobDone, jobFor(t, q, f).State)
}

// privateSandbox asks newTestEnv for a sandbox of the test's own.
var privateSandbox = sandbox.Config{MaxUploadSize: sandbox.DefaultMaxUploadSize}

// TestCancelMidUpload: Cancel ends the upload in flight, not only its
// row: the connection carrying its body is closed, though the server has
// not answered and the client's own timeouts are an hour, so nothing but
// Cancel ends it (an upload Cancel let run would keep it open past the hang
// guard). The job ends canceled, with no history entry; it can be retried.
func TestCancelMidUpload(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 100_000))
	held := newUnansweredUpload(t, e.srv)
	cfg := e.config()
	cfg.Client = clientFor(t, held.url, &http.Client{Transport: api.NewTransport(api.Timeouts{ResponseHeader: time.Hour, WriteIdle: time.Hour})})
	q := e.queue(cfg)
	q.Add(Request{Path: f})
	// Mid-upload: the server has the body's first byte.
	select {
	case <-held.started:
	case <-time.After(hangGuard):
		t.Fatal("the upload did not start")
	}
	id := jobFor(t, q, f).ID
	q.Cancel(id)
	j, _ := q.Job(id)
	assert.Equal(t, storage.JobCanceled, j.State, "canceled at once")
	held.letGo()
	select {
	case end := <-held.ended:
		require.NoError(t, end.err)
		t.Logf("the server got %d of the body's %d bytes before the client closed the connection", end.got, end.length)
	case <-time.After(hangGuard):
		t.Fatal("the upload went on after Cancel: its connection is still open")
	}
	require.NoError(t, wait(t, q, hangGuard))
	j, _ = q.Job(id)
	assert.Equal(t, storage.JobCanceled, j.State)
	assert.Empty(t, history(t, e.db))
	eventually(t, hangGuard, func() bool { return dbState(t, e.db, id).State == storage.JobCanceled })

	// Canceling again, or a finished job, changes nothing; a canceled job
	// can be retried.
	q.Cancel(id)
	q.Retry(id)
	require.NoError(t, wait(t, q, hangGuard))
	j, _ = q.Job(id)
	assert.Equal(t, storage.JobDone, j.State, j.Err)
	q.Cancel(id)
	j, _ = q.Job(id)
	assert.Equal(t, storage.JobDone, j.State)
	requireHistoryOnce(t, e.db, q.Jobs())
	assert.Len(t, e.sandboxUploads(), 1, "the retry's upload")
}

// unansweredUpload is a server in front of a sandbox whose first upload
// gets no answer: once that upload's body has started it closes started;
// once let go it reads the connection until the client closes it, and
// says on ended what came. Other requests pass through.
type unansweredUpload struct {
	url     string
	next    http.Handler
	taken   atomic.Bool
	started chan struct{}
	release chan struct{}
	once    sync.Once
	ended   chan endedUpload
}

// endedUpload is what an unansweredUpload got before the client closed
// the connection: got of the body's length bytes (err: it could not read
// the connection).
type endedUpload struct {
	got, length int64
	err         error
}

func newUnansweredUpload(t *testing.T, next http.Handler) *unansweredUpload {
	u := &unansweredUpload{next: next, started: make(chan struct{}), release: make(chan struct{}), ended: make(chan endedUpload, 1)}
	ts := httptest.NewServer(u)
	t.Cleanup(ts.Close)
	t.Cleanup(u.letGo) // runs first: a held upload must not keep ts.Close waiting
	u.url = ts.URL
	return u
}

func (u *unansweredUpload) letGo() { u.once.Do(func() { close(u.release) }) }

func (u *unansweredUpload) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != addPath || !u.taken.CompareAndSwap(false, true) {
		u.next.ServeHTTP(w, r)
		return
	}
	first := make([]byte, 1)
	if _, err := io.ReadFull(r.Body, first); err != nil {
		http.Error(w, "no body", http.StatusBadRequest)
		return
	}
	close(u.started)
	<-u.release
	// The body's rest and whatever follows, until the client closes the
	// connection: read from it directly, as the server never answers.
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		u.ended <- endedUpload{err: fmt.Errorf("take over the held upload's connection: %w", err)}
		return
	}
	defer func() { _ = conn.Close() }()
	n, _ := io.Copy(io.Discard, rw.Reader)
	u.ended <- endedUpload{got: 1 + n, length: r.ContentLength}
}

func TestCancelAll(t *testing.T) {
	// Its own sandbox: the stalled requests end with it, and cannot be
	// recorded late in another test's count of the shared one.
	e := newTestEnv(t, privateSandbox)
	for i := range 10 {
		e.write(fmt.Sprintf("d/%02d.txt", i), testutil.Content(fmt.Sprint(i), 100))
	}
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Stall: time.Minute, Count: -1})
	cfg := e.config()
	cfg.Concurrency = 2
	q := e.queue(cfg)
	q.Add(Request{Path: filepath.Join(e.files, "d")})
	// The whole folder listed (CancelAll forgets what is not listed yet)
	// and two uploads stalled.
	eventually(t, 10*time.Second, func() bool {
		s := q.Summary()
		return !s.Walking && s.Total == 10 && s.Uploading == 2
	})
	q.CancelAll()
	require.NoError(t, wait(t, q, 20*time.Second))
	s := q.Summary()
	assert.Equal(t, 10, s.Canceled)
	assert.Equal(t, 10, s.Total)
	assert.Empty(t, history(t, e.db))

	// Clear finished removes them from the list; their rows stay, only
	// cleared: the folder's share lacks those files (FolderLeft.Dropped),
	// and they are all that says so.
	q.ClearFinished()
	assert.Empty(t, q.Jobs())
	eventually(t, 20*time.Second, func() bool {
		rows, err := e.db.Jobs()
		require.NoError(t, err)
		return len(rows) == 10 && !slices.ContainsFunc(rows, func(r storage.JobRow) bool { return !r.Cleared })
	})
	counts, err := e.db.JobCounts(testEnvName, testEmail)
	require.NoError(t, err)
	assert.Zero(t, counts.Total(), "out of the counts")
}

func TestPauseAndResume(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	var files []string
	for i := range 4 {
		files = append(files, e.write(fmt.Sprintf("%d.txt", i), testutil.Content(fmt.Sprint(i), 1000)))
	}
	cfg := e.config()
	cfg.Concurrency = 1
	held := newHeldRequest(t, addPath)
	cfg.Client = held.client(t, e.url)
	q := e.queue(cfg)

	// Paused before adding: nothing starts.
	q.Pause()
	assert.True(t, q.Paused())
	assert.True(t, q.Summary().Paused)
	q.Add(Request{Path: files[0]}, Request{Path: files[1]})
	eventually(t, 20*time.Second, func() bool { return q.Summary().Queued == 2 }, "both jobs are listed (Add is asynchronous)")
	schedulerRound(t, q)
	assert.Equal(t, 2, q.Summary().Queued)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, q.Wait(ctx), context.DeadlineExceeded, "a paused queue with queued jobs is not idle")
	assert.Equal(t, 2, q.Summary().Queued)
	assert.Zero(t, e.requests(addPath))

	q.Resume()
	assert.False(t, q.Paused())
	require.NoError(t, wait(t, q, 10*time.Second))
	assert.Equal(t, 2, q.Summary().Done)

	// Paused while one is in flight: it is stopped and queued again (dStor
	// cannot resume it), the next does not start. The first upload is held
	// in the transport, so it is in flight when the pause comes.
	held.arm()
	q.Add(Request{Path: files[2]}, Request{Path: files[3]})
	held.waitStarted(t)
	assert.Equal(t, storage.JobUploading, stateOf(q, files[2]))
	// The second job of the Add may still be being listed (Add is
	// asynchronous); the first stays held meanwhile.
	eventually(t, 20*time.Second, func() bool { _, ok := findJob(q, files[3]); return ok }, "both jobs are listed")
	q.Pause()
	eventually(t, 20*time.Second, func() bool { return stateOf(q, files[2]) == storage.JobQueued }, "stopped and queued again")
	schedulerRound(t, q)
	stopped := jobFor(t, q, files[2])
	assert.Contains(t, stopped.Err, "starts again from the beginning")
	assert.Zero(t, stopped.Attempts, "a paused upload is not an attempt")
	assert.Equal(t, storage.JobQueued, jobFor(t, q, files[3]).State)
	assert.Equal(t, 2, q.Summary().Queued)
	q.Resume()
	e.requireDone(q, 10*time.Second, 4)
}

func TestFileGrowsDuringUpload(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("growing.log", testutil.Content("grow", 200_000)) // under 1 MiB: sent without waiting for 100 Continue
	// The server answers the first attempt only once the file has grown.
	q := e.uploadChangedMidway(f, 10*time.Second, func() {
		fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = fh.Write([]byte("one more line\n"))
		require.NoError(t, err)
		require.NoError(t, fh.Close())
	})
	// The torn attempt is thrown away and the file sent again, whole.
	j := jobFor(t, q, f)
	assert.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, 2, j.Attempts)
	h := history(t, e.db)
	require.Len(t, h, 1)
	assert.Equal(t, testutil.CIDOf(t, f), h[0].Hash, "the history holds the file as it is now")
}

func TestWrongHashFailsAsIntegrityError(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("f.txt", testutil.Content("f", 1000))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, WrongHash: true, Count: 1})
	q := e.uploaded(Request{Path: f})
	j := jobFor(t, q, f)
	assert.Equal(t, storage.JobFailed, j.State)
	assert.Contains(t, j.Err, "integrity check failed")
	assert.Contains(t, j.Err, testutil.CIDOf(t, f), "the local hash is shown")
	assert.Equal(t, 1, j.Attempts, "not retried")
	assert.Empty(t, j.Hash)
	assert.Empty(t, history(t, e.db))
	assert.Equal(t, storage.JobFailed, dbState(t, e.db, j.ID).State)
}

func TestCloseMidFlightThenResume(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	const n = 12
	for i := range n {
		e.write(fmt.Sprintf("batch/%02d.bin", i), testutil.Content(fmt.Sprint(i), 2000+i))
	}
	cfg := e.config()
	cfg.Concurrency = 3
	q, err := New(cfg)
	require.NoError(t, err)
	// Two uploads complete; then the server hangs for the rest.
	var rest []Request
	for i := range n {
		r := Request{Path: filepath.Join(e.files, "batch", fmt.Sprintf("%02d.bin", i)), FolderPath: "/b/batch/"}
		if i < 2 {
			q.Add(r)
		} else {
			rest = append(rest, r)
		}
	}
	require.NoError(t, wait(t, q, 10*time.Second))
	// An hour: a Close that waited for the server would still be waiting
	// at the hang guard.
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Stall: time.Hour, Every: 1})
	q.Add(rest...)
	// Closed once every file is listed (a Close mid-listing is another
	// test's case) and three uploads hang.
	eventually(t, 10*time.Second, func() bool {
		s := q.Summary()
		return s.Uploading == 3 && !s.Walking && s.Total == n
	})
	closed := make(chan error, 1)
	go func() { closed <- q.Close() }()
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(hangGuard):
		t.Fatal("Close waits for the server")
	}
	require.NoError(t, q.Close(), "a second Close is harmless")
	require.ErrorIs(t, q.Wait(context.Background()), ErrClosed)

	rows, err := e.db.Jobs()
	require.NoError(t, err)
	states := map[storage.JobState]int{}
	for _, r := range rows {
		states[r.State]++
	}
	const doneBefore = 2
	assert.Equal(t, 3, states[storage.JobUploading], "in-flight rows stay uploading, not canceled")
	assert.Zero(t, states[storage.JobCanceled])
	assert.Equal(t, doneBefore, states[storage.JobDone])
	assert.Len(t, history(t, e.db), doneBefore)

	// Restart, as after a crash: reopen the database, start a new queue;
	// everything completes, each file once.
	e.srv.ClearFaults()
	require.NoError(t, e.db.Close())
	db2, err := storage.Open(e.dbDir)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db2.Close()) })
	e.db = db2
	cfg.DB = db2
	q2 := e.queue(cfg)
	assert.Equal(t, n-doneBefore, len(q2.Jobs()), "only unfinished jobs are loaded")
	require.NoError(t, wait(t, q2, 30*time.Second))
	for _, j := range q2.Jobs() {
		assert.Equal(t, storage.JobDone, j.State, j.Err)
	}
	hist := history(t, e.db)
	require.Len(t, hist, n)
	names := map[string]int{}
	for _, h := range hist {
		names[h.Name]++
		assert.Equal(t, testutil.CIDOf(t, h.LocalPath), h.Hash)
		assert.Equal(t, "/b/batch/", h.FolderPath)
	}
	assert.Len(t, names, n)
	rows, err = e.db.Jobs(storage.JobQueued, storage.JobUploading)
	require.NoError(t, err)
	assert.Empty(t, rows)
}

func TestThousandSmallFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 1,000 uploads")
	}
	e := newTestEnv(t, sandbox.Config{})
	const n = 1000
	dir := filepath.Join(e.files, "many")
	for i := range n {
		e.write(fmt.Sprintf("many/%02d/%04d.txt", i%10, i), []byte(fmt.Sprintf("file %d\n", i)))
	}
	cfg := e.config()
	cfg.Concurrency = 4
	q := e.queue(cfg)
	// A subscriber that does not read until the end must not slow the
	// uploads, and must still get every state change.
	events, stop := q.Subscribe(1)
	defer stop()
	start := time.Now()
	q.Add(Request{Path: dir, FolderPath: "/many/"})
	// Only against a hang: 1,000 uploads under -race took over 50 s on 2
	// busy cores. The time is logged.
	require.NoError(t, wait(t, q, 5*time.Minute))
	t.Logf("%d files in %v", n, time.Since(start).Round(time.Millisecond))

	jobs := q.Jobs()
	require.Len(t, jobs, n)
	for _, j := range jobs {
		require.Equal(t, storage.JobDone, j.State, j.Err)
	}
	requireHistoryOnce(t, e.db, jobs)
	count, err := e.db.HistoryCount("")
	require.NoError(t, err)
	assert.Equal(t, n, count)
	hashes := map[string]bool{}
	for _, h := range history(t, e.db) {
		hashes[h.Hash] = true
	}
	assert.Len(t, hashes, n, "every file has its own hash")
	assert.Equal(t, testutil.CIDOf(t, jobs[123].LocalPath), jobs[123].Hash)

	added, done := 0, 0
	drainUntil(t, events, func(ev Event) {
		switch {
		case ev.Kind == JobAdded:
			added++
		case ev.Kind == JobChanged && ev.Job.State == storage.JobDone:
			done++
		}
	}, func() bool { return added >= n && done >= n })
	assert.Equal(t, n, added)
	assert.Equal(t, n, done)
}

func TestRemoveAndClearFinished(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	ok1 := e.write("ok1.txt", testutil.Content("1", 10))
	ok2 := e.write("ok2.txt", testutil.Content("2", 10))
	bad := e.write("bad.txt", testutil.Content("b", 10))
	cfg := e.config()
	cfg.Concurrency = 1
	q := e.queue(cfg)
	q.Add(Request{Path: ok1}, Request{Path: ok2})
	require.NoError(t, wait(t, q, 10*time.Second))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 400, Count: 1})
	q.Add(Request{Path: bad})
	require.NoError(t, wait(t, q, 10*time.Second))
	require.Equal(t, storage.JobFailed, jobFor(t, q, bad).State)

	events, stop := q.Subscribe(16)
	defer stop()
	q.Remove(jobFor(t, q, ok1).ID)
	q.ClearFinished()
	jobs := q.Jobs()
	require.Len(t, jobs, 1, "failed jobs stay")
	assert.Equal(t, bad, jobs[0].LocalPath)
	// The job removed by id goes by itself; what the clear took out of
	// the database (not held in memory) goes in one JobsChanged.
	removed, reloads := 0, 0
	drainUntil(t, events, func(ev Event) {
		switch ev.Kind {
		case JobRemoved:
			removed++
		case JobsChanged:
			reloads++
			assert.Equal(t, 1, ev.Summary.Total, "the counts follow the clear")
		}
	}, func() bool { return removed >= 1 && reloads >= 1 })
	assert.Equal(t, 1, removed)
	assert.Equal(t, 1, reloads)
	assert.Len(t, history(t, e.db), 2, "the history keeps them")

	q.Remove(jobs[0].ID)
	assert.Empty(t, q.Jobs())
	eventually(t, 20*time.Second, func() bool {
		rows, err := e.db.Jobs()
		require.NoError(t, err)
		return len(rows) == 0
	})
	assert.Equal(t, Summary{}, q.Summary())
}

func TestRetryFailed(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	var files []string
	for i := range 3 {
		files = append(files, e.write(fmt.Sprintf("%d.txt", i), testutil.Content(fmt.Sprint(i), 10)))
	}
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 400, Count: 3})
	q := e.uploaded(Request{Path: files[0]}, Request{Path: files[1]}, Request{Path: files[2]})
	require.Equal(t, 3, q.Summary().Failed)
	q.RetryFailed()
	e.requireDone(q, 10*time.Second, 3)
}

func TestNewLoadsOnlyItsOwnUnfinishedJobs(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	mine := e.write("mine.txt", testutil.Content("m", 10))
	other := e.write("other.txt", testutil.Content("o", 10))
	require.NoError(t, e.db.InsertJobs([]storage.JobRow{
		{Env: testEnvName, Account: testEmail, LocalPath: mine, Name: "mine.txt", Size: 10, State: storage.JobUploading, Attempts: 1},
		{Env: testEnvName, Account: "someone@else.example", LocalPath: other, Name: "other.txt", Size: 10},
		{Env: "production", Account: testEmail, LocalPath: other, Name: "other.txt", Size: 10},
		{Env: testEnvName, Account: testEmail, LocalPath: other, Name: "old-failure", State: storage.JobFailed},
		{Env: testEnvName, Account: testEmail, LocalPath: other, Name: "signin", Size: 10, State: storage.JobWaitingSignIn},
	}))
	q := e.queue(e.config())
	require.NoError(t, wait(t, q, 10*time.Second))
	jobs := q.Jobs()
	require.Len(t, jobs, 3)
	assert.Equal(t, "mine.txt", jobs[0].Name)
	assert.Equal(t, 2, jobs[0].Attempts, "the interrupted attempt counts")
	assert.Equal(t, storage.JobDone, jobs[0].State, jobs[0].Err)
	assert.Equal(t, "old-failure", jobs[1].Name)
	assert.Equal(t, storage.JobFailed, jobs[1].State, "an earlier failure stays listed, not run")
	assert.Equal(t, "signin", jobs[2].Name)
	assert.Equal(t, storage.JobDone, jobs[2].State, jobs[2].Err)
	others, err := e.db.Jobs(storage.JobQueued)
	require.NoError(t, err)
	assert.Len(t, others, 2, "other accounts' and environments' jobs are left alone")
}

func TestSetConcurrencyLimitsParallelUploads(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	for i := range 8 {
		e.write(fmt.Sprintf("c/%d.txt", i), testutil.Content(fmt.Sprint(i), 10))
	}
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Delay: 150 * time.Millisecond, Every: 1})
	base, mostAtOnce := e.uploadsAtOnce()
	cfg := e.proxiedConfig(base)
	cfg.Concurrency = 99
	q := e.queue(cfg)
	q.SetConcurrency(2)
	events, stop := q.Subscribe(256)
	defer stop()
	q.Add(Request{Path: filepath.Join(e.files, "c")})
	for ev := range events {
		if ev.Summary.Done == 8 {
			break
		}
	}
	require.NoError(t, wait(t, q, 10*time.Second))
	assert.Equal(t, int32(2), mostAtOnce(), "uploads the sandbox served at once")
	assert.Equal(t, storage.MaxConcurrency, clampConcurrency(99))
	assert.Equal(t, storage.DefaultConcurrency, clampConcurrency(0))
	assert.Equal(t, 1, clampConcurrency(1))
}

func TestBackoff(t *testing.T) {
	q := &Queue{baseBackoff: 100 * time.Millisecond, maxBackoff: time.Second}
	for attempt := 1; attempt <= 70; attempt++ {
		ceiling := min(q.baseBackoff<<min(attempt-1, 20), q.maxBackoff)
		for range 50 {
			d := q.backoff(attempt, 0)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, ceiling, "attempt %d", attempt)
		}
	}
	// Full jitter: not always the same.
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[q.backoff(5, 0)] = true
	}
	assert.Greater(t, len(seen), 1)
	// Retry-After wins, even above MaxBackoff, up to MaxRetryAfter.
	assert.Equal(t, 3*time.Second, q.backoff(1, 3*time.Second))
	assert.Equal(t, MaxRetryAfter, q.backoff(1, time.Hour))
}

func TestEventKindString(t *testing.T) {
	assert.Equal(t, "JobAdded", JobAdded.String())
	assert.Equal(t, "QueueChanged", QueueChanged.String())
	assert.Equal(t, "EventKind(0)", EventKind(0).String())
}

func TestNewNeedsClientAndDB(t *testing.T) {
	_, err := New(Config{})
	require.Error(t, err)
	c, err := api.NewClient(api.Production, nil)
	require.NoError(t, err)
	_, err = New(Config{Client: c})
	require.Error(t, err)
}

func TestUnsubscribeAndCloseCloseChannels(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	q, err := New(e.config())
	require.NoError(t, err)
	ch1, stop1 := q.Subscribe(0)
	ch2, _ := q.Subscribe(0)
	stop1()
	stop1()
	_, open := <-ch1
	assert.False(t, open)
	require.NoError(t, q.Close())
	_, open = <-ch2
	assert.False(t, open)
	ch3, stop3 := q.Subscribe(0)
	_, open = <-ch3
	assert.False(t, open, "subscribing to a closed queue gives a closed channel")
	stop3()
	// Everything is a no-op after Close.
	q.Add(Request{Path: "/nope"})
	q.Pause()
	q.CancelAll()
	q.RetryFailed()
	q.ClearFinished()
	q.SetConcurrency(2)
	q.SetTokens(nil)
	assert.Empty(t, q.Jobs())
}

// TestFailedJobsSurviveRestart: a failure stays visible and retryable after
// the app restarts, done rows leave the saved queue (they are in the
// history), and removing one job never removes another's row.
func TestFailedJobsSurviveRestart(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	ok := e.write("ok.txt", testutil.Content("ok", 10))
	bad1 := e.write("bad1.txt", testutil.Content("b1", 10))
	bad2 := e.write("bad2.txt", testutil.Content("b2", 10))
	cfg := e.config()
	cfg.Concurrency = 1
	q, err := New(cfg)
	require.NoError(t, err)
	q.Add(Request{Path: ok})
	require.NoError(t, wait(t, q, 10*time.Second))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 400, Count: 2})
	q.Add(Request{Path: bad1}, Request{Path: bad2})
	require.NoError(t, wait(t, q, 10*time.Second))
	require.Equal(t, 2, q.Summary().Failed)
	q.Remove(jobFor(t, q, bad1).ID)
	require.NoError(t, wait(t, q, 10*time.Second))
	require.NoError(t, q.Close())

	q2 := e.queue(cfg)
	jobs := q2.Jobs()
	require.Len(t, jobs, 1, "only the failure that was not removed comes back")
	assert.Equal(t, bad2, jobs[0].LocalPath)
	assert.Equal(t, storage.JobFailed, jobs[0].State)
	assert.NotEmpty(t, jobs[0].Err)
	rows, err := e.db.Jobs(storage.JobDone)
	require.NoError(t, err)
	assert.Empty(t, rows, "done rows are dropped at start; the history has them")

	q2.RetryFailed()
	require.NoError(t, wait(t, q2, 10*time.Second))
	assert.Equal(t, storage.JobDone, jobFor(t, q2, bad2).State)
	assert.Len(t, history(t, e.db), 2)
}

// TestOneQueuePerAccount: a second process (here: a second Queue) must not
// run the same account's queue, or it would upload the first one's in-flight
// jobs again.
func TestOneQueuePerAccount(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	q1, err := New(e.config())
	require.NoError(t, err)
	_, err = New(e.config())
	require.ErrorIs(t, err, storage.ErrQueueInUse)

	other := e.config()
	other.Account = "someone-else@example.com"
	q3, err := New(other)
	require.NoError(t, err, "another account's queue runs alongside")
	require.NoError(t, q3.Close())

	require.NoError(t, q1.Close())
	e.queue(e.config()) // free again
}

// TestOneQueuePerAccountID: the same dStor account filed under its email
// (a password sign-in) and under its id (its API key) runs one queue at a
// time, whichever opens first.
func TestOneQueuePerAccountID(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	const id = "352457c0-80b4-5683-b8a8-04f59e9e06d2"
	byEmail := e.config()
	byEmail.AccountID = id
	byKey := e.config()
	byKey.Account, byKey.AccountID = id, id
	for _, order := range [][2]Config{{byEmail, byKey}, {byKey, byEmail}} {
		q1, err := New(order[0])
		require.NoError(t, err)
		_, err = New(order[1])
		require.ErrorIs(t, err, storage.ErrQueueInUse, "%s, then %s", order[0].Account, order[1].Account)
		require.NoError(t, q1.Close())
	}
	other := e.config()
	other.Account, other.AccountID = "someone-else@example.com", "another-id"
	q, err := New(byEmail)
	require.NoError(t, err)
	q2, err := New(other)
	require.NoError(t, err, "another account's queue runs alongside")
	require.NoError(t, q2.Close())
	require.NoError(t, q.Close())
}

// The bandwidth limit of Config becomes the client's; SetUploadLimit
// changes it while the queue runs and the summary shows it.
func TestUploadLimitIsTheClients(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	cfg := e.config()
	cfg.UploadLimit = 2 << 20
	q := e.queue(cfg)
	assert.Equal(t, int64(2<<20), e.client.UploadRate())
	assert.Equal(t, int64(2<<20), q.Summary().UploadLimit)
	events, stop := q.Subscribe(16)
	defer stop()
	q.SetUploadLimit(0)
	ev := <-events
	assert.Equal(t, QueueChanged, ev.Kind)
	assert.Zero(t, ev.Summary.UploadLimit)
	assert.Zero(t, e.client.UploadRate())
}
