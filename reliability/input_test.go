package reliability

import (
	"bytes"
	"cmp"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/cli"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// badCase is one bad input: how it is tried, and the message (or outcome)
// a person must get.
type badCase struct {
	name    string
	via     string // "CLI", "client" (api.Client), "validation"
	want    string // substring of the message, or of the outcome for accepted inputs
	check   func(t *testing.T) string
	uploads int // files this case must leave in the history (accepted inputs)
}

// badInputKit is what the cases of one platform's own bad inputs
// (platformFileCases, platformNameCases) are made with: the folder they
// write in, a file writer, the CLI's upload, and the checks that a file
// uploads: uploaded (the file at a path) and accepted (a new file of a
// given name).
type badInputKit struct {
	dir      string
	file     func(name string, data []byte) string
	upload   func(t *testing.T, args ...string) string
	uploaded func(t *testing.T, path string) string
	accepted func(name string) func(t *testing.T) string
}

// relMaxUpload is the sandbox's upload limit in the bad-input part.
const relMaxUpload = 64 << 10

func relBadInput(t *testing.T, rep *relReport) {
	rs := testutil.StartSandbox(t, sandbox.Config{MaxUploadSize: relMaxUpload})
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	t.Setenv(cli.APIKeyEnv, rs.Key)
	dir := t.TempDir()
	client, err := api.NewClient(rs.Env, &http.Client{Transport: api.NewTransport(api.Timeouts{ResponseHeader: 15 * time.Second, WriteIdle: 15 * time.Second})})
	require.NoError(t, err)
	defer client.CloseIdleConnections()
	tok, err := client.TokenFromAPIKey(context.Background(), rs.Key, time.Time{})
	require.NoError(t, err)

	file := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, data, 0o644))
		return p
	}
	small := file("ok.txt", []byte("hello world\n"))
	// command runs the command line in-process, bounded, and returns what it
	// printed on both streams.
	command := func(t *testing.T, args ...string) string {
		var code int
		var out, errOut string
		withDeadline(t, time.Minute, "dstor-uploader "+strings.Join(args, " "), func() {
			code, out, errOut = runCLI(t, "", args...)
		})
		return out + errOut + "\nexit " + strconv.Itoa(code)
	}
	upload := func(t *testing.T, args ...string) string {
		return command(t, append([]string{"upload", "--env", rs.URL}, args...)...)
	}
	// uploaded uploads the file at p and reports its history entry.
	uploaded := func(t *testing.T, p string) string {
		out := upload(t, "--json", p)
		want := testutil.CIDOf(t, p)
		if !strings.Contains(out, want) || !strings.Contains(out, `"verified":true`) {
			return "not uploaded: " + out
		}
		return "uploaded and verified: " + want
	}
	// accepted writes a file of that name and uploads it.
	accepted := func(name string) func(t *testing.T) string {
		return func(t *testing.T) string { return uploaded(t, file(name, []byte("content of "+name))) }
	}
	clientErr := func(err error) string {
		if err == nil {
			return "no error"
		}
		return api.Human(err)
	}

	kit := badInputKit{dir: dir, file: file, upload: upload, uploaded: uploaded, accepted: accepted}
	cases := slices.Concat([]badCase{
		{name: "missing path", via: "CLI", want: "does not exist — check the name", check: func(t *testing.T) string {
			return upload(t, filepath.Join(dir, "no-such-file.txt"))
		}},
		{name: "a directory given as the file to upload", via: "client", want: "is a folder, not a file", check: func(t *testing.T) string {
			_, err := client.Upload(context.Background(), tok, api.UploadRequest{Path: dir})
			return clientErr(err)
		}},
		{name: "empty folder", via: "CLI", want: "folder is empty", check: func(t *testing.T) string {
			empty := filepath.Join(dir, "empty")
			require.NoError(t, os.Mkdir(empty, 0o755))
			return upload(t, empty)
		}},
	}, platformFileCases(t, kit), []badCase{
		{name: "0-byte file", via: "CLI", want: "uploaded and verified: QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", uploads: 1,
			check: func(t *testing.T) string {
				p := file("empty.bin", nil)
				out := upload(t, "--json", p)
				if strings.Contains(out, `"verified":true`) && strings.Contains(out, "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH") {
					return "uploaded and verified: QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
				}
				return out
			}},
		{name: "file that grows during the upload", via: "client", want: "the file changed while it was being uploaded", check: func(t *testing.T) string {
			return changingFile(t, client, tok, file("grows.bin", bytes.Repeat([]byte("g"), 3*api.ChunkSize)), func(f *os.File) error {
				_, err := f.Write([]byte("more"))
				return err
			})
		}},
		{name: "file that shrinks during the upload", via: "client", want: "the file changed while it was being uploaded", check: func(t *testing.T) string {
			return changingFile(t, client, tok, file("shrinks.bin", bytes.Repeat([]byte("s"), 3*api.ChunkSize)), func(f *os.File) error {
				return f.Truncate(api.ChunkSize)
			})
		}},
		{name: "file over the server's limit (64 KiB here)", via: "CLI", want: "too large for dStor", check: func(t *testing.T) string {
			return upload(t, file("too-big.bin", bytes.Repeat([]byte("b"), relMaxUpload+1)))
		}},
		{name: "name with spaces", via: "CLI", want: "uploaded and verified", uploads: 1, check: accepted("my holiday photo 1.txt")},
	}, platformNameCases(kit), []badCase{
		{name: "name with emoji", via: "CLI", want: "uploaded and verified", uploads: 1, check: accepted("party 🎉📷.txt")},
		{name: "name with right-to-left text", via: "CLI", want: "uploaded and verified", uploads: 1, check: accepted("שלום مرحبا \u202eexe.txt")},
		{name: "name of 255 bytes", via: "CLI", want: "uploaded and verified", uploads: 1, check: accepted(strings.Repeat("n", 251) + ".txt")},
		{name: "comment with CR/LF (header injection)", via: "CLI", want: "must be one line", check: func(t *testing.T) string {
			return upload(t, "--comment", "hi\r\nx-dstor-parent-id: 7", small)
		}},
		{name: "folder path with CR/LF (header injection)", via: "CLI", want: "must be one line", check: func(t *testing.T) string {
			return upload(t, "--folder-path", "/a/\r\nAuthorization: Bearer x", small)
		}},
		{name: "folder path with ..", via: "CLI", want: `must not contain ".."`, check: func(t *testing.T) string {
			return upload(t, "--folder-path", "/photos/../../etc/", small)
		}},
		{name: "folder nested too deep for dStor's folder path (an 801-byte destination, a 215-byte name inside)", via: "CLI",
			want: "path would be 1027 bytes, more than the 1024 dStor allows, so it was skipped with everything in it", check: func(t *testing.T) string {
				added := filepath.Join(dir, "too-deep")
				inner := filepath.Join(added, strings.Repeat("n", 215))
				require.NoError(t, os.MkdirAll(inner, 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(inner, "far.txt"), []byte("far"), 0o644))
				return upload(t, "--folder-path", "/"+strings.Repeat("x", 800), added)
			}},
		{name: "parent id and folder path together", via: "CLI", want: "not both", check: func(t *testing.T) string {
			return upload(t, "--folder-path", "/a/", "--parent-id", "3", small)
		}},
		{name: "negative parent id", via: "CLI", want: "parent folder id must be 0", check: func(t *testing.T) string {
			return upload(t, "--parent-id", "-5", small)
		}},
		{name: "API key of the wrong length", via: "CLI", want: "must be exactly 64 characters", check: func(t *testing.T) string {
			t.Setenv(cli.APIKeyEnv, rs.Key[:40])
			return upload(t, small)
		}},
		{name: "API key with characters outside its alphabet", via: "CLI", want: "may contain only letters", check: func(t *testing.T) string {
			t.Setenv(cli.APIKeyEnv, rs.Key[:63]+"!")
			return upload(t, small)
		}},
		{name: "API key of the right shape that dStor rejects", via: "CLI", want: "rejected the API key", check: func(t *testing.T) string {
			t.Setenv(cli.APIKeyEnv, strings.Repeat("Z", 64))
			return upload(t, small)
		}},
		{name: "wrong password", via: "client", want: "rejected the email or password", check: func(t *testing.T) string {
			_, err := client.TokenFromLogin(context.Background(), testutil.SandboxEmail, "not-the-password")
			msg := clientErr(err)
			if strings.Contains(msg, "not-the-password") {
				return "the message repeats the password: " + msg
			}
			return msg
		}},
		{name: "email that is not an address", via: "client", want: "not an email address", check: func(t *testing.T) string {
			_, err := client.TokenFromLogin(context.Background(), "rel.example.com", "x")
			return clientErr(err)
		}},
		{name: "http:// to a non-loopback host (validation only, never dialed)", via: "validation", want: "uses http://", check: func(t *testing.T) string {
			_, err := api.CustomEnvironment("http://192.0.2.10:8080")
			return clientErr(err)
		}},
		{name: "unreachable host (closed port on 127.0.0.1)", via: "CLI", want: "cannot reach 127.0.0.1:", check: func(t *testing.T) string {
			return command(t, "upload", "--env", "http://"+closedPort(t), small)
		}},
		{name: "TLS error (self-signed httptest.NewTLSServer)", via: "CLI", want: "cannot set up a secure connection", check: func(t *testing.T) string {
			ts := httptest.NewTLSServer(rs.Srv)
			defer ts.Close()
			return command(t, "upload", "--env", ts.URL, small)
		}},
		{name: "server that never answers (upload)", via: "client", want: "did not answer in time", check: func(t *testing.T) string {
			ln, _ := silentServer(t)
			env, err := api.CustomEnvironment("http://" + ln)
			require.NoError(t, err)
			c, err := api.NewClient(env, &http.Client{Transport: api.NewTransport(api.Timeouts{ResponseHeader: 500 * time.Millisecond})})
			require.NoError(t, err)
			defer c.CloseIdleConnections()
			_, err = c.Upload(context.Background(), tok, api.UploadRequest{Path: small})
			return clientErr(err)
		}},
		neverAnswersCLI(t, small),
	})

	sec := rep.section("Bad input",
		"Each input is tried once; none may crash or hang (each is bounded). *CLI* runs `dstor-uploader upload` (or `login`) "+
			"in-process against the sandbox (upload limit 64 KiB here); *client* calls api.Client directly; *validation* calls "+
			"the check only. Afterwards the queue and history are checked intact.",
		"#", "bad input", "tried through", "expected message or outcome", "message or outcome seen", "as expected")
	uploads := 0
	for i, bc := range cases {
		var got, skipped string
		passed := t.Run(bc.name, func(t *testing.T) {
			defer func() {
				if t.Skipped() {
					skipped = "n/a"
				}
			}()
			t.Setenv(cli.APIKeyEnv, rs.Key)
			got = bc.check(t)
			assert.Contains(t, got, bc.want)
		})
		if passed && skipped == "" {
			uploads += bc.uploads
		}
		sec.add(i+1, bc.name, bc.via, "“"+bc.want+"”", seen(got, bc.want, skipped), cmp.Or(skipped, yesNo(passed)))
	}

	// The queue and the history are intact after all that.
	res, rows := dbIntegrity(t, home)
	assert.Equal(t, "ok", res)
	assert.Equal(t, uploads, rows, "the history holds exactly the accepted files")
	db, err := storage.Open(home)
	require.NoError(t, err)
	defer db.Close()
	left, err := db.Jobs(storage.JobQueued, storage.JobUploading, storage.JobWaitingSignIn)
	require.NoError(t, err)
	assert.Empty(t, left, "no job is left half done")
	sec.add("", "afterwards: database integrity_check / history entries / jobs left unfinished", "", "ok / "+strconv.Itoa(uploads)+" / 0",
		res+" / "+strconv.Itoa(rows)+" / "+strconv.Itoa(len(left)), yesNo(res == "ok" && rows == uploads && len(left) == 0))
}

