package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// TestMain lets a test run this very binary as the CLI in a child process
// (so it can be killed with SIGKILL like a real one).
func TestMain(m *testing.M) {
	// The commands' keyring waits as long as the tests' own stores
	// (testutil.KeyringTimeout): a slow answer under load must not
	// turn it into a memory store that forgets a login.
	SetKeyringTimeoutForTest(testutil.KeyringTimeout)
	removeHome := testutil.IsolateDataFolder()
	for _, set := range childSetUps {
		set()
	}
	testutil.RunIfChild(func(args []string) int {
		return Run(context.Background(), args, IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	})
	code := m.Run()
	removeHome()
	os.Exit(code)
}

// childSetUps run before this test binary runs a command as a child
// (testutil.ChildCommand), after TestMain has set the keyring's wait: a
// test's init adds one that sets up what its child needs.
var childSetUps []func()

// runCLI runs the command line in-process and returns its exit status and
// output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// makeFiles writes n files of sizes sizeOf(i) under dir.
func makeFiles(t *testing.T, dir string, n int, sizeOf func(i int) int) []string {
	return testutil.WriteFiles(t, dir, "file", testutil.Sizes(n, sizeOf))
}

// trip writes a folder "trip" of n files (300, 301, … bytes) in a
// temporary folder, the folder many history --folder tests start from.
func trip(t *testing.T, n int) (files []string, dir string) {
	t.Helper()
	files = makeFiles(t, filepath.Join(t.TempDir(), "trip"), n, func(i int) int { return 300 + i })
	return files, filepath.Dir(files[0])
}

// uploadedTrip starts a keyed sandbox (keyedSandbox) and uploads a folder
// of trip's n files to it, which must succeed.
func uploadedTrip(t *testing.T, n int) (sb *testutil.Sandbox, files []string, dir string) {
	t.Helper()
	sb = keyedSandbox(t)
	files, dir = trip(t, n)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	return sb, files, dir
}

// keyedSandbox starts a sandbox and gives the test a data folder of its
// own and the sandbox's API key, as the command line reads them.
func keyedSandbox(t *testing.T) *testutil.Sandbox {
	t.Helper()
	sb := testutil.StartSandbox(t, sandbox.Config{})
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, sb.Key)
	return sb
}

// requireKeyring skips t where no Secret Service answers.
func requireKeyring(t *testing.T) {
	t.Helper()
	if !testutil.KeyringAvailable() {
		t.Skip("no Secret Service here; make test runs this inside a D-Bus session with gnome-keyring")
	}
}

// loginSandbox starts a sandbox for a test that signs in with login to
// the OS keyring (which it needs), as signedOutSandbox does.
func loginSandbox(t *testing.T) (sb *testutil.Sandbox, home string) {
	t.Helper()
	requireKeyring(t)
	return signedOutSandbox(t)
}

// signedOutSandbox starts a sandbox for a test that signs in with login,
// with a data folder of its own (returned) and no API key in the
// environment.
func signedOutSandbox(t *testing.T) (sb *testutil.Sandbox, home string) {
	t.Helper()
	sb = testutil.StartSandbox(t, sandbox.Config{})
	home = t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(APIKeyEnv, "")
	return sb, home
}

// withSecrets has the commands keep their secrets in secrets until t
// ends: a keyring the test controls, that fails or waits when it says.
func withSecrets(t *testing.T, secrets *storage.SecretStore) {
	t.Helper()
	was := openSecrets
	openSecrets = func() *storage.SecretStore { return secrets }
	t.Cleanup(func() { openSecrets = was })
}

// historyJSON is the whole history as "history --json" prints it.
// cidsOf is the CID of each of files, the list history --folder gives
// when it lists them as they are now.
func cidsOf(t *testing.T, files []string) []string {
	t.Helper()
	var cids []string
	for _, f := range files {
		cids = append(cids, testutil.CIDOf(t, f))
	}
	return cids
}

// folderCIDs runs history --folder dir --format cid, for its exit status,
// the CIDs it lists and its error output.
func folderCIDs(t *testing.T, dir string) (code int, cids []string, errOut string) {
	t.Helper()
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	return code, strings.Fields(out), errOut
}

