package reliability

// The "Trust" part of the suite: a link only for what was
// verified, no server text reaching a terminal raw, nothing outside what
// was chosen, no torn copies, every result reported exactly once, time
// taken from the server, and the smaller cases. A server cannot be made to
// lie by the sandbox, so those cases put a rewriting front on 127.0.0.1 in
// front of it; files are changed on disk for real; interrupts hit real
// child processes.

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/ipfs/go-cid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/cli"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// trustCase is one case: what is tried and what must come of it; run
// returns what was seen and whether it is what must come.
type trustCase struct {
	name, tried, want string
	run               func(t *testing.T) (seen string, ok bool)
}

func relTrust(t *testing.T, rep *relReport) {
	sec := rep.section("Trust",
		"The trust cases, each tried through the command line (in-process, or as a child process where it is interrupted or "+
			"measured) against the sandbox on 127.0.0.1; where the sandbox cannot misbehave that way, a front on 127.0.0.1 "+
			"rewrites its answers. Files are changed on disk for real.",
		"#", "case", "tried", "expected", "seen", "as expected")
	rounds, files, historyEntries, windowFiles := 3, 90, 10_000, 2_000
	if relFull {
		rounds, files, historyEntries, windowFiles = 12, 600, 100_000, 20_000
	}
	cases := []trustCase{
		unverifiableCase(), cidV1Case(), serverTextCase(), symlinkSwapCase(), tornCopyCase(),
		interruptCase(rounds, files), clockCase(-2 * time.Hour), clockCase(2 * time.Hour), shortTokensCase(),
		deletedFileCase(), retryAfterCase(), diskFullCase(), corruptDBCase(), lockedDBCase(), secretPartsCase(),
		invalidUTF8Case(), historyMemoryCase(historyEntries), duplicatePathsCase(), namedPipeCase(),
		killedThenAddedAgainCase(rounds+1, files),
	}
	cases = append(cases, windowCases(windowFiles)...)
	for i, c := range cases {
		var seen string
		var ok, ran bool
		t.Run(c.name, func(t *testing.T) {
			ran = true
			t.Setenv(storage.HomeEnv, t.TempDir())
			seen, ok = c.run(t)
			assert.True(t, ok, "%s: %s", c.name, seen)
		})
		if ran {
			sec.add(i+1, c.name, c.tried, "“"+c.want+"”", seen, yesNo(ok))
		}
	}
}

// front is an http.Handler in front of the sandbox that lets a case
// rewrite the sandbox's answers to the upload path.
type front struct {
	sb      *testutil.Sandbox
	rewrite func(status int, body []byte) (int, []byte)
	token   atomic.Value // the bearer token of the last upload
	adds    atomic.Int64 // upload requests that have reached the front
	serving atomic.Int64 // upload requests the sandbox is still serving
	// conns are the front's open connections (not closed or hijacked),
	// each with the number of the child run it was made during (child;
	// 0 for none: an in-process run's, whose idle keep-alive connections
	// stay open). A killed child's request can still be in one of its
	// connections, its bytes in the socket, not yet read, even while the
	// connection looks idle: it is served before the connection closes.
	mu       sync.Mutex
	conns    map[net.Conn]int
	child    int // the child run under way, numbered from 1; 0 for none
	children int // child runs so far
}

// noteConn keeps f.conns as the server's connections open and close.
// The server notes a new connection in its accepting loop, in the order
// accepted (net/http's Serve), before it serves any.
func (f *front) noteConn(c net.Conn, s http.ConnState) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns == nil {
		f.conns = map[net.Conn]int{}
	}
	switch s {
	case http.StateNew:
		f.conns[c] = f.child
	case http.StateClosed, http.StateHijacked:
		delete(f.conns, c)
	}
}

// childStarts numbers the connections made from now on as a child run's,
// until childServed, and returns its number.
func (f *front) childStarts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.children++
	f.child = f.children
	return f.child
}