// changingFile uploads path and calls change on it once the first bytes are
// sent, returning the message the person gets.
func changingFile(t *testing.T, c *api.Client, tok api.Token, path string, change func(*os.File) error) string {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	require.NoError(t, err)
	defer f.Close()
	var once sync.Once
	_, err = c.Upload(context.Background(), tok, api.UploadRequest{Path: path, Progress: func(sent, total int64) {
		once.Do(func() {
			require.NoError(t, change(f))
			// Make sure the modification time moves even on coarse clocks.
			later := time.Now().Add(2 * time.Second)
			_ = os.Chtimes(path, later, later)
		})
	}})
	if err == nil {
		return "accepted a file that changed"
	}
	return api.Human(err)
}

// closedPort is a 127.0.0.1 port with nothing listening.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// silentServer accepts connections on 127.0.0.1 and never answers;
// accepted is closed once it has accepted the first one.
func silentServer(t *testing.T) (addr string, accepted <-chan struct{}) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	first := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			if len(conns) == 0 {
				close(first)
			}
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String(), first
}

// neverAnswersCLI runs the real CLI (a child process) against a server that
// accepts and never answers. In the short suite it is interrupted (Ctrl+C)
// once the server has its connection (so the CLI is past its start and
// waiting, never before its signal handler is in) and must stop at once with
// a message; in the full suite, and on Windows (canInterruptChild), it is
// left alone and must give up by itself (the token request's 1 min bound).
func neverAnswersCLI(t *testing.T, small string) badCase {
	bc := badCase{name: "server that never answers (CLI, interrupted with Ctrl+C while it waits)", via: "CLI", want: "Interrupted while signing in"}
	giveUp := relFull || !canInterruptChild
	if giveUp {
		bc.name = "server that never answers (CLI, left to give up by itself)"
		bc.want = "did not answer in time"
	}
	bc.check = func(t *testing.T) string {
		addr, accepted := silentServer(t)
		home := t.TempDir()
		cmd := testutil.ChildCommand("upload", "--env", "http://"+addr, small)
		cmd.Env = append(cmd.Env, storage.HomeEnv+"="+home)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		testutil.StartInterruptible(t, cmd) // it takes Ctrl+C, however this test was started
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		start := time.Now()
		if !giveUp {
			select {
			case <-accepted:
				t.Logf("the CLI connected %s after its start; sending Ctrl+C", time.Since(start).Round(time.Millisecond))
				require.NoError(t, cmd.Process.Signal(os.Interrupt))
			case <-exited:
				return "ended before it connected: " + out.String()
			case <-time.After(3 * time.Minute):
				_ = cmd.Process.Kill()
				<-exited
				return "never connected: killed after 3 minutes"
			}
		}
		select {
		case <-exited:
		case <-time.After(3 * time.Minute):
			_ = cmd.Process.Kill()
			<-exited
			return "hung: killed after 3 minutes"
		}
		if res, _ := dbIntegrity(t, home); res != "ok" {
			return "database damaged: " + res
		}
		return out.String()
	}
	return bc
}
