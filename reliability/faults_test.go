package reliability

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/cli"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The client's timeouts in the fault runs: short, so a stalled server is
// given up on in a second (the defaults are minutes).
const relClientTimeout = time.Second

// multiChunkSize is the size of the multi-chunk files: 5 chunks in the full
// suite, 3 in the short one (it runs under the race detector).
var multiChunkSize = map[bool]int{true: 4*api.ChunkSize + 4096, false: 2*api.ChunkSize + 75_000}[relFull]

// faultCase is one kind of fault, injected with the same SPEC syntax as
// `dstor-uploader sandbox --fault SPEC`.
type faultCase struct {
	name  string
	spec  string // "" for the token case, which needs no injected fault
	small int    // files under one chunk (256 KiB)
	multi int    // files of several chunks
	big   int    // files of 48 MiB (more than socket buffers hold)
	// failMsg is what a failed file's message must contain; "" means every
	// file must recover and end verified.
	failMsg string
	conc    int
	tokens  func(t *testing.T, c *api.Client, rs *testutil.Sandbox) worker.TokenSource
	hits    func(rs *testutil.Sandbox) int // faults that fired; nil: request-log lines with "[fault:"
}

// faultFigures is one row of the fault table.
type faultFigures struct {
	sent, hits, done, failed, lost, wrong int
	// msg is the message of the first failed file seen ("" if none failed).
	msg string
}

// add counts the figures of row o in f, the total.
func (f *faultFigures) add(o faultFigures) {
	f.sent += o.sent
	f.hits += o.hits
	f.done += o.done
	f.failed += o.failed
	f.lost += o.lost
	f.wrong += o.wrong
}

func relFaults(t *testing.T, rep *relReport) {
	small, multi := 2, 1
	if relFull {
		small, multi = 8, 3
	}
	cases := []faultCase{
		{name: "500 Internal Server Error", spec: "500:every=2:path=add"},
		{name: "502 Bad Gateway", spec: "502:every=2:path=add"},
		{name: "503 + Retry-After: 1", spec: "503:every=2:retry-after=1s:path=add"},
		{name: "429 + Retry-After: 1", spec: "429:every=2:retry-after=1s:path=add"},
		{name: "connection cut at 50% of the body", spec: "cut=50%:every=2:path=add"},
		{name: "stall (no byte) 5 s, client timeout 1 s", spec: "stall=5s:every=2:path=add"},
		{name: "token expires mid-queue (401, refreshed)", tokens: expiringTokens,
			hits: func(rs *testutil.Sandbox) int { return rs.LogLines(`"/api/v0/add"`, "→ 401") }},
		{name: "wrong hash in the answer", spec: "wrong-hash:every=2:path=add", failMsg: "integrity check failed"},
		{name: "malformed JSON (200)", spec: "malformed:every=2:path=add", failMsg: "cannot read"},
		{name: "HTML error page (nginx 502)", spec: "html=502:every=2:path=add"},
		{name: "413 Payload Too Large", spec: "413:every=2:path=add", failMsg: "too large"},
	}
	if relFull {
		cases = append(cases, faultCase{name: "stall 30 s in the middle of a 48 MiB body", spec: "stall=30s:count=1:path=add", big: 1})
	}
	sec := rep.section("Faults",
		"Each file is queued in the upload engine (the worker queue and client the CLI and window use) against the sandbox, "+
			"with the fault injected by the same SPEC as `dstor-uploader sandbox --fault SPEC`. Client timeouts are set to 1 s "+
			"for the run. Small files are under one 256 KiB chunk; multi-chunk files are "+multiChunkText()+". "+
			"*Faults hit* counts the requests the fault spoiled; *verified done* files are in the history once with the "+
			"locally computed CID; *failed with message* files failed with the sentence shown.",
		"fault", "--fault SPEC", "files sent (small + multi-chunk)", "faults hit", "verified done", "failed with message", "message", "lost", "wrong successes")
	// The engine cases wait on timers (Retry-After, stalls, the token's
	// expiry), so they run in parallel, each with its own sandbox and
	// database; the rows keep the order above.
	figs := make([]faultFigures, len(cases))
	for i := range cases {
		fc := &cases[i]
		if fc.small == 0 && fc.multi == 0 && fc.big == 0 {
			fc.small, fc.multi = small, multi
		}
		if fc.tokens != nil {
			// The token must expire while the queue runs: more files, one
			// at a time, each held 300 ms by the server.
			fc.small, fc.multi, fc.conc = 3*small+2, multi, 1
		}
	}
	t.Run("engine", func(t *testing.T) {
		for i, fc := range cases {
			t.Run(fc.name, func(t *testing.T) {
				t.Parallel()
				figs[i] = runFaultCase(t, fc)
			})
		}
	})
	var total faultFigures
	for i, fc := range cases {
		fig := figs[i]
		shape := fmt.Sprintf("%d + %d", fc.small, fc.multi)
		if fc.big > 0 {
			shape = fmt.Sprintf("%d × 48 MiB", fc.big)
		}
		spec := "`" + fc.spec + "`"
		if fc.spec == "" {
			spec = "(token with a 2 s life)"
		}
		sec.add(fc.name, spec, shape, fig.hits, fig.done, fig.failed, failedWith(fig.msg), fig.lost, fig.wrong)
		total.add(fig)
	}
	t.Run("CLI against dstor-uploader sandbox --fault", func(t *testing.T) {
		fig := runCLIFaultCase(t, sec)
		total.add(fig)
	})
	sec.add("**total**", "", total.sent, total.hits, total.done, total.failed, "", "**"+fmt.Sprint(total.lost)+"**", "**"+fmt.Sprint(total.wrong)+"**")
}