func historyJSON(t *testing.T) []testutil.HistoryRecord {
	t.Helper()
	code, out, errOut := runCLI(t, "", "history", "--limit", "0", "--json")
	require.Equal(t, 0, code, errOut)
	return testutil.ParseHistory(t, out)
}

func TestUploadFolderThenHistory(t *testing.T) {
	sb := keyedSandbox(t)
	root := filepath.Join(t.TempDir(), "album")
	files := makeFiles(t, filepath.Join(root, "2026"), 12, func(i int) int { return i * 30_000 })
	files = append(files, makeFiles(t, root, 3, func(i int) int { return 7 + i })...)

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--folder-path", "/backup/", "--comment", "trip photos", "--concurrency", "4", root)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Len(t, lines, len(files))
	assert.Contains(t, errOut, fmt.Sprintf("Uploaded %d file(s)", len(files)))

	recs := historyJSON(t)
	require.Len(t, recs, len(files))
	byPath := map[string]testutil.HistoryRecord{}
	for _, r := range recs {
		byPath[r.LocalPath] = r
	}
	for _, f := range files {
		r, ok := byPath[f]
		require.True(t, ok, "history lacks %s", f)
		assert.Equal(t, testutil.CIDOf(t, f), r.Hash)
		assert.True(t, r.Verified)
		assert.Equal(t, "trip photos", r.Comment)
		rel, _ := filepath.Rel(filepath.Dir(root), filepath.Dir(f))
		assert.Equal(t, "/backup/"+filepath.ToSlash(rel)+"/", r.FolderPath)
		assert.Contains(t, out, r.Hash+"  "+r.Link+"  "+r.Name)
		// The link serves the same bytes.
		resp, err := http.Get(r.Link)
		require.NoError(t, err)
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want, _ := os.ReadFile(f)
		assert.Equal(t, want, got)
	}
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), len(files))

	// The folder is one share: --folder lists its files, whole.
	alone := makeFiles(t, t.TempDir(), 1, func(int) int { return 10 })[0]
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, alone)
	require.Equal(t, 0, code, errOut)
	code, cids, errOut := folderCIDs(t, root)
	require.Equal(t, 0, code, errOut)
	assert.ElementsMatch(t, cidsOf(t, files), cids, "every file of the folder, not the one added alone")
	code, out, errOut = runCLI(t, "", "history", "--folder", root, "--json", "--limit", "2")
	require.Equal(t, 0, code, errOut)
	recs = testutil.ParseHistory(t, out)
	require.Len(t, recs, 2)
	assert.True(t, strings.HasPrefix(recs[0].LocalPath, root))
	code, _, errOut = runCLI(t, "", "history", "--folder", filepath.Dir(alone))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no upload of the folder")
}

func TestUploadJSONAndFailures(t *testing.T) {
	sb := keyedSandbox(t)
	good := makeFiles(t, t.TempDir(), 1, func(int) int { return 1000 })[0]
	missing := filepath.Join(t.TempDir(), "nope.txt")

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--json", good, missing)
	assert.Equal(t, 1, code, "a failed file makes the exit status non-zero")
	var states []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		states = append(states, rec["state"].(string))
		if rec["state"] == "done" {
			assert.Equal(t, testutil.CIDOf(t, good), rec["hash"])
			assert.Equal(t, sb.URL+"/ipfs/"+rec["hash"].(string)+"?filename="+filepath.Base(good), rec["link"])
		} else {
			assert.Contains(t, rec["error"], "does not exist")
		}
	}
	assert.ElementsMatch(t, []string{"done", "failed"}, states)
	assert.Contains(t, errOut, "1 failed")
}