// childServed waits until the sandbox has served everything child run n,
// killed, sent: no upload is being served and every connection made during
// the run is closed (a killed process's sockets are closed by the system;
// the server reads what is left in one, serves it, then reads its end). A
// request made on a new connection first (barrier) is answered only once
// the server has accepted every connection made before it, so none of the
// child's is still waiting to be accepted, unseen. It reports whether that
// came before the deadline.
func (f *front) childServed(t *testing.T, url string, n int, deadline time.Time) bool {
	t.Helper()
	barrier := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := barrier.Get(url + "/barrier")
	require.NoError(t, err)
	_ = resp.Body.Close()
	f.mu.Lock()
	f.child = 0
	f.mu.Unlock()
	for time.Now().Before(deadline) {
		if f.quietOf(n) {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return false
}

// quietOf reports whether no upload is being served and no connection of
// child run n is open.
func (f *front) quietOf(n int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.serving.Load() != 0 {
		return false
	}
	for _, c := range f.conns {
		if c == n {
			return false
		}
	}
	return true
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/api/v0/add" {
		f.adds.Add(1)
		f.serving.Add(1)
		defer f.serving.Add(-1)
		f.token.Store(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}
	if r.URL.Path != "/api/v0/add" || f.rewrite == nil {
		f.sb.Srv.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.sb.Srv.ServeHTTP(rec, r)
	status, body := f.rewrite(rec.Code, rec.Body.Bytes())
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// startFront starts a sandbox with cfg and a front for it on 127.0.0.1;
// the API key is set for the command line.
func startFront(t *testing.T, cfg sandbox.Config) (*front, string) {
	t.Helper()
	f := &front{sb: keyedSandbox(t, cfg)}
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ConnState = f.noteConn
	srv.Start()
	t.Cleanup(srv.Close)
	return f, srv.URL
}

// keyedSandbox starts a sandbox with cfg and sets its API key for the
// command line.
func keyedSandbox(t *testing.T, cfg sandbox.Config) *testutil.Sandbox {
	t.Helper()
	sb := testutil.StartSandbox(t, cfg)
	t.Setenv(cli.APIKeyEnv, sb.Key)
	return sb
}

// heldUpload is `upload --json` run in the background against a sandbox
// behind a hold: the hold lets the first uploads through and holds the
// next one until released, so a test can change files mid-run.
type heldUpload struct {
	sb   *testutil.Sandbox
	hold *testutil.UploadHold
	url  string         // the hold's address, for --env
	done chan [2]string // the run's stdout and stderr, once it ends
}

// newHeldUpload starts a sandbox (its API key set for the command line)
// behind a hold that lets pass uploads through and holds the next.
func newHeldUpload(t *testing.T, pass int) *heldUpload {
	t.Helper()
	sb := keyedSandbox(t, sandbox.Config{})
	hold := testutil.NewUploadHold(sb.Srv, pass)
	srv := httptest.NewServer(hold)
	t.Cleanup(srv.Close)
	return &heldUpload{sb: sb, hold: hold, url: srv.URL, done: make(chan [2]string, 1)}
}

// start arms the hold and runs `upload --env <hold> --json args…` in the
// background; it reports whether the held upload began within a minute
// (if not, the hold lets the run go on).
func (h *heldUpload) start(t *testing.T, args ...string) bool {
	h.hold.Arm()
	go func() {
		_, out, errOut := runCLI(t, "", append([]string{"upload", "--env", h.url, "--json"}, args...)...)
		h.done <- [2]string{out, errOut}
	}()
	select {
	case <-h.hold.Started():
		return true
	case <-time.After(time.Minute):
		h.hold.Release()
		return false
	}
}

// finish lets the held upload go on and returns the run's stdout and
// stderr once it ends.
func (h *heldUpload) finish() (out, errOut string) {
	h.hold.Release()
	r := <-h.done
	return r[0], r[1]
}

// rewriteField returns a front rewrite that replaces field of a
// successful answer with what to gives its real value.
func rewriteField(field string, to func(real string) string) func(int, []byte) (int, []byte) {
	return func(status int, body []byte) (int, []byte) {
		var ans map[string]any
		if status != http.StatusOK || json.Unmarshal(body, &ans) != nil {
			return status, body
		}
		real, _ := ans[field].(string)
		ans[field] = to(real)
		b, _ := json.Marshal(ans)
		return status, b
	}
}

// resultLines decodes the --json lines of an upload or resume.
type resultLine struct {
	Name, Path, State, Hash, Link, Error string
	Verified                             bool
	Attempts                             int
}

func resultLines(out string) []resultLine {
	var lines []resultLine
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l resultLine
		if json.Unmarshal(sc.Bytes(), &l) == nil && l.State != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// inertOutput reports output a terminal cannot act on: no control
// character but the newline, no DEL, no C1 control, no formatting
// (bidirectional) character, valid UTF-8.
func inertOutput(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == unicode.ReplacementChar)
	}) < 0
}

func unverifiableCase() trustCase {
	return trustCase{
		name:  "unverifiable answer (opaque id, lower-cased qm…, CIDv1 of other content, an escape sequence)",
		tried: "upload of 4 files through a front that rewrites each Hash",
		want:  "failed: dStor answered a hash that cannot be checked; exit 1; no link; history empty",
		run: func(t *testing.T) (string, bool) {
			f, url := startFront(t, sandbox.Config{})
			answers := []string{"not-a-cid-at-all", "", "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy", "../../x?y=\x1b[31mRED"}
			var n atomic.Int32
			f.rewrite = rewriteField("Hash", func(real string) string {
				a := answers[int(n.Add(1)-1)%len(answers)]
				if a == "" {
					return strings.ToLower(real)
				}
				return a
			})
			dir := t.TempDir()
			testutil.WriteFiles(t, dir, "u", []int{100, 200, 300, 400})
			code, out, errOut := runCLI(t, "", "upload", "--env", url, "--json", "--concurrency", "1", dir)
			lines := resultLines(out)
			failed := 0
			for _, l := range lines {
				if l.State == "failed" && strings.Contains(l.Error, "cannot be checked") && l.Link == "" && !l.Verified {
					failed++
				}
			}
			hist := historyJSON(t)
			seen := fmt.Sprintf("%d/4 failed with the sentence, exit %d, %d history entries, output inert: %s",
				failed, code, len(hist), yn(inertOutput(out+errOut)))
			return seen, failed == 4 && code == 1 && len(hist) == 0 && inertOutput(out+errOut)
		},
	}
}

func cidV1Case() trustCase {
	return trustCase{
		name:  "CIDv1 (dag-pb, sha2-256) of the same content",
		tried: "upload through a front that answers the CIDv1 of the CID",
		want:  "done, verified, link with the CIDv1 as answered",
		run: func(t *testing.T) (string, bool) {
			f, url := startFront(t, sandbox.Config{})
			f.rewrite = rewriteField("Hash", func(real string) string {
				c, err := cid.Decode(real)
				if err != nil {
					return real
				}
				return cid.NewCidV1(cid.DagProtobuf, c.Hash()).String()
			})
			p := filepath.Join(t.TempDir(), "v1.txt")
			testutil.WriteFile(t, p, 5000)
			code, out, _ := runCLI(t, "", "upload", "--env", url, "--json", p)
			lines := resultLines(out)
			c, _ := cid.Decode(testutil.CIDOf(t, p))
			want := cid.NewCidV1(cid.DagProtobuf, c.Hash()).String()
			ok := code == 0 && len(lines) == 1 && lines[0].State == "done" && lines[0].Verified && lines[0].Hash == want && strings.Contains(lines[0].Link, want)
			if len(lines) != 1 {
				return fmt.Sprintf("exit %d, %d result lines", code, len(lines)), false
			}
			return fmt.Sprintf("exit %d, %s, verified: %s, hash is the CIDv1 as answered: %s, link with it: %s", code, lines[0].State,
				yn(lines[0].Verified), yn(lines[0].Hash == want), yn(strings.Contains(lines[0].Link, want))), ok
		},
	}
}

func serverTextCase() trustCase {
	const hostile = "x\x1b]0;pwned\a\x1b[2J\r\nInfo: fake line\u202egpj.exe\u009b31m\x7f"
	return trustCase{
		name:  "server text with ESC, BEL, OSC title, CR/LF, bidi override, C1, DEL (Name, and an error body)",
		tried: "upload, history, history --csv, history --json through a front that rewrites Name and fails one upload with the text",
		want:  "no control byte in any output; history keeps the local name, the server's kept apart",
		run: func(t *testing.T) (string, bool) {
			f, url := startFront(t, sandbox.Config{})
			var n atomic.Int32
			rename := rewriteField("Name", func(string) string { return hostile })
			f.rewrite = func(status int, body []byte) (int, []byte) {
				if n.Add(1) == 2 {
					b, _ := json.Marshal(map[string]string{"message": hostile})
					return http.StatusBadRequest, b
				}
				return rename(status, body)
			}
			dir := t.TempDir()
			testutil.WriteFiles(t, dir, "s", []int{100, 200})
			var all strings.Builder
			for _, args := range [][]string{
				{"upload", "--env", url, "--concurrency", "1", dir},
				{"history"}, {"history", "--csv"}, {"history", "--json"},
			} {
				_, out, errOut := runCLI(t, "", args...)
				all.WriteString(out + errOut)
			}
			hist := historyJSON(t)
			local := len(hist) == 1 && strings.HasPrefix(hist[0].Name, "s-")
			apart := strings.Contains(all.String(), "dStor named it") && strings.Contains(all.String(), "server_name")
			return fmt.Sprintf("output inert: %s; local name kept: %s; server name shown apart: %s",
				yn(inertOutput(all.String())), yn(local), yn(apart)), inertOutput(all.String()) && local && apart
		},
	}
}

func symlinkSwapCase() trustCase {
	return trustCase{
		name:  "queued file swapped for a symbolic link to a private file outside the folder, and one for another file",
		tried: "upload of a 20-file folder, one upload at a time; f14 and f15 swapped once the first upload is in",
		want:  "f14 and f15 skipped with the reason; the private bytes never reach the server",
		run: func(t *testing.T) (string, bool) {
			h := newHeldUpload(t, 1)
			secret := filepath.Join(t.TempDir(), "shadow")
			require.NoError(t, os.WriteFile(secret, []byte("root:$6$private-hash:19000:0:99999:7:::"), 0o600))
			dir := filepath.Join(t.TempDir(), "folder")
			files := testutil.WriteFiles(t, dir, "f", testutil.Sizes(20, func(i int) int { return 300 + i }))
			if !h.start(t, "--concurrency", "1", dir) {
				return "the upload never started", false
			}
			require.NoError(t, os.Remove(files[14]))
			require.NoError(t, os.Symlink(secret, files[14]))
			other := filepath.Join(filepath.Dir(dir), "other")
			require.NoError(t, os.WriteFile(other, []byte("a file that was not listed"), 0o644))
			require.NoError(t, os.Rename(other, files[15]))
			out, errOut := h.finish()
			out += errOut
			leaked := 0
			for _, u := range h.sb.Srv.Uploads(h.sb.Acc.ID) {
				if u.Hash == testutil.CIDOf(t, secret) || u.Hash == testutil.CIDOf(t, files[15]) {
					leaked++
				}
			}
			skipped := 0
			for _, l := range resultLines(out) {
				if l.State == "skipped" && (l.Path == files[14] || l.Path == files[15]) && strings.Contains(l.Error, "not uploaded") {
					skipped++
				}
			}
			return fmt.Sprintf("%d/2 skipped with the reason; %d swapped file(s) reached the server", skipped, leaked), skipped == 2 && leaked == 0
		},
	}
}

func tornCopyCase() trustCase {
	return trustCase{
		name:  "20 MB file rewritten in place during its upload, modification time put back (touch -r)",
		tried: "upload held after its first bytes; the file rewritten and its mtime restored; then let go",
		want:  "the torn attempt is thrown away; history holds the new content's CID (one consistent version)",
		run: func(t *testing.T) (string, bool) {
			h := newHeldUpload(t, 0)
			p := filepath.Join(t.TempDir(), "video.bin")
			testutil.WriteFile(t, p, 20<<20)
			oldCID := testutil.CIDOf(t, p)
			st, err := os.Stat(p)
			require.NoError(t, err)
			if !h.start(t, p) {
				return "the upload never started", false
			}
			time.Sleep(20 * time.Millisecond) // past the clock tick, so the change time moves
			w, err := os.OpenFile(p, os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = io.Copy(w, testutil.NewContent("rewritten", 20<<20))
			require.NoError(t, err)
			require.NoError(t, w.Close())
			require.NoError(t, os.Chtimes(p, st.ModTime(), st.ModTime()))
			out, _ := h.finish()
			newCID := testutil.CIDOf(t, p)
			hist := historyJSON(t)
			lines := resultLines(out)
			ok := len(hist) == 1 && hist[0].Hash == newCID && len(lines) == 1 && lines[0].Attempts == 2
			attempts := 0
			if len(lines) == 1 {
				attempts = lines[0].Attempts
			}
			seen := fmt.Sprintf("history: %d entry; its CID is the new content's: %s, the old one's: %s; %d attempts",
				len(hist), yn(len(hist) == 1 && hist[0].Hash == newCID), yn(len(hist) == 1 && hist[0].Hash == oldCID), attempts)
			return seen, ok
		},
	}
}

// finishedSummary finds "Uploaded N file(s)" in stderr: the summary of a
// run, interrupted ("Interrupted: Uploaded N file(s)") or not (the run
// finished its last uploads before the interrupt reached it).
var finishedSummary = regexp.MustCompile(`Uploaded (\d+) file\(s\)`)

func interruptCase(rounds, n int) trustCase {
	return trustCase{
		name:  "Ctrl+C at many points of a run",
		tried: fmt.Sprintf("%d rounds: `upload --json` of %d files as a child process, SIGINT after a different number of uploads each round, then `resume --json`", rounds, n),
		want:  "every file printed exactly once by upload or resume; the summaries' counts equal the lines printed",
		run: func(t *testing.T) (string, bool) {
			f, url := startFront(t, sandbox.Config{})
			sb := f.sb
			sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Count: -1, Delay: 15 * time.Millisecond})
			rng := testRand(t, 9)
			good, printedTwice, missing, countsOff := 0, 0, 0, 0
			var points []string
			for round := range rounds {
				t.Setenv(storage.HomeEnv, t.TempDir())
				dir := filepath.Join(t.TempDir(), fmt.Sprintf("round-%02d", round))
				files := testutil.WriteFiles(t, dir, fmt.Sprintf("i%02d", round), testutil.Sizes(n, func(int) int { return 200 + rng.IntN(800) }))
				before, addsBefore := sb.Uploads(), f.adds.Load()
				cmd := testutil.ChildCommand("upload", "--env", url, "--json", "--concurrency", "3", dir)
				var out, errOut bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errOut
				testutil.StartInterruptible(t, cmd) // it takes Ctrl+C, however this test was started
				target := (round*n)/rounds + rng.IntN(max(n/rounds, 1))
				deadline := time.Now().Add(time.Minute)
				// The signal waits for the child's first upload request, even
				// at point 0: before that, the child may not have stored its
				// queue yet (or installed its handler), and a Ctrl+C then
				// rightly leaves nothing to resume.
				for (f.adds.Load() == addsBefore || sb.Uploads()-before < target) && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				points = append(points, strconv.Itoa(sb.Uploads()-before))
				require.NoError(t, cmd.Process.Signal(os.Interrupt))
				_ = cmd.Wait()
				_, rout, rerr := runCLI(t, "", "resume", "--env", url, "--json")

				printed := map[string]int{}
				first, second := resultLines(out.String()), resultLines(rout)
				for _, l := range append(first, second...) {
					if l.State == "done" {
						printed[l.Path]++
					}
				}
				roundOK := true
				for _, f := range files {
					switch printed[f] {
					case 1:
					case 0:
						missing++
						roundOK = false
					default:
						printedTwice++
						roundOK = false
					}
				}
				if !summaryMatches(finishedSummary, errOut.String(), first) || !summaryMatches(finishedSummary, rerr, second) {
					countsOff++
					roundOK = false
					t.Logf("round %d: summaries %q / %q", round, lastLine(errOut.String()), lastLine(rerr))
				}
				if roundOK {
					good++
				}
			}
			seen := fmt.Sprintf("%d/%d rounds exact (interrupted after %s uploads); %d printed twice, %d never printed, %d summaries off",
				good, rounds, strings.Join(points, ", "), printedTwice, missing, countsOff)
			return seen, good == rounds
		},
	}
}

// summaryMatches reports whether the count in the summary re finds in
// stderr equals the done lines printed (a run that stopped before the
// queue ran prints no summary, and must then have printed nothing).
func summaryMatches(re *regexp.Regexp, stderr string, lines []resultLine) bool {
	done := 0
	for _, l := range lines {
		if l.State == "done" {
			done++
		}
	}
	m := re.FindStringSubmatch(stderr)
	if m == nil {
		return done == 0
	}
	n, _ := strconv.Atoi(m[1])
	return n == done
}

// yn is "yes" or "no" for a figure in the table (yesNo marks a failed
// expectation; a "no" here may be what is expected).
func yn(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func clockCase(skew time.Duration) trustCase {
	way := "ahead of"
	if skew > 0 {
		way = "behind"
	}
	return trustCase{
		name:  fmt.Sprintf("this computer's clock two hours %s dStor's", way),
		tried: "login with email and password (1-hour tokens), upload; then an upload with DSTOR_API_KEY",
		want:  "both uploads done; no \"sign in again\", no token request per file",
		run: func(t *testing.T) (string, bool) {
			sb := testutil.StartSandbox(t, sandbox.Config{
				Now:              func() time.Time { return time.Now().Add(skew) },
				MaxTokenLifetime: time.Hour,
			})
			if !testutil.KeyringAvailable() {
				t.Setenv(cli.APIKeyEnv, sb.Key)
			}
			dir := t.TempDir()
			testutil.WriteFiles(t, dir, "c", []int{100, 200, 300})
			var codes []int
			var outs strings.Builder
			if testutil.KeyringAvailable() {
				code, _, errOut := runCLI(t, testutil.SandboxPassword+"\n", "login", "--env", sb.URL, "--email", testutil.SandboxEmail, "--password-stdin")
				codes = append(codes, code)
				outs.WriteString(errOut)
				code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
				codes = append(codes, code)
				outs.WriteString(errOut)
				_, _, _ = runCLI(t, "", "logout", "--env", sb.URL)
			}
			t.Setenv(storage.HomeEnv, t.TempDir())
			t.Setenv(cli.APIKeyEnv, sb.Key)
			tokensBefore := sb.LogLines("/v1/dev/temp-token")
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
			codes = append(codes, code)
			outs.WriteString(errOut)
			tokens := sb.LogLines("/v1/dev/temp-token") - tokensBefore
			allZero := true
			for _, c := range codes {
				allZero = allZero && c == 0
			}
			noLoop := !strings.Contains(outs.String(), "sign in again") && !strings.Contains(outs.String(), "expired")
			seen := fmt.Sprintf("exit codes %v; token requests for 3 files with the key: %d; \"sign in again\" or \"expired\" said: %s",
				codes, tokens, yn(!noLoop))
			return seen, allZero && noLoop && tokens <= 2
		},
	}
}

func shortTokensCase() trustCase {
	return trustCase{
		name:  "a server that issues 50-second tokens",
		tried: "upload of 30 files with DSTOR_API_KEY",
		want:  "one token request for the queue (besides sign-in)",
		run: func(t *testing.T) (string, bool) {
			sb := keyedSandbox(t, sandbox.Config{MaxTokenLifetime: 50 * time.Second})
			dir := t.TempDir()
			testutil.WriteFiles(t, dir, "t", testutil.Sizes(30, func(i int) int { return 100 + i }))
			before := sb.LogLines("/v1/dev/temp-token")
			code, _, _ := runCLI(t, "", "upload", "--env", sb.URL, dir)
			tokens := sb.LogLines("/v1/dev/temp-token") - before
			return fmt.Sprintf("exit %d; %d token request(s) for 30 files", code, tokens), code == 0 && tokens == 1
		},
	}
}

func deletedFileCase() trustCase {
	return trustCase{
		name:  "a queued file deleted before its turn",
		tried: "upload of a 5-file folder held at its first upload; one file deleted meanwhile",
		want:  "that file is skipped at once (1 attempt) as no longer in its folder: no retry could send it",
		run: func(t *testing.T) (string, bool) {
			h := newHeldUpload(t, 0)
			dir := t.TempDir()
			files := testutil.WriteFiles(t, dir, "d", []int{100, 200, 300, 400, 500})
			if !h.start(t, "--concurrency", "1", dir) {
				return "the upload never started", false
			}
			require.NoError(t, os.Remove(files[4]))
			out, _ := h.finish()
			for _, l := range resultLines(out) {
				if l.Path == files[4] {
					return fmt.Sprintf("%s after %d attempt(s): …%s", l.State, l.Attempts, l.Error[strings.LastIndexByte(l.Error, '"')+1:]),
						l.State == "skipped" && l.Attempts == 1 && strings.Contains(l.Error, "no longer in its folder")
				}
			}
			return "no result for the deleted file", false
		},
	}
}

func retryAfterCase() trustCase {
	return trustCase{
		name:  "429 with Retry-After: 86400, output not a terminal",
		tried: "`upload` as a child process, stderr to a pipe",
		want:  "\"Waiting: …trying again at HH:MM:SS\" printed within seconds",
		run: func(t *testing.T) (string, bool) {
			sb := keyedSandbox(t, sandbox.Config{})
			sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: http.StatusTooManyRequests, RetryAfter: 24 * time.Hour, Count: 1})
			p := filepath.Join(t.TempDir(), "busy.txt")
			testutil.WriteFile(t, p, 100)
			cmd := testutil.ChildCommand("upload", "--env", sb.URL, p)
			var errOut testutil.LockedBuffer
			cmd.Stderr = &errOut
			testutil.StartInterruptible(t, cmd) // it takes Ctrl+C, however this test was started
			began := time.Now()
			announced := false
			for time.Since(began) < 30*time.Second && !announced {
				announced = strings.Contains(errOut.String(), "trying again at")
				time.Sleep(20 * time.Millisecond)
			}
			took := time.Since(began)
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
			line := ""
			for _, l := range strings.Split(errOut.String(), "\n") {
				if strings.HasPrefix(l, "Waiting:") {
					line = l
				}
			}
			return fmt.Sprintf("after %s: %s", took.Round(100*time.Millisecond), line), announced
		},
	}
}

