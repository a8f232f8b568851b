package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestMain lets a test run this very binary as the CLI in a child process
// (so it can be killed with SIGKILL like a real one).
func TestMain(m *testing.M) {
	if args := os.Getenv("DSTOR_TEST_RUN_CLI"); args != "" {
		os.Exit(run(strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// cliSandbox is a sandbox on loopback with one account and its API key.
type cliSandbox struct {
	srv *sandbox.Server
	url string
	key string
	acc sandbox.Account
}

func startCLISandbox(t *testing.T) cliSandbox {
	t.Helper()
	srv, err := sandbox.New(sandbox.Config{DataDir: t.TempDir()})
	require.NoError(t, err)
	url, err := srv.Start("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	acc, err := srv.CreateAccount("cli@example.com", "cli-password-1")
	require.NoError(t, err)
	key, err := srv.CreateAPIKey(acc.ID, time.Time{})
	require.NoError(t, err)
	return cliSandbox{srv: srv, url: url, key: key, acc: acc}
}

// runCLI runs the command line in-process and returns its exit status and
// output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// makeFiles writes n files of varied sizes under dir and returns their paths.
func makeFiles(t *testing.T, dir string, n int, sizeOf func(i int) int) []string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("file-%04d.bin", i))
		data := bytes.Repeat([]byte{byte(i), byte(i >> 8), 0x5a}, sizeOf(i)/3+1)[:sizeOf(i)]
		require.NoError(t, os.WriteFile(p, data, 0o644))
		paths = append(paths, p)
	}
	return paths
}

// cidOf is the CIDv0 of a file, computed with the client's own code.
func cidOf(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	c, err := api.ComputeCID(f)
	require.NoError(t, err)
	return c
}

func historyJSON(t *testing.T) []historyRecord {
	t.Helper()
	code, out, errOut := runCLI(t, "", "history", "--limit", "0", "--json")
	require.Equal(t, 0, code, errOut)
	var recs []historyRecord
	require.NoError(t, json.Unmarshal([]byte(out), &recs))
	return recs
}

func TestUploadFolderThenHistory(t *testing.T) {
	sb := startCLISandbox(t)
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(apiKeyEnvVar, sb.key)
	root := filepath.Join(t.TempDir(), "album")
	files := makeFiles(t, filepath.Join(root, "2026"), 12, func(i int) int { return i * 30_000 })
	files = append(files, makeFiles(t, root, 3, func(i int) int { return 7 + i })...)

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.url, "--folder-path", "/backup/", "--comment", "trip photos", "--concurrency", "4", root)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Len(t, lines, len(files))
	assert.Contains(t, errOut, fmt.Sprintf("Uploaded %d file(s)", len(files)))

	recs := historyJSON(t)
	require.Len(t, recs, len(files))
	byPath := map[string]historyRecord{}
	for _, r := range recs {
		byPath[r.LocalPath] = r
	}
	for _, f := range files {
		r, ok := byPath[f]
		require.True(t, ok, "history lacks %s", f)
		assert.Equal(t, cidOf(t, f), r.Hash)
		assert.True(t, r.Verified)
		assert.Equal(t, "trip photos", r.Comment)
		rel, _ := filepath.Rel(filepath.Dir(root), filepath.Dir(f))
		assert.Equal(t, "/backup/"+rel+"/", r.FolderPath)
		assert.Contains(t, out, r.Hash+"  "+r.Link+"  "+r.Name)
		// The link serves the same bytes.
		resp, err := http.Get(r.Link)
		require.NoError(t, err)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, _ := os.ReadFile(f)
		assert.Equal(t, want, got)
	}
	assert.Len(t, sb.srv.Uploads(sb.acc.ID), len(files))
}

func TestUploadJSONAndFailures(t *testing.T) {
	sb := startCLISandbox(t)
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(apiKeyEnvVar, sb.key)
	good := makeFiles(t, t.TempDir(), 1, func(int) int { return 1000 })[0]
	missing := filepath.Join(t.TempDir(), "nope.txt")

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.url, "--json", good, missing)
	assert.Equal(t, 1, code, "a failed file makes the exit status non-zero")
	var states []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		states = append(states, rec["state"].(string))
		if rec["state"] == "done" {
			assert.Equal(t, cidOf(t, good), rec["hash"])
			assert.Equal(t, sb.url+"/ipfs/"+rec["hash"].(string), rec["link"])
		} else {
			assert.Contains(t, rec["error"], "does not exist")
		}
	}
	assert.ElementsMatch(t, []string{"done", "failed"}, states)
	assert.Contains(t, errOut, "1 failed")
}