// runFaultCase uploads fresh files through the engine with the fault
// injected and classifies every file.
func runFaultCase(t *testing.T, fc faultCase) faultFigures {
	rs := testutil.StartSandbox(t, sandbox.Config{})
	if fc.spec != "" {
		f, err := sandbox.ParseFaultSpec(fc.spec)
		require.NoError(t, err)
		rs.Srv.InjectFault(f)
	}
	if fc.tokens != nil {
		rs.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Count: -1, Delay: 300 * time.Millisecond})
	}
	dir := t.TempDir()
	var sizes []int
	for i := range fc.small {
		sizes = append(sizes, 1+(i*37_813)%200_000)
	}
	for i := range fc.multi {
		sizes = append(sizes, multiChunkSize+i)
	}
	for i := range fc.big {
		sizes = append(sizes, 48<<20+i)
	}
	files := testutil.WriteFiles(t, dir, "f", sizes)

	hc := &http.Client{Transport: api.NewTransport(api.Timeouts{ResponseHeader: relClientTimeout, WriteIdle: relClientTimeout})}
	client, err := api.NewClient(rs.Env, hc)
	require.NoError(t, err)
	defer client.CloseIdleConnections()
	var tokens worker.TokenSource = worker.NewAPIKeyTokens(client, rs.Key, 0)
	if fc.tokens != nil {
		tokens = fc.tokens(t, client, rs)
	}
	db, err := storage.Open(t.TempDir())
	require.NoError(t, err)
	defer db.Close()
	conc := fc.conc
	if conc == 0 {
		conc = 3
	}
	q, err := worker.New(worker.Config{
		Client: client, DB: db, Tokens: tokens, Env: rs.URL, Account: rs.Acc.ID,
		Concurrency: conc, MaxAttempts: 10, BaseBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
	})
	require.NoError(t, err)
	var reqs []worker.Request
	for _, f := range files {
		reqs = append(reqs, worker.Request{Path: f})
	}
	q.Add(reqs...)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	require.NoError(t, q.Wait(ctx), "the queue finishes by itself")
	jobs := q.Jobs()
	require.NoError(t, q.Close())
	hist := allHistory(t, db)
	require.NoError(t, rs.Srv.Close()) // ends stalls, so every fault is in the log

	fig := classify(t, files, jobs, hist, fc.failMsg)
	if fc.hits != nil {
		fig.hits = fc.hits(rs)
	} else {
		fig.hits = rs.LogLines(`"/api/v0/add"`, "[fault: ")
	}
	assert.Zero(t, fig.lost, "lost files")
	assert.Zero(t, fig.wrong, "wrong successes")
	assert.Positive(t, fig.hits, "the fault fired")
	if fc.failMsg == "" {
		assert.Equal(t, fig.sent, fig.done, "every file recovers from this fault")
	} else {
		assert.Equal(t, fig.sent, fig.done+fig.failed)
		assert.Equal(t, fig.hits, fig.failed, "exactly the files the fault hit fail")
	}
	return fig
}