func diskFullCase() trustCase {
	return trustCase{
		name:  "the data folder's disk full at start, then full in the middle of a 60-file run",
		tried: "a 16 MB tmpfs: filled before `upload`; then `upload` as a child process, the disk kept full from the 10th upload until the pause is announced",
		want:  "the disk and the space to free named; the run pauses, goes on, exits 0, and no file is sent twice",
		run: func(t *testing.T) (string, bool) {
			// Room for SQLite's log to reach its checkpoint size (4 MB).
			disk := testfs.SmallDisk(t, 16<<20)
			home := filepath.Join(disk, "home")
			t.Setenv(storage.HomeEnv, home)
			sb := keyedSandbox(t, sandbox.Config{})
			dir := t.TempDir()
			files := testutil.WriteFiles(t, dir, "full", testutil.Sizes(60, func(i int) int { return 2000 + i }))

			free := testfs.FillDisk(t, disk)
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, files[0])
			startMsg := strings.Contains(errOut, "the disk holding "+home+" is full") && strings.Contains(errOut, "free at least")
			free()

			cmd := testutil.ChildCommand("upload", "--env", sb.URL, "--concurrency", "3", dir)
			var childErr testutil.LockedBuffer
			cmd.Stderr = &childErr
			require.NoError(t, cmd.Start())
			for deadline := time.Now().Add(time.Minute); sb.Uploads() < 10 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			free = testfs.KeepDiskFull(t, disk)
			paused := false
			for start := time.Now(); time.Since(start) < time.Minute && !paused; time.Sleep(10 * time.Millisecond) {
				paused = strings.Contains(childErr.String(), "Paused: the disk holding")
			}
			free()
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var err error
			select {
			case err = <-exited:
			case <-time.After(90 * time.Second):
				_ = cmd.Process.Signal(syscall.SIGQUIT) // Go's goroutine dump, for the log
				err = fmt.Errorf("hung, stopped with SIGQUIT: %v", <-exited)
			}
			t.Logf("the run's stderr: %s", childErr.String())
			counts := map[string]int{}
			for _, u := range sb.Srv.Uploads(sb.Acc.ID) {
				counts[u.Hash]++
			}
			twice := 0
			for _, f := range files[1:] {
				if counts[testutil.CIDOf(t, f)] > 1 {
					twice++
				}
			}
			seen := fmt.Sprintf("at start: exit %d, disk named: %s; mid-run: pause announced: %s, exit %v, files sent twice: %d",
				code, yn(startMsg), yn(paused), err, twice)
			return seen, code != 0 && startMsg && paused && err == nil && twice == 0
		},
	}
}