func TestCommandLineValidation(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 10 })[0]
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no paths", []string{"upload"}, "name at least one file"},
		{"both destinations", []string{"upload", "--folder-path", "/a/", "--parent-id", "3", f}, "not both"},
		{"negative parent id", []string{"upload", "--parent-id", "-1", f}, "parent"},
		{"parent id not a number", []string{"upload", "--parent-id", "x", f}, "not a whole number"},
		{"relative folder", []string{"upload", "--folder-path", "photos", f}, "/"},
		{"folder with ..", []string{"upload", "--folder-path", "/a/../b", f}, ".."},
		{"comment with newline", []string{"upload", "--comment", "a\r\nx-evil: 1", f}, "line"},
		{"concurrency too high", []string{"upload", "--concurrency", "40", f}, "between 1 and 16"},
		{"login needs a method", []string{"login", "--env", "http://127.0.0.1:1"}, "--api-key-stdin"},
		{"login secret in argv", []string{"login", "--api-key-stdin", "abc"}, "never from arguments"},
		{"history json and csv", []string{"history", "--json", "--csv"}, "one of"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			assert.NotEqual(t, 0, code)
			assert.Contains(t, strings.ToLower(errOut), strings.ToLower(tt.want))
		})
	}
}

func TestUploadWithoutSignInSaysWhatToDo(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(apiKeyEnvVar, "")
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 10 })[0]
	code, _, errOut := runCLI(t, "", "upload", "--env", "http://127.0.0.1:9", f)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "dstor-uploader login")
}

func TestWrongAPIKeyIsRefusedWithoutLeaking(t *testing.T) {
	sb := startCLISandbox(t)
	t.Setenv(storage.HomeEnv, t.TempDir())
	wrong := strings.Repeat("Wr0ngKey", 8)
	t.Setenv(apiKeyEnvVar, wrong)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 10 })[0]
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.url, f)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "API key")
	assert.NotContains(t, out+errOut, wrong)
}

// keyringAvailable reports whether the OS keyring works here (CI runs the
// tests in a D-Bus session with gnome-keyring unlocked).
func keyringAvailable() bool {
	return storage.NewSecretStore(3 * time.Second).Persistent()
}

// TestKeyringIsRealUnderMakeTest makes sure the real-keyring tests do not
// quietly skip where they must run: make test sets DSTOR_REQUIRE_KEYRING.
func TestKeyringIsRealUnderMakeTest(t *testing.T) {
	if os.Getenv("DSTOR_REQUIRE_KEYRING") == "" {
		t.Skip("only checked under make test")
	}
	s := storage.NewSecretStore(5 * time.Second)
	require.True(t, s.Persistent(), s.Reason())
}

func TestLoginWithKeyThenUploadThenLogout(t *testing.T) {
	if !keyringAvailable() {
		t.Skip("no Secret Service here; make test runs this inside a D-Bus session with gnome-keyring")
	}
	sb := startCLISandbox(t)
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(apiKeyEnvVar, "")

	code, out, errOut := runCLI(t, sb.key+"\n", "login", "--env", sb.url, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Signed in")

	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 5000 })[0]
	code, out, errOut = runCLI(t, "", "upload", "--env", sb.url, f)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, cidOf(t, f))

	// Nothing secret in the data directory.
	assertNoSecretsIn(t, home, sb.key)

	code, _, errOut = runCLI(t, "", "logout", "--env", sb.url)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.url, f)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not signed in")
}

