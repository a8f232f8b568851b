package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

func TestRunSandboxServesWhatItPrints(t *testing.T) {
	defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())
	key := strings.Repeat("Sbx0", 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	outR, outW := io.Pipe()
	var stderr testutil.LockedBuffer
	exit := make(chan int, 1)
	go func() {
		code := Run(ctx, []string{"sandbox", "--listen", "127.0.0.1:0", "--api-key", key,
			"--email", "ci@example.com", "--password", "ci-password", "--data", t.TempDir()}, IO{Out: outW, Err: &stderr})
		outW.Close()
		exit <- code
	}()

	// Read the five lines it prints, then drain stdout until it exits.
	printed := map[string]string{}
	var order []string
	sc := bufio.NewScanner(outR)
	for len(order) < 5 && sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ": ")
		require.True(t, ok, "line %q", sc.Text())
		printed[k] = v
		order = append(order, k)
	}
	drained := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, outR); close(drained) }()
	require.Equal(t, []string{"API base", "API key", "Email", "Password", "Gateway"}, order, stderr.String())
	base := printed["API base"]
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base)
	assert.Equal(t, key, printed["API key"])
	assert.Equal(t, "ci@example.com", printed["Email"])
	assert.Equal(t, "ci-password", printed["Password"])
	assert.Equal(t, base+"/ipfs/", printed["Gateway"])

	// A hang guard: the sandbox checks the password with bcrypt, which
	// under -race on 2 busy cores has taken more than 10 s.
	client := &http.Client{Transport: &http.Transport{}, Timeout: 2 * time.Minute}
	defer client.CloseIdleConnections()
	token := func(req *http.Request) string {
		resp, err := client.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var ans struct {
			AccessToken string `json:"access_token"`
		}
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
		require.NotEmpty(t, ans.AccessToken)
		return ans.AccessToken
	}

	req, err := http.NewRequest(http.MethodGet, base+"/v1/dev/temp-token", nil)
	require.NoError(t, err)
	req.Header.Set("api-key", printed["API key"])
	token(req)

	req, err = http.NewRequest(http.MethodPost, base+"/v1/dev/temp-token",
		strings.NewReader(`{"email":"`+printed["Email"]+`","password":"`+printed["Password"]+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	tok := token(req)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", "hello.txt")
	require.NoError(t, err)
	_, _ = fw.Write([]byte("hello world\n"))
	require.NoError(t, mw.Close())
	req, err = http.NewRequest(http.MethodPost, base+"/api/v0/add", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := client.Do(req)
	require.NoError(t, err)
	var added struct{ Name, Hash, Size string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&added))
	resp.Body.Close()
	assert.Equal(t, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", added.Hash)

	resp, err = client.Get(printed["Gateway"] + added.Hash)
	require.NoError(t, err)
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, "hello world\n", string(got))

	cancel()
	select {
	case code := <-exit:
		assert.Equal(t, 0, code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("runSandbox did not stop after its context ended")
	}
	<-drained
	logs := stderr.String()
	assert.Contains(t, logs, `POST "/api/v0/add" → 200`)
	assert.Contains(t, logs, "shutting down")
	for _, secret := range []string{key, tok, "ci-password"} {
		assert.NotContains(t, logs, secret, "the request log never shows secrets")
	}
}

func TestRunSandboxDefaultsToDemoAccount(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	exit := make(chan int, 1)
	go func() {
		code := Run(ctx, []string{"sandbox", "--listen", "localhost:0"}, IO{Out: outW, Err: io.Discard})
		outW.Close()
		exit <- code
	}()
	sc := bufio.NewScanner(outR)
	var lines []string
	for len(lines) < 5 && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	cancel()
	_, _ = io.Copy(io.Discard, outR)
	assert.Equal(t, 0, <-exit)
	require.Len(t, lines, 5)
	assert.Equal(t, "Email: "+sandbox.DemoEmail, lines[2])
	assert.Equal(t, "Password: "+sandbox.DemoPassword, lines[3])
	assert.Regexp(t, `^API key: [A-Za-z0-9]{64}$`, lines[1])
}

func TestRunSandboxFlagErrors(t *testing.T) {
	aFile := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(aFile, nil, 0o600))
	toNowhere := filepath.Join(t.TempDir(), "to-nowhere")
	nowhere := filepath.Join(filepath.Dir(toNowhere), "not-made")
	linksWork := testfs.Symlink(t, nowhere, toNowhere)
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    string
		stderr    string
		notStderr string
	}{
		{"help", []string{"--help"}, 0, "Examples:", "", ""},
		{"help lists flags", []string{"-h"}, 0, "--max-upload-size bytes", "", ""},
		{"unknown flag", []string{"--nope"}, 2, "", "unknown flag: --nope", ""},
		{"extra argument", []string{"extra"}, 2, "", "1 unexpected argument (not repeated here", "extra"},
		{"short key", []string{"--api-key", "short-secret-value"}, 2, "", "exactly 64 characters", "short-secret-value"},
		{"bad key characters", []string{"--api-key", strings.Repeat("-", 64)}, 2, "", "only letters", strings.Repeat("-", 64)},
		{"negative size", []string{"--max-upload-size", "-1"}, 2, "", "--max-upload-size", ""},
		{"non-loopback listen", []string{"--listen", "0.0.0.0:0"}, 2, "", "--listen: refusing to listen on that address: only loopback addresses", "0.0.0.0"},
		{"bad email", []string{"--listen", "127.0.0.1:0", "--email", "nope"}, 2, "", "--email: the email is not an address such as name@example.com", "nope"},
		{"listen without a port", []string{"--listen", "nonsense"}, 2, "", "dstor-uploader sandbox: --listen: the listen address is not host:port", "nonsense"},
		{"empty password", []string{"--listen", "127.0.0.1:0", "--password", ""}, 2, "", "--password: the password is empty", ""},
		{"data folder is a file", []string{"--data", aFile}, 2, "", "dstor-uploader sandbox: --data: " + aFile + " is a file, not a folder: pick a folder for the sandbox's store (one that is missing is made)", ""},
		{"data folder is a device", []string{"--data", os.DevNull}, 2, "", "--data: " + os.DevNull + " is a device, not a folder: pick a folder", ""},
		{"data folder through a file", []string{"--data", filepath.Join(aFile, "store")}, 2, "", "--data: " + filepath.Join(aFile, "store") + " cannot be a folder: a name on its way is a file; pick a folder", ""},
		{"data folder a link to no folder", []string{"--data", toNowhere}, 2, "", "--data: " + toNowhere + " is a symbolic link to " + nowhere + ", which is not there: make that folder, or pick another for the sandbox's store", ""},
		{"data folder below a link to no folder", []string{"--data", filepath.Join(toNowhere, "store")}, 2, "", "--data: " + toNowhere + " is a symbolic link to " + nowhere + ", which is not there", ""},
		// "--data $DIR" with DIR unset: not a store removed on exit.
		{"data folder given empty", []string{"--listen", "127.0.0.1:0", "--data", ""}, 2, "", "--data needs a folder: it was given empty (leave --data out for a store removed on exit)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !linksWork && slices.ContainsFunc(tt.args, func(a string) bool { return strings.HasPrefix(a, toNowhere) }) {
				t.Skip(testfs.NoSymlinks)
			}
			var stdout, stderr testutil.LockedBuffer
			// Bounded: a sandbox started by mistake serves until then.
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			code := Run(ctx, append([]string{"sandbox"}, tt.args...), IO{Out: &stdout, Err: &stderr})
			assert.Equal(t, tt.code, code, stderr.String())
			assert.Contains(t, stdout.String(), tt.stdout)
			assert.Contains(t, stderr.String(), tt.stderr)
			if tt.notStderr != "" {
				assert.NotContains(t, stderr.String(), tt.notStderr)
			}
			if tt.code != 0 {
				assert.NotContains(t, stdout.String(), "API key:", "nothing printed on failure")
				assert.NotContains(t, stderr.String(), "sandbox: sandbox:", "the command is named once")
			}
		})
	}
}