func corruptDBCase() trustCase {
	return trustCase{
		name:  "a damaged database file",
		tried: "`history` with garbage in place of the database",
		want:  "the file named, what to do; the file left as it was",
		run: func(t *testing.T) (string, bool) {
			home := os.Getenv(storage.HomeEnv)
			path := filepath.Join(home, storage.DBFileName)
			garbage := bytes.Repeat([]byte("not SQLite at all "), 2000)
			require.NoError(t, os.WriteFile(path, garbage, 0o600))
			code, _, errOut := runCLI(t, "", "history")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			untouched := bytes.Equal(after, garbage)
			named := strings.Contains(errOut, path+" is damaged") && strings.Contains(errOut, "move the file aside")
			return fmt.Sprintf("exit %d; named with what to do: %s; file untouched: %s", code, yn(named), yn(untouched)),
				code != 0 && named && untouched
		},
	}
}

func lockedDBCase() trustCase {
	return trustCase{
		name:  "the database locked by another program",
		tried: "another connection holds a write transaction; `upload` runs",
		want:  "\"another program is using the upload history …\", not SQLite's \"database is locked\"",
		run: func(t *testing.T) (string, bool) {
			sb := keyedSandbox(t, sandbox.Config{})
			other := openRawDB(t)
			defer other.Close()
			tx, err := other.Begin()
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			_, err = tx.Exec(`INSERT INTO settings (key, value) VALUES ('held', 'x')`)
			require.NoError(t, err)
			p := filepath.Join(t.TempDir(), "f.txt")
			testutil.WriteFile(t, p, 10)
			began := time.Now()
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, p)
			took := time.Since(began)
			said := strings.Contains(errOut, "another program is using the upload history") &&
				!strings.Contains(errOut, "database is locked")
			// How long it took is shown, not bounded: that Open names the
			// lock after its short wait, not after the busy timeout, is
			// storage's TestDatabaseLockedByAnotherProgram (that timeout
			// an hour there); a bound of a few seconds here measured the
			// machine's load (2 s right, a 3 s limit).
			return fmt.Sprintf("exit %d after %s; said so: %s", code, took.Round(100*time.Millisecond), yn(said)),
				code != 0 && said
		},
	}
}