func TestLoginWithPasswordRemembered(t *testing.T) {
	if !keyringAvailable() {
		t.Skip("no Secret Service here; make test runs this inside a D-Bus session with gnome-keyring")
	}
	sb := startCLISandbox(t)
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(apiKeyEnvVar, "")

	code, _, errOut := runCLI(t, "wrong-password\n", "login", "--env", sb.url, "--email", "cli@example.com", "--password-stdin")
	assert.Equal(t, 1, code)
	assert.NotContains(t, errOut, "wrong-password")

	code, _, errOut = runCLI(t, "cli-password-1\n", "login", "--env", sb.url, "--email", "cli@example.com", "--password-stdin", "--remember")
	require.Equal(t, 0, code, errOut)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.url, f)
	require.Equal(t, 0, code, errOut)
	assertNoSecretsIn(t, home, "cli-password-1")
	code, _, _ = runCLI(t, "", "logout", "--env", sb.url)
	require.Equal(t, 0, code)
}

func assertNoSecretsIn(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		for _, s := range secrets {
			assert.False(t, bytes.Contains(b, []byte(s)), "%s contains a secret", p)
		}
		return nil
	}))
}

// TestKilledUploadResumes kills a real CLI process with SIGKILL in the middle
// of a queue, then "resume" must finish it: every file in the history exactly
// once, with the right hash.
func TestKilledUploadResumes(t *testing.T) {
	sb := startCLISandbox(t)
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(apiKeyEnvVar, sb.key)
	files := makeFiles(t, filepath.Join(t.TempDir(), "many"), 60, func(i int) int { return 2000 + i*100 })
	// The server takes 10 uploads, then holds the next ones open: the kill
	// lands mid-queue, mid-upload, however busy the machine.
	hold := newUploadHold(sb.srv)
	hold.pass = 10
	hold.armed.Store(true)
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(func() { closeOnce(hold.release) }) // first: a held request must not keep ts.Close waiting

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "DSTOR_TEST_RUN_CLI="+strings.Join([]string{"upload", "--env", ts.URL, "--concurrency", "2", filepath.Dir(files[0])}, "\x1f"))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	start := time.Now()
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case <-hold.started:
	case <-exited:
		t.Fatalf("the CLI ended before its 11th upload: %s", out.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("no 11th upload within 2 minutes")
	}
	// Two at a time: the 11th started once 9 were answered.
	t.Logf("11th upload held %s after the start, %d uploads stored", time.Since(start).Round(time.Millisecond), len(sb.srv.Uploads(sb.acc.ID)))
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-exited
	stored := len(sb.srv.Uploads(sb.acc.ID))
	require.GreaterOrEqual(t, stored, 9, "killed after some uploads")
	require.LessOrEqual(t, stored, 10, "killed before the rest")

	closeOnce(hold.release)
	code, _, errOut := runCLI(t, "", "resume", "--env", ts.URL)
	require.Equal(t, 0, code, errOut)

	recs := historyJSON(t)
	seen := map[string]int{}
	for _, r := range recs {
		seen[r.LocalPath]++
	}
	for _, f := range files {
		assert.Equal(t, 1, seen[f], "%s must be in the history exactly once", f)
	}
	assert.Len(t, recs, len(files))
	for _, r := range recs {
		assert.Equal(t, cidOf(t, r.LocalPath), r.Hash)
	}
}

func TestResumeRetriesEarlierFailures(t *testing.T) {
	sb := startCLISandbox(t)
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(apiKeyEnvVar, sb.key)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 300 })[0]
	sb.srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400})
	code, _, _ := runCLI(t, "", "upload", "--env", sb.url, f)
	require.Equal(t, 1, code)

	// A later upload does not report the old failure again.
	g := makeFiles(t, t.TempDir(), 1, func(int) int { return 400 })[0]
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.url, g)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out+errOut, f)

	code, _, errOut = runCLI(t, "", "resume", "--env", sb.url)
	require.Equal(t, 0, code)
	assert.Contains(t, errOut, "--retry-failed")

	code, out, errOut = runCLI(t, "", "resume", "--env", sb.url, "--retry-failed")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, cidOf(t, f))
	assert.Len(t, historyJSON(t), 2)
}

func TestOpensWindowTellsWindowFromSubcommands(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "photo.jpg")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	tests := []struct {
		args []string
		want bool
	}{
		{nil, true},
		{[]string{"--env", "sandbox"}, true},
		{[]string{"--home", dir}, true},
		{[]string{file}, true},
		{[]string{"upload", file}, false},
		{[]string{"history"}, false},
		{[]string{"--help"}, false},
		{[]string{"--version"}, false},
		{[]string{"no-such-thing"}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, opensWindow(tt.args), "%q", tt.args)
	}
}
