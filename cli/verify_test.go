package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestReceiptsAndVerify: history --json holds each file's SHA-256 (as
// sha256sum prints it), its local path and link; verify finds an
// uploaded file by its content (also under another name), and says so of
// one never uploaded, with exit status 1.
func TestReceiptsAndVerify(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	files := makeFiles(t, dir, 3, func(i int) int { return 1 + i*300_000 })
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)

	recs := historyJSON(t)
	require.Len(t, recs, 3)
	for _, r := range recs {
		assert.Equal(t, testfs.Sha256sum(t, r.LocalPath), r.SHA256, r.Name)
		assert.Contains(t, files, r.LocalPath)
		assert.Contains(t, r.Link, r.Hash)
	}

	copyPath := filepath.Join(t.TempDir(), "renamed copy.bin")
	data, err := os.ReadFile(files[1])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(copyPath, data, 0o600))
	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, files[0], copyPath)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], files[0]+": uploaded")
	assert.Contains(t, lines[1], copyPath+": uploaded — same content as \""+filepath.Base(files[1])+"\"")
	assert.Contains(t, lines[1], sb.URL+"/ipfs/"+testutil.CIDOf(t, files[1]))
	assert.Contains(t, lines[1], testfs.Sha256sum(t, copyPath))

	other := filepath.Join(t.TempDir(), "never.txt")
	require.NoError(t, os.WriteFile(other, []byte("never uploaded\n"), 0o600))
	code, out, _ = runCLI(t, "", "verify", "--env", sb.URL, "--json", other, files[2], filepath.Join(dir, "missing"))
	assert.Equal(t, 1, code, "a file that matches no upload makes the exit status 1")
	var res []verifyResult
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r verifyResult
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		res = append(res, r)
	}
	require.Len(t, res, 3)
	assert.False(t, res[0].Matches)
	assert.Equal(t, testutil.CIDOf(t, other), res[0].CID)
	assert.Equal(t, testfs.Sha256sum(t, other), res[0].SHA256)
	assert.Empty(t, res[0].Uploads)
	assert.True(t, res[1].Matches)
	require.Len(t, res[1].Uploads, 1)
	assert.Equal(t, files[2], res[1].Uploads[0].LocalPath)
	assert.False(t, res[2].Matches)
	assert.Contains(t, res[2].Error, "does not exist")
}

// TestVerifyCountsOnlyTheEnvironmentsUploads: an upload to another
// environment (a test server, testnet, the window's Local sandbox, whose
// files stay on this computer) does not make a file "uploaded" where
// verify looks (--env, else the environment last signed in to, as every
// command): a script that deletes what verify calls uploaded would lose
// it. The other environment's upload is named on the line.
func TestVerifyCountsOnlyTheEnvironmentsUploads(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	files := makeFiles(t, dir, 1, func(int) int { return 1000 })
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
	}{
		{name: "the environment uploaded to", args: []string{"--env", sb.URL}, want: []string{files[0] + ": uploaded — same content as"}},
		{name: "production, by default", wantCode: 1,
			want: []string{files[0] + ": not uploaded to production", "an upload to " + sb.URL + " has it: ", sb.URL + "/ipfs/" + testutil.CIDOf(t, files[0])}},
		{name: "testnet", args: []string{"--env", "testnet"}, wantCode: 1, want: []string{files[0] + ": not uploaded to testnet"}},
		{name: "the window's sandbox", args: []string{"--env", "sandbox"}, wantCode: 1, want: []string{files[0] + ": not uploaded to sandbox"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append(append([]string{"verify"}, tt.args...), files[0])...)
			assert.Equal(t, tt.wantCode, code, "%s%s", out, errOut)
			for _, w := range tt.want {
				assert.Contains(t, out, w)
			}
		})
	}

	code, out, _ := runCLI(t, "", "verify", "--json", files[0])
	assert.Equal(t, 1, code)
	var r verifyResult
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	assert.Equal(t, "production", r.Env)
	assert.False(t, r.Matches)
	assert.Empty(t, r.Uploads)
	require.Len(t, r.Elsewhere, 1)
	assert.Equal(t, sb.URL, r.Elsewhere[0].Env)
}

// TestVerifyThatCannotPrintFails: a verify whose output cannot be written
// (verify FILE > /dev/full, a closed pipe) exits 1 and says why, even for
// files that match: a script must not take exit 0 for a result it never
// got.
func TestVerifyThatCannotPrintFails(t *testing.T) {
	sb, files, _ := uploadedTrip(t, 2)
	full := &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
	for _, asJSON := range []bool{false, true} {
		args := []string{"verify", "--env", sb.URL}
		if asJSON {
			args = append(args, "--json")
		}
		var errOut bytes.Buffer
		code := Run(context.Background(), append(args, files...), IO{In: strings.NewReader(""), Out: failingWriter{full}, Err: &errOut})
		assert.Equal(t, 1, code, "--json %v: %s", asJSON, errOut.String())
		assert.Contains(t, errOut.String(), "write /dev/stdout: no space left on device", "--json %v", asJSON)
	}
}

// failingWriter fails every write with err.
type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// TestUploadExpectSHA256 checks --expect-sha256 end to end: the wrong sum
// sends nothing and exits 1, the right one uploads; it takes one file
// (named once or more).
func TestUploadExpectSHA256(t *testing.T) {
	sb := keyedSandbox(t)
	f := makeFiles(t, t.TempDir(), 2, func(int) int { return 5000 })
	before := len(sb.Srv.Uploads(sb.Acc.ID))

	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--expect-sha256", strings.Repeat("1", 64), f[0])
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "is not the expected file")
	assert.Len(t, sb.Srv.Uploads(sb.Acc.ID), before, "nothing sent")

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--expect-sha256", testfs.Sha256sum(t, f[0]), f[0])
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, f[0]))

	code, _, errOut = runCLI(t, "", "upload", "--expect-sha256", testfs.Sha256sum(t, f[0]), f[0], f[1])
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "checks one file")
	// One file named twice, even spelled another way, is one file (README:
	// a path named twice counts once): already uploaded, not a usage error.
	again := filepath.Dir(f[0]) + string(filepath.Separator) + "." + string(filepath.Separator) + filepath.Base(f[0])
	code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--expect-sha256", testfs.Sha256sum(t, f[0]), f[0], again)
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, f[0]))
	assert.Equal(t, 1, strings.Count(out, "\n"), "listed once: %s", out)
	code, _, errOut = runCLI(t, "", "upload", "--expect-sha256", "abc", f[0])
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "64 hex digits")
	code, _, errOut = runCLI(t, "", "verify")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "at least one file")
}