func secretPartsCase() trustCase {
	return trustCase{
		name:  "a server echoing part of the token and the API key in base64",
		tried: "`upload` through a front that refuses uploads with a message holding the token's last 40 characters and base64 of the key",
		want:  "neither reaches the output",
		run: func(t *testing.T) (string, bool) {
			f, url := startFront(t, sandbox.Config{})
			tail := func() string {
				tok, _ := f.token.Load().(string)
				return tok[max(0, len(tok)-40):]
			}
			keyB64 := base64.StdEncoding.EncodeToString([]byte(f.sb.Key))
			f.rewrite = func(int, []byte) (int, []byte) {
				b, _ := json.Marshal(map[string]string{"message": "token …" + tail() + " refused; key " + keyB64 + " unknown"})
				return http.StatusBadRequest, b
			}
			p := filepath.Join(t.TempDir(), "f.txt")
			testutil.WriteFile(t, p, 10)
			_, out, errOut := runCLI(t, "", "upload", "--env", url, p)
			all := out + errOut
			leaks := 0
			for _, piece := range []string{tail(), keyB64[4:40], f.sb.Key[10:30]} {
				if strings.Contains(all, piece) {
					leaks++
				}
			}
			return fmt.Sprintf("message redacted: %s; pieces found in the output: %d", yn(strings.Contains(all, "***")), leaks),
				tail() != "" && leaks == 0 && strings.Contains(all, "***")
		},
	}
}