// classify checks every file against its job and the history.
func classify(t *testing.T, files []string, jobs []worker.Job, hist []storage.HistoryEntry, failMsg string) faultFigures {
	t.Helper()
	fig := faultFigures{sent: len(files)}
	jobByPath := map[string]worker.Job{}
	for _, j := range jobs {
		jobByPath[j.LocalPath] = j
	}
	histByPath := map[string][]storage.HistoryEntry{}
	for _, h := range hist {
		histByPath[h.LocalPath] = append(histByPath[h.LocalPath], h)
	}
	for _, f := range files {
		want := testutil.CIDOf(t, f)
		j, ok := jobByPath[f]
		hs := histByPath[f]
		for _, h := range hs {
			if h.Hash != want || !h.Verified {
				t.Errorf("%s: history holds hash %s (verified %v), the file's CID is %s", f, h.Hash, h.Verified, want)
				fig.wrong++
			}
		}
		switch {
		case !ok:
			t.Errorf("%s: no job", f)
			fig.lost++
		case j.State == storage.JobDone:
			switch {
			case j.Hash != want || !j.Verified:
				t.Errorf("%s: done with hash %s (verified %v), the file's CID is %s", f, j.Hash, j.Verified, want)
				fig.wrong++
			case len(hs) != 1:
				t.Errorf("%s: done but %d history entries", f, len(hs))
				fig.lost++
			default:
				fig.done++
			}
		case j.State == storage.JobFailed:
			fig.msg = cmp.Or(fig.msg, j.Err)
			if len(hs) > 0 {
				t.Errorf("%s: failed but in the history", f)
				fig.wrong++
			}
			if failMsg != "" && strings.Contains(j.Err, failMsg) || failMsg == "" && j.Err != "" {
				fig.failed++
				if failMsg == "" {
					t.Errorf("%s: failed (%s) where it should have recovered", f, j.Err)
				}
			} else {
				t.Errorf("%s: failed with %q, want a message with %q", f, j.Err, failMsg)
				fig.lost++
			}
		default:
			t.Errorf("%s: left in state %s (%s)", f, j.State, j.Err)
			fig.lost++
		}
	}
	return fig
}

// expiringTokens hands out, first, a token the server expires about 2 s
// after it was issued while the client cannot tell (its exp is hidden, as
// with a server whose clock runs ahead), then — once the server refused it
// and the queue asked for a fresh one — tokens minted from the API key.
func expiringTokens(t *testing.T, c *api.Client, rs *testutil.Sandbox) worker.TokenSource {
	tok, err := c.TokenFromAPIKey(context.Background(), rs.Key, time.Now().Add(2*time.Second))
	require.NoError(t, err)
	require.False(t, tok.ExpiresAt.IsZero())
	return &shortTokens{first: api.Token{Raw: tok.Raw, Subject: tok.Subject}, next: worker.NewAPIKeyTokens(c, rs.Key, 0)}
}

