package reliability

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/cli"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// tokenRecorder serves the sandbox and remembers every bearer token the
// CLI sent, so the search knows what the tokens it never printed look like.
type tokenRecorder struct {
	h      http.Handler
	mu     sync.Mutex
	tokens map[string]bool
}

func (tr *tokenRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tr.add(tok)
	}
	if r.URL.Path != "/v1/dev/temp-token" {
		tr.h.ServeHTTP(w, r)
		return
	}
	// Keep every token issued, including those the CLI never sent back.
	rec := httptest.NewRecorder()
	tr.h.ServeHTTP(rec, r)
	var ans struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(rec.Body.Bytes(), &ans) == nil && ans.AccessToken != "" {
		tr.add(ans.AccessToken)
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (tr *tokenRecorder) add(tok string) {
	tr.mu.Lock()
	tr.tokens[tok] = true
	tr.mu.Unlock()
}

func (tr *tokenRecorder) list() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	var out []string
	for k := range tr.tokens {
		out = append(out, k)
	}
	return out
}

// secretSearch is what was searched and what was found.
type secretSearch struct {
	procSnapshots int
	procHits      int
	outputs       bytes.Buffer // every child's stdout and stderr
}

func relSecrets(t *testing.T, rep *relReport) {
	sec := rep.section("Secrets",
		"The CLI signs in with an API key, uploads, signs in with email and password (--remember), uploads again, is "+
			"killed with SIGQUIT mid-upload (Go's crash dump), then signs out — each step a real child process. The "+
			"API key, the password and every token the sandbox received are then searched for, byte for byte.",
		"where", "searched", "hits")
	if !testutil.KeyringAvailable() {
		sec.add("OS keyring", "skipped: no Secret Service reachable here (make test and make reliability run in dbus-run-session with gnome-keyring)", "—")
		t.Skip("no Secret Service here; make test runs this inside a D-Bus session with gnome-keyring")
	}
	rs := testutil.StartSandbox(t, sandbox.Config{})
	rs.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Count: -1, Delay: 60 * time.Millisecond})
	hold := testutil.NewUploadHold(rs.Srv, 0)
	rec := &tokenRecorder{h: hold, tokens: map[string]bool{}} // records a held request's token too
	ts := httptest.NewServer(rec)
	defer ts.Close()
	defer hold.Release() // before ts.Close: a held request must not keep it waiting
	base := ts.URL
	const email, password = testutil.SandboxEmail, testutil.SandboxPassword

	root := t.TempDir()
	dirs := map[string]string{}
	for _, d := range []string{"data", "config", "xdg-data", "cache", "state", "tmp"} {
		dirs[d] = filepath.Join(root, d)
		require.NoError(t, os.MkdirAll(dirs[d], 0o700))
	}
	env := []string{
		storage.HomeEnv + "=" + dirs["data"], "XDG_CONFIG_HOME=" + dirs["config"], "XDG_DATA_HOME=" + dirs["xdg-data"],
		"XDG_CACHE_HOME=" + dirs["cache"], "XDG_STATE_HOME=" + dirs["state"], "TMPDIR=" + dirs["tmp"], cli.APIKeyEnv + "=",
	}
	t.Setenv(storage.HomeEnv, dirs["data"])
	t.Setenv(cli.APIKeyEnv, "")
	files := testutil.WriteFiles(t, filepath.Join(root, "files"), "s", []int{100, 2000, 30_000, 70_000, 300_000, 5, 9, 1000})

	var search secretSearch
	secrets := func() []string { return append([]string{rs.Key, password}, rec.list()...) }
	// runChild runs the CLI as a child process, scanning /proc every 5 ms
	// while it lasts. With a signal, the upload hold is armed and the
	// signal sent once the child's first upload body has started (never
	// after a fixed delay: the child is then provably mid-upload).
	runChild := func(stdin string, signal os.Signal, args ...string) int {
		t.Helper()
		cmd := testutil.ChildCommand(args...)
		cmd.Env = append(cmd.Env, env...)
		if signal != nil {
			// Go's own crash dump and exit status 2, whatever GOTRACEBACK
			// the test run has (=crash would end it by SIGABRT instead).
			cmd.Env = append(cmd.Env, "GOTRACEBACK=all")
		}
		cmd.Stdin = strings.NewReader(stdin)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		var midUpload <-chan struct{}
		if signal != nil {
			hold.Arm()
			midUpload = hold.Started()
		}
		start := time.Now()
		require.NoError(t, cmd.Start())
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		deadline := time.After(2 * time.Minute)
	watch:
		for {
			search.procSnapshots++
			search.procHits += scanProc(t, cmd.Process.Pid, secrets())
			select {
			case <-midUpload:
				t.Logf("first upload body started %s after the start; sending %v", time.Since(start).Round(time.Millisecond), signal)
				require.NoError(t, cmd.Process.Signal(signal))
				midUpload = nil
			case <-exited:
				break watch
			case <-deadline:
				_ = cmd.Process.Kill()
				<-exited
				t.Errorf("dstor-uploader %s did not finish within 2 minutes", args[0])
				break watch
			case <-time.After(5 * time.Millisecond):
			}
		}
		if signal != nil {
			hold.Disarm()
			hold.Release()
			assert.Nil(t, midUpload, "the child ended before its first upload body started: it was never signalled\n%s", out.String())
		}
		t.Logf("dstor-uploader %s: %s, after %s", args[0], cmd.ProcessState, time.Since(start).Round(time.Millisecond))
		search.outputs.Write(out.Bytes())
		return cmd.ProcessState.ExitCode()
	}

	require.Equal(t, 0, runChild(rs.Key+"\n", nil, "login", "--env", base, "--api-key-stdin"), search.outputs.String())
	require.Equal(t, 0, runChild("", nil, append([]string{"upload", "--env", base}, files[:4]...)...), search.outputs.String())
	require.Equal(t, 0, runChild(password+"\n", nil, "login", "--env", base, "--email", email, "--password-stdin", "--remember"), search.outputs.String())
	require.Equal(t, 0, runChild("", nil, append([]string{"upload", "--env", base}, files[4:]...)...), search.outputs.String())
	crash := filepath.Join(root, "crash")
	require.NoError(t, os.MkdirAll(crash, 0o755))
	crashFiles := testutil.WriteFiles(t, crash, "q", []int{1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000, 11000, 12000})
	before := search.outputs.Len()
	code := runChild("", syscall.SIGQUIT, append([]string{"upload", "--env", base, "--concurrency", "1"}, crashFiles...)...)
	// Go dumps every goroutine and exits 2; on busy cores the dump's walk of
	// goroutines still running can fault, and the runtime then dies of that
	// signal (-1) once the dump is out. Either way the dump is what this
	// searches, and the two checks below fail if the handler never ran.
	assert.Contains(t, []int{2, -1}, code, "SIGQUIT makes Go dump every goroutine and exit 2 (or die of a fault while dumping)")
	dump := search.outputs.String()[before:]
	assert.Contains(t, dump, "SIGQUIT: quit", "the crash dump is part of what is searched")
	assert.Contains(t, dump, "goroutine ", "the crash dump is part of what is searched")
	tokens := rec.list()
	require.NotEmpty(t, tokens)

	// The keyring holds them.
	store := storage.NewSecretStore(testutil.KeyringTimeout)
	require.True(t, store.Persistent())
	gotKey, err := store.Get(base, rs.Acc.ID, storage.SecretAPIKey)
	require.NoError(t, err)
	gotTok, err := store.Get(base, email, storage.SecretToken)
	require.NoError(t, err)
	gotPw, err := store.Get(base, email, storage.SecretPassword)
	require.NoError(t, err)
	held := 0
	for _, ok := range []bool{gotKey == rs.Key, rec.tokens[gotTok], gotPw == password} {
		if ok {
			held++
		}
	}
	assert.Equal(t, 3, held, "the keyring holds the API key, the token and the password")

	// Nothing anywhere else, before and after signing out.
	places := []struct{ name, dir string }{
		{"data directory (SQLite database, -wal, -shm)", dirs["data"]},
		{"config directory (XDG_CONFIG_HOME)", dirs["config"]},
		{"XDG data, cache and state directories", root + "/xdg-data|" + dirs["cache"] + "|" + dirs["state"]},
		{"temporary directory of the CLI runs (TMPDIR)", dirs["tmp"]},
	}
	require.Equal(t, 0, runChild("", nil, "logout", "--env", base), search.outputs.String())
	total := 0
	for _, p := range places {
		n, hits := 0, 0
		for _, d := range strings.Split(p.dir, "|") {
			fn, fh := searchTree(t, d, secrets())
			n += fn
			hits += fh
		}
		total += hits
		t.Logf("%s: %s searched", p.name, plural(n, "file"))
		sec.add(p.name, "every file, every byte", hits)
	}
	db, err := storage.Open(dirs["data"])
	require.NoError(t, err)
	dbHits := 0
	for _, e := range allHistory(t, db) {
		for _, s := range secrets() {
			if strings.Contains(fmt.Sprintf("%+v", e), s) {
				dbHits++
			}
		}
	}
	settings, err := db.LoadSettings()
	require.NoError(t, err)
	for _, s := range secrets() {
		if strings.Contains(fmt.Sprintf("%+v", settings), s) {
			dbHits++
		}
	}
	require.NoError(t, db.Close())
	total += dbHits
	sec.add("SQLite rows read back (history, settings)", "every field", dbHits)
	outHits := countIn(search.outputs.Bytes(), secrets())
	total += outHits
	sec.add("stdout and stderr of every run, with the SIGQUIT crash dump", "all output", outHits)
	total += search.procHits
	sec.add("process list: /proc/*/cmdline, and the CLI's /proc/PID/environ", "polled every 5 ms while each of the 6 runs lasted", search.procHits)

	// Signing out removed them.
	left := 0
	for _, k := range []struct {
		account string
		kind    storage.SecretKind
	}{{rs.Acc.ID, storage.SecretAPIKey}, {email, storage.SecretToken}, {email, storage.SecretPassword}} {
		_, err := store.Get(base, k.account, k.kind)
		if !errors.Is(err, storage.ErrSecretNotFound) {
			left++
		}
	}
	sec.add("OS keyring after sign-in", "API key, token, password", fmt.Sprintf("%d of 3 held (as it should)", held))
	sec.add("OS keyring after `logout`", "API key, token, password", fmt.Sprintf("%d of 3 left", left))
	t.Logf("searched for %d tokens", len(tokens))
	sec.add("**total outside the keyring**", "every token the sandbox issued or received, the API key, the password", "**"+strconv.Itoa(total)+"**")
	assert.Zero(t, total, "no secret outside the keyring")
	assert.Zero(t, left, "logout removes every secret")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// countIn counts the secrets found in b.
func countIn(b []byte, secrets []string) int {
	n := 0
	for _, s := range secrets {
		if s != "" && bytes.Contains(b, []byte(s)) {
			n++
		}
	}
	return n
}

// searchTree searches every file under dir and returns how many files it
// read and how many secrets it found.
func searchTree(t *testing.T, dir string, secrets []string) (files, hits int) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		files++
		if h := countIn(b, secrets); h > 0 {
			t.Errorf("%s holds %d secret(s)", p, h)
			hits += h
		}
		return nil
	}))
	return files, hits
}

// scanProc reads the command line of every process, and the environment of
// pid, and counts the secrets found.
func scanProc(t *testing.T, pid int, secrets []string) int {
	t.Helper()
	hits := 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue // the process ended
		}
		if h := countIn(b, secrets); h > 0 {
			t.Errorf("process %s's command line holds a secret", e.Name())
			hits += h
		}
	}
	if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "environ")); err == nil {
		if h := countIn(b, secrets); h > 0 {
			t.Errorf("the CLI's environment holds a secret")
			hits += h
		}
	}
	return hits
}