func invalidUTF8Case() trustCase {
	return trustCase{
		name:  "names with invalid UTF-8 (\\xff.txt, \\xfe.txt) in a folder named dir\\xff",
		tried: "`upload` of the folder",
		want:  "both uploaded, under distinct, reversible names, in /dir%FF/",
		run: func(t *testing.T) (string, bool) {
			sb := keyedSandbox(t, sandbox.Config{})
			dir := filepath.Join(t.TempDir(), "dir\xff")
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "\xff.txt"), []byte("ff"), 0o644))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "\xfe.txt"), []byte("fe"), 0o644))
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
			var names []string
			for _, u := range sb.Srv.Uploads(sb.Acc.ID) {
				names = append(names, u.FolderPath+u.Name)
			}
			ok := code == 0 && len(names) == 2 && names[0] != names[1] && strings.HasPrefix(names[0], "/dir%FF/") && inertOutput(errOut)
			return fmt.Sprintf("exit %d; stored as %q", code, names), ok
		},
	}
}

// historyMemoryCase: the short suite (go test -race) exports fewer entries,
// the full one 100,000. Constant memory is judged against the same command
// printing one entry: the race detector inflates both alike, while an
// export that held the entries would grow by hundreds of bytes per entry.
// Each line of the export is one entry, checked to be JSON.
func historyMemoryCase(n int) trustCase {
	const maxGrowthMiB = 20
	return trustCase{
		name:  fmt.Sprintf("history --json of %d,%03d entries", n/1000, n%1000),
		tried: "`history --limit 0 --json` as a child process, its output read to the end; then `history --limit 1 --json`",
		want:  fmt.Sprintf("streamed: every entry printed, peak RSS within %d MiB of printing one", maxGrowthMiB),
		run: func(t *testing.T) (string, bool) {
			fillHistory(t, n)
			began := time.Now()
			entries, rss := historyJSONChild(t, "0")
			took := time.Since(began)
			one, rssOne := historyJSONChild(t, "1")
			require.Equal(t, 1, one)
			return fmt.Sprintf("%d entries in %s, peak RSS %d MiB (%d MiB for one entry)",
					entries, took.Round(10*time.Millisecond), rss, rssOne),
				entries == n && rss-rssOne < maxGrowthMiB
		},
	}
}