// --limit-rate limits the run, and its summary says so.
func TestUploadLimitRate(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 1000 })[0]
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--limit-rate", "8m", f)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "Uploaded 1 file(s)")
	assert.Contains(t, errOut, "limited to 8M/s")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--again", f)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, errOut, "limited", "no limit out of the box")
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
		{"parent id not a number", []string{"upload", "--parent-id", "x", f}, "must be a whole number"},
		{"parent id too big", []string{"upload", "--parent-id", strings.Repeat("9", 1000), f}, "too big"},
		{"folder of spaces", []string{"upload", "--folder-path", "   ", f}, "only spaces"},
		{"relative folder", []string{"upload", "--folder-path", "photos", f}, "/"},
		{"folder with ..", []string{"upload", "--folder-path", "/a/../b", f}, ".."},
		{"comment with newline", []string{"upload", "--comment", "a\r\nx-evil: 1", f}, "line"},
		{"concurrency too high", []string{"upload", "--concurrency", "40", f}, "between 1 and 16"},
		{"concurrency zero", []string{"upload", "--concurrency", "0", f}, "between 1 and 16"},
		{"concurrency negative", []string{"upload", "--concurrency", "-1", f}, "between 1 and 16"},
		{"resume concurrency zero", []string{"resume", "--concurrency", "0"}, "between 1 and 16"},
		{"limit rate not a rate", []string{"upload", "--limit-rate", "fast", f}, "--limit-rate: not a rate: write bytes per second"},
		{"limit rate negative", []string{"resume", "--limit-rate", "-2M"}, "500K, 2M"},
		{"limit rate in bits", []string{"upload", "--limit-rate", "8Mbit", f}, "not a rate"},
		// upload --limit-rate "$RATE" with RATE unset in a script ran at
		// the window's setting, whatever it is, without a word.
		{"limit rate empty", []string{"upload", "--limit-rate", "", f}, "--limit-rate needs a rate"},
		{"resume limit rate empty", []string{"resume", "--limit-rate="}, "--limit-rate needs a rate"},
		{"login needs a method", []string{"login", "--env", "http://127.0.0.1:1"}, "--api-key-stdin"},
		{"login secret in argv", []string{"login", "--api-key-stdin", "abc"}, "never from arguments"},
		{"history json and csv", []string{"history", "--json", "--csv"}, "one of"},
		{"history search and folder", []string{"history", "--search", "x", "--folder", "."}, "one of --search and --folder"},
		// history --folder "$DIR" with DIR unset in a script listed the
		// whole history, exit 0, as that folder's list of links.
		{"history folder empty", []string{"history", "--folder", "", "--format", "cid"}, "--folder needs a folder"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tt.args...)
			assert.NotEqual(t, 0, code)
			assert.Contains(t, strings.ToLower(errOut), strings.ToLower(tt.want))
			assert.NotContains(t, errOut, strings.Repeat("9", 40), "a huge number is not repeated back")
		})
	}
}

func TestUploadWithoutSignInSaysWhatToDo(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, "")
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 10 })[0]
	code, _, errOut := runCLI(t, "", "upload", "--env", "http://127.0.0.1:9", f)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "dstor-uploader login")
}

func TestWrongAPIKeyIsRefusedWithoutLeaking(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	t.Setenv(storage.HomeEnv, t.TempDir())
	wrong := strings.Repeat("Wr0ngKey", 8)
	t.Setenv(APIKeyEnv, wrong)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 10 })[0]
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "API key")
	assert.NotContains(t, out+errOut, wrong)
}

// TestKeyringIsRealUnderMakeTest makes sure the real-keyring tests do not
// quietly skip where they must run: make test sets DSTOR_REQUIRE_KEYRING.
func TestKeyringIsRealUnderMakeTest(t *testing.T) {
	if os.Getenv("DSTOR_REQUIRE_KEYRING") == "" {
		t.Skip("only checked under make test")
	}
	s := storage.NewSecretStore(testutil.KeyringTimeout)
	require.True(t, s.Persistent(), s.Reason())
}

func TestLoginWithKeyThenUploadThenLogout(t *testing.T) {
	sb, home := loginSandbox(t)

	code, out, errOut := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Signed in to 127.0.0.1")
	assert.Contains(t, out, "with an API key")
	assert.NotContains(t, out, sb.Acc.ID, "no internal account id")

	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 5000 })[0]
	code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, f))

	// Nothing secret in the data directory.
	assertNoSecretsIn(t, home, sb.Key)

	code, _, errOut = runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "not signed in")
}