type shortTokens struct {
	mu      sync.Mutex
	first   api.Token
	refused bool
	next    worker.TokenSource
}

func (s *shortTokens) Token(ctx context.Context, force bool) (api.Token, error) {
	s.mu.Lock()
	if force {
		s.refused = true
	}
	use := !s.refused
	s.mu.Unlock()
	if use {
		return s.first, nil
	}
	return s.next.Token(ctx, force)
}

// runCLIFaultCase runs the real commands end to end: `dstor-uploader
// sandbox --fault …` and `dstor-uploader upload --json`, with the CLI's
// default timeouts and backoff.
func runCLIFaultCase(t *testing.T, sec *relSection) faultFigures {
	spec := "503:every=2:retry-after=1s:path=add"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr testutil.LockedBuffer
	exit := make(chan int, 1)
	key := strings.Repeat("Rel0", 16)
	go func() {
		code := cli.Run(ctx, []string{"sandbox", "--listen", "127.0.0.1:0", "--api-key", key, "--data", t.TempDir(), "--fault", spec},
			cli.IO{Out: outW, Err: &stderr})
		outW.Close()
		exit <- code
	}()
	sc := bufio.NewScanner(outR)
	base := ""
	for base == "" && sc.Scan() {
		base, _ = strings.CutPrefix(sc.Text(), "API base: ")
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	require.NotEmpty(t, base, stderr.String())
	defer func() {
		cancel()
		assert.Equal(t, 0, <-exit)
	}()

	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(cli.APIKeyEnv, key)
	n := 4
	if relFull {
		n = 12
	}
	sizes := make([]int, n)
	for i := range sizes {
		sizes[i] = 1000 + i*70_000
	}
	sizes[n-1] = 1<<20 + 4096
	files := testutil.WriteFiles(t, filepath.Join(t.TempDir(), "cli"), "c", sizes)
	var code int
	var out, errOut string
	withDeadline(t, 2*time.Minute, "dstor-uploader upload", func() {
		code, out, errOut = runCLI(t, "", append([]string{"upload", "--env", base, "--json", "--concurrency", "3"}, files...)...)
	})
	assert.Equal(t, 0, code, errOut)
	fig := faultFigures{sent: n}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec struct {
			Path, State, Hash, Error string
			Verified                 bool
			Attempts                 int
		}
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		fig.hits += rec.Attempts - 1
		switch {
		case rec.State == "done" && rec.Verified && rec.Hash == testutil.CIDOf(t, rec.Path) && !seen[rec.Path]:
			fig.done++
			seen[rec.Path] = true
		case rec.State == "failed" && rec.Error != "":
			fig.failed++
			fig.msg = cmp.Or(fig.msg, rec.Error)
		default:
			fig.wrong++
		}
	}
	recs := historyJSON(t)
	assert.Len(t, recs, fig.done, "history holds the verified files once")
	fig.lost = n - fig.done - fig.failed - fig.wrong
	assert.Zero(t, fig.lost)
	assert.Zero(t, fig.wrong)
	assert.Equal(t, n, fig.done)
	assert.Equal(t, n-1, fig.hits, "every other upload request failed once and was retried")
	assert.Equal(t, fig.hits, strings.Count(stderr.String(), "[fault: "), "the sandbox logged each fault")
	sec.add("CLI `upload` against `dstor-uploader sandbox --fault`", "`"+spec+"`", fmt.Sprintf("%d + 1", n-1),
		fig.hits, fig.done, fig.failed, failedWith(fig.msg), fig.lost, fig.wrong)
	return fig
}

// failedWith is the table's message cell: the first failure seen, or a
// dash when every file was uploaded.
func failedWith(msg string) string {
	if msg == "" {
		return "—"
	}
	return seen(msg, "", "")
}

func multiChunkText() string {
	return fmt.Sprintf("%d bytes (%d chunks)", multiChunkSize, (multiChunkSize+api.ChunkSize-1)/api.ChunkSize)
}