// fillHistory puts n entries in the history of the suite's data folder.
func fillHistory(t *testing.T, n int) {
	raw := openRawDB(t)
	defer func() { require.NoError(t, raw.Close()) }()
	_, err := raw.Exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		INSERT INTO history (job_id, env, account, local_path, name, size, hash, verified, finished_at, search_text)
		SELECT 'job-' || i, 'production', 'a@example.com', '/home/a/photos/IMG_' || i || '.jpg', 'IMG_' || i || '.jpg',
		       1000 + i, 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o', 1, i, 'img_' || i FROM n`, n)
	require.NoError(t, err)
}

// openRawDB opens the suite's database with SQL alone, past the storage
// package, after storage has created it; the caller closes it.
func openRawDB(t *testing.T) *sql.DB {
	t.Helper()
	home := os.Getenv(storage.HomeEnv)
	d, err := storage.Open(home)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	raw, err := sql.Open("sqlite", filepath.Join(home, storage.DBFileName))
	require.NoError(t, err)
	return raw
}

// historyJSONChild runs `history --limit limit --json` as a child process
// and returns how many entries it printed and its peak RSS in MiB.
func historyJSONChild(t *testing.T, limit string) (entries int, rssMiB int64) {
	cmd := testutil.ChildCommand("history", "--limit", limit, "--json")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := bytes.TrimSuffix(sc.Bytes(), []byte(","))
		if len(line) > 0 && line[0] == '{' && json.Valid(line) {
			entries++
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	require.NoError(t, cmd.Wait())
	return entries, peakRSSMiB(t, cmd.ProcessState)
}

func duplicatePathsCase() trustCase {
	return trustCase{
		name:  "the same path given 4 times on one command line",
		tried: "`upload f ./f f $PWD/f`",
		want:  "one job, one upload",
		run: func(t *testing.T) (string, bool) {
			sb := keyedSandbox(t, sandbox.Config{})
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			testutil.WriteFile(t, p, 100)
			t.Chdir(dir)
			code, out, _ := runCLI(t, "", "upload", "--env", sb.URL, "--json", "f", "./f", "f", p)
			lines := resultLines(out)
			return fmt.Sprintf("exit %d; %d result line(s); %d upload(s)", code, len(lines), sb.Uploads()),
				code == 0 && len(lines) == 1 && sb.Uploads() == 1
		},
	}
}

func namedPipeCase() trustCase {
	return trustCase{
		name:  "a named pipe given directly",
		tried: "`upload fifo`",
		want:  "exit status 1, \"is a named pipe\"",
		run: func(t *testing.T) (string, bool) {
			sb := keyedSandbox(t, sandbox.Config{})
			p := filepath.Join(t.TempDir(), "fifo")
			makeFifo(t, p)
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, p)
			return fmt.Sprintf("exit %d: %s", code, lastLine(errOut)), code == 1 && strings.Contains(errOut, "is a named pipe")
		},
	}
}