func TestLoginWithPasswordRemembered(t *testing.T) {
	sb, home := loginSandbox(t)

	code, _, errOut := runCLI(t, "wrong-password\n", "login", "--env", sb.URL, "--email", testutil.SandboxEmail, "--password-stdin")
	assert.Equal(t, 1, code)
	assert.NotContains(t, errOut, "wrong-password")

	code, _, errOut = runCLI(t, testutil.SandboxPassword+"\n", "login", "--env", sb.URL, "--email", testutil.SandboxEmail, "--password-stdin", "--remember")
	require.Equal(t, 0, code, errOut)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0]
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, f)
	require.Equal(t, 0, code, errOut)
	assertNoSecretsIn(t, home, testutil.SandboxPassword)
	code, _, _ = runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, code)
}

// TestRememberedLoginLastsAcrossRuns: after login with --remember (a
// password) or with an API key, later runs upload without asking, also
// when the server no longer takes the stored token (hours later, or it
// was restarted) and when the token ends in the middle of a run.
func TestRememberedLoginLastsAcrossRuns(t *testing.T) {
	requireKeyring(t)
	for _, method := range []string{"password", "api-key"} {
		t.Run(method, func(t *testing.T) {
			var offset atomic.Int64
			sb := testutil.StartSandbox(t, sandbox.Config{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
			t.Setenv(storage.HomeEnv, t.TempDir())
			t.Setenv(APIKeyEnv, "")
			stdin, login := sb.Key+"\n", []string{"login", "--env", sb.URL, "--api-key-stdin"}
			// A key's tokens are asked to live an hour from this clock, so
			// for a key the server's refusal is a 401, not its clock.
			dead := func() { sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 401, Count: 1}) }
			if method == "password" {
				stdin = testutil.SandboxPassword + "\n"
				login = []string{"login", "--env", sb.URL, "--email", testutil.SandboxEmail, "--password-stdin", "--remember"}
				dead = func() { offset.Add(int64(3 * time.Hour)) }
			}
			code, _, errOut := runCLI(t, stdin, login...)
			require.Equal(t, 0, code, errOut)
			t.Cleanup(func() { runCLI(t, "", "logout", "--env", sb.URL) })
			for run := range 3 {
				dead()
				f := makeFiles(t, t.TempDir(), 1, func(int) int { return 100 + run })[0]
				code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
				require.Equal(t, 0, code, "run %d: %s", run, errOut)
				assert.Contains(t, out, testutil.CIDOf(t, f))
				assert.NotContains(t, errOut, "sign in", "run %d", run)
			}
		})
	}
}

// TestAlreadyUploadedIsNotSentAgain: an unchanged file uploaded before to
// the same place is not sent again; its existing link is printed and the
// summary counts it; --again sends it; a path named twice is one upload.
func TestAlreadyUploadedIsNotSentAgain(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 4000 })[0]

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f, f)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, 1, strings.Count(out, "\n"), "a path given twice is one upload: %s", out)
	assert.Equal(t, 1, sb.Uploads())

	code, again, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, out, again, "the existing link, as for an upload")
	assert.Contains(t, errOut, "ALREADY UPLOADED")
	assert.Contains(t, errOut, "Uploaded 0 file(s)")
	assert.Contains(t, errOut, "1 already uploaded")
	assert.Equal(t, 1, sb.Uploads(), "not sent again")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--again", f)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, "Uploaded 1 file(s)")
	assert.Equal(t, 2, sb.Uploads())
	assert.Len(t, historyJSON(t), 2)
}

// TestOneAccountSignedInTwoWaysRunsOneQueue: one dStor account signed in
// with its email and password (login --remember) and with its API key
// (DSTOR_API_KEY) on one data folder is filed under two names, but its
// token names the same account: while a run of either holds the queue, a
// run of the other uploads nothing and says another run has the queue;
// afterwards, what either uploaded is already uploaded for the other.
func TestOneAccountSignedInTwoWaysRunsOneQueue(t *testing.T) {
	for _, first := range []string{"password", "api-key"} {
		t.Run(first+" first", func(t *testing.T) {
			sb, _ := loginSandbox(t)
			// Both runs go through one front (one environment), where the
			// first run's first upload is held.
			hold := testutil.NewUploadHold(sb.Srv, 0)
			ts := httptest.NewServer(hold)
			t.Cleanup(ts.Close)
			t.Cleanup(hold.Release)
			code, _, errOut := runCLI(t, testutil.SandboxPassword+"\n", "login", "--env", ts.URL, "--email", testutil.SandboxEmail, "--password-stdin", "--remember")
			require.Equal(t, 0, code, errOut)
			t.Cleanup(func() { runCLI(t, "", "logout", "--env", ts.URL) })
			files := makeFiles(t, filepath.Join(t.TempDir(), "data"), 4, func(i int) int { return 3000 + i })
			dir := filepath.Dir(files[0])
			hold.Arm()

			withKey := func(on bool) []string {
				if on {
					return []string{APIKeyEnv + "=" + sb.Key}
				}
				return []string{APIKeyEnv + "="}
			}
			run := startHeld(t, hold, "the first run", withKey(first == "api-key"), "upload", "--env", ts.URL, "--concurrency", "1", dir)
			hold.Disarm() // the second run's uploads, if any, go straight through

			t.Setenv(APIKeyEnv, strings.TrimPrefix(withKey(first != "api-key")[0], APIKeyEnv+"="))
			code, out2, errOut := runCLI(t, "", "upload", "--env", ts.URL, "--concurrency", "1", dir)
			assert.Equal(t, 1, code, "the second run: %s%s", out2, errOut)
			assert.Contains(t, errOut, "already running this account's upload queue")
			assert.Empty(t, sb.Srv.Uploads(sb.Acc.ID), "nothing uploaded while the first run holds the queue")

			hold.Release()
			require.NoError(t, run.wait("its upload's release"), run.stderr.String())
			assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), len(files), "each file uploaded once")

			// The other sign-in, run again, finds them already uploaded.
			code, _, errOut = runCLI(t, "", "upload", "--env", ts.URL, dir)
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, errOut, fmt.Sprintf("%d already uploaded", len(files)))
			assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), len(files), "none sent again")
		})
	}
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
	sb := testutil.StartSandbox(t, sandbox.Config{})
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(APIKeyEnv, sb.Key)
	files := makeFiles(t, filepath.Join(t.TempDir(), "many"), 60, func(i int) int { return 2000 + i*100 })
	// The server takes 10 uploads, then holds the next ones open: the kill
	// lands mid-queue, mid-upload, however busy the machine.
	hold := testutil.NewUploadHold(sb.Srv, 10)
	hold.Arm()
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release) // first: a held request must not keep ts.Close waiting

	cmd := testutil.ChildCommand("upload", "--env", ts.URL, "--concurrency", "2", filepath.Dir(files[0]))
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	start := time.Now()
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case <-hold.Started():
	case <-exited:
		t.Fatalf("the CLI ended before its 11th upload: %s", out.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("no 11th upload within 2 minutes")
	}
	// Two at a time: the 11th started once 9 were answered.
	t.Logf("11th upload held %s after the start, %d uploads stored", time.Since(start).Round(time.Millisecond), len(sb.Srv.Uploads(sb.Acc.ID)))
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	<-exited
	stored := len(sb.Srv.Uploads(sb.Acc.ID))
	require.GreaterOrEqual(t, stored, 9, "killed after some uploads")
	require.LessOrEqual(t, stored, 10, "killed before the rest")

	hold.Release()
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
		assert.Equal(t, testutil.CIDOf(t, r.LocalPath), r.Hash)
	}
}

func TestResumeRetriesEarlierFailures(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 1, func(int) int { return 300 })[0]
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400})
	code, _, _ := runCLI(t, "", "upload", "--env", sb.URL, f)
	require.Equal(t, 1, code)

	// A later upload does not report the old failure again.
	g := makeFiles(t, t.TempDir(), 1, func(int) int { return 400 })[0]
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, g)
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out+errOut, f)

	code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code)
	assert.Contains(t, errOut, "--retry-failed")

	code, out, errOut = runCLI(t, "", "resume", "--env", sb.URL, "--retry-failed")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, f))
	assert.Len(t, historyJSON(t), 2)
}

// TestWindowOrCommand: no arguments, window flags and paths (made
// absolute; a missing one too, so the window can say what is wrong with it)
// open the window, which claims its data folder for later launches; a
// command name wins over a file of the same name; a word that is no path
// is a mistyped command.
func TestWindowOrCommand(t *testing.T) {
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	dir := t.TempDir()
	file := filepath.Join(dir, "photo.jpg")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	t.Chdir(dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "history"), []byte("x"), 0o644))
	var opened []ui.Options
	openWindow = func(o ui.Options) error {
		assert.NotNil(t, o.Handoffs, "the window takes later launches' files")
		o.Handoffs = nil
		opened = append(opened, o)
		return nil
	}
	windowFaked(t)
	other := filepath.Join(t.TempDir(), "other-home")
	tests := []struct {
		args   []string
		code   int
		window *ui.Options
	}{
		{nil, 0, &ui.Options{Home: home}},
		{[]string{"--env", "sandbox"}, 0, &ui.Options{Env: "sandbox", Home: home}},
		{[]string{"--home", other}, 0, &ui.Options{Home: other}},
		{[]string{"photo.jpg"}, 0, &ui.Options{Home: home, Files: []string{file}}},
		{[]string{"--env", "sandbox", "missing.txt"}, 0, &ui.Options{Env: "sandbox", Home: home, Files: []string{filepath.Join(dir, "missing.txt")}}},
		{[]string{"--env", "nowhere"}, 2, nil},
		{[]string{"history"}, 0, nil},
		{[]string{"--help"}, 0, nil},
		{[]string{"--version"}, 0, nil},
		{[]string{"no-such-thing"}, 2, nil},
		{[]string{"uplod"}, 2, nil},
	}
	for _, tt := range tests {
		opened = nil
		code, _, errOut := runCLI(t, "", tt.args...)
		assert.Equal(t, tt.code, code, "%q: %s", tt.args, errOut)
		if tt.window == nil {
			assert.Empty(t, opened, "%q opens no window", tt.args)
		} else if assert.Len(t, opened, 1, "%q opens the window", tt.args) {
			assert.Equal(t, *tt.window, opened[0], "%q", tt.args)
		}
	}
}

// TestHelpAndCompletion: one help style, on stdout, for every command, and
// shell completions from the same command tree.
func TestHelpAndCompletion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"help"}, {"upload", "--help"}, {"sandbox", "-h"}, {"help", "login"}} {
		code, out, errOut := runCLI(t, "", args...)
		assert.Equal(t, 0, code, "%q", args)
		assert.Contains(t, out, "Usage:", "%q", args)
		assert.Empty(t, errOut, "%q: help goes to stdout", args)
	}
	code, out, _ := runCLI(t, "", "--version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "dstor-uploader "+Version+"\n", out)
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errOut := runCLI(t, "", "completion", shell)
		assert.Equal(t, 0, code, errOut)
		assert.Contains(t, out, "dstor-uploader", shell)
	}
}

// TestWindowWithAFileForItsDataFolder: a data folder that is a file (by
// --home or the environment) stops the window before it claims anything,
// with one sentence that names the file, not a line about the window's lock.
func TestWindowWithAFileForItsDataFolder(t *testing.T) {
	file := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	openWindow = func(ui.Options) error { t.Error("no window opens"); return nil }
	windowFaked(t)
	for _, tt := range []struct {
		name string
		env  string
		args []string
	}{
		{"--home", t.TempDir(), []string{"--home", file}},
		{storage.HomeEnv, file, nil},
	} {
		t.Setenv(storage.HomeEnv, tt.env)
		code, out, errOut := runCLI(t, "", tt.args...)
		assert.Equal(t, 1, code, tt.name)
		assert.Empty(t, out, tt.name)
		assert.Equal(t, "dstor-uploader: the data folder "+file+" is a file, not a folder — move or rename that file, "+
			"or choose another data folder with --home or "+storage.HomeEnv+"\n", errOut, tt.name)
	}
}
