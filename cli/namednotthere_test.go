package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestUploadOfAPathNotThereIsNotQueued: a path named on the command line
// that is not there as the command starts (a name typed wrong) was failed
// in the queue like a file deleted before its turn: its FAILED line said
// "it may have been moved or deleted; put it back, then retry it", and
// every later "resume" said its file was "no longer there". It is now
// said on its own line, with what to check, counts as failed (exit 1, the
// other paths still upload), and is not queued: "resume" finds nothing.
// With --json it is the object of any failed file.
func TestUploadOfAPathNotThereIsNotQueued(t *testing.T) {
	dir := t.TempDir()
	notes := testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), 10)
	tests := []struct {
		name, path, want string
		unixOnly         bool // a symbolic link needs a privilege on Windows
	}{
		{"a name typed wrong", filepath.Join(dir, "reprot.pdf"),
			`"` + filepath.Join(dir, "reprot.pdf") + `" does not exist — check the name`, false},
		{"a name typed wrong, relative", "reprot.pdf", // said absolute, as the queue names files
			`"` + filepath.Join(dir, "reprot.pdf") + `" does not exist — check the name`, false},
		{"in a folder not there", filepath.Join(dir, "no-folder", "report.pdf"),
			`"` + filepath.Join(dir, "no-folder", "report.pdf") + `" does not exist — check the name`, false},
		{"through a file", filepath.Join(notes, "x"),
			`"` + filepath.Join(notes, "x") + `" does not exist — its path goes through "` + notes + `", a file, not a folder: check the path`, false},
		{"a symbolic link to nothing", filepath.Join(dir, "link.pdf"),
			`"` + filepath.Join(dir, "link.pdf") + `" is a symbolic link to "gone.pdf", which does not exist — point the link at the file, or name the file itself`, true},
		{"through a symbolic link to nothing", filepath.Join(dir, "proj", "link", "report.pdf"),
			`"` + filepath.Join(dir, "proj", "link", "report.pdf") + `" does not exist — its path goes through "` + filepath.Join(dir, "proj", "link") +
				`", a symbolic link to "../gone", which does not exist: point the link at the folder, or name the file's own path`, true},
	}
	if runtime.GOOS != "windows" {
		require.NoError(t, os.Symlink("gone.pdf", filepath.Join(dir, "link.pdf")))
		require.NoError(t, os.Mkdir(filepath.Join(dir, "proj"), 0o700))
		require.NoError(t, os.Symlink("../gone", filepath.Join(dir, "proj", "link")))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unixOnly && runtime.GOOS == "windows" {
				t.Skip("unix only")
			}
			sb := keyedSandbox(t)
			good := makeFiles(t, t.TempDir(), 1, func(int) int { return 1000 })[0]
			t.Chdir(dir)
			abs := filepath.Join(dir, strings.TrimPrefix(tt.path, dir))

			code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, good, tt.path)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Contains(t, out, testutil.CIDOf(t, good), "the other path still uploads")
			assert.Contains(t, errOut, "FAILED  "+abs+": "+tt.want+"\n")
			assert.NotContains(t, errOut, "put it back")
			assert.NotContains(t, errOut, "moved or deleted")
			assert.Contains(t, errOut, "Uploaded 1 file(s)")
			assert.Contains(t, errOut, " · 1 failed")

			code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--json", tt.path, tt.path)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			var rec map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &rec), "one object, for a path named twice: %s", out)
			assert.Equal(t, map[string]any{"name": filepath.Base(tt.path), "path": abs, "state": "failed",
				"size": 0.0, "verified": false, "attempts": 0.0, "error": tt.want}, rec)
			assert.Contains(t, errOut, "Uploaded 0 file(s), 0 bytes, in ")
			assert.Contains(t, errOut, " · 1 failed")
			assert.Equal(t, 1, sb.Uploads())

			code, _, errOut = runCLI(t, "", "resume", "--env", sb.URL)
			assert.Equal(t, 0, code, errOut)
			assert.Equal(t, "Nothing to resume: the queue is empty.\n", errOut, "nothing was queued")
		})
	}
}

// TestDashIsNoStandardInput: "-" names standard input to many tools;
// upload, cid and verify read none, and said '"-" does not exist — it
// may have been moved or deleted'. Where no file "-" is, they now say
// that standard input is not read and what to do (a usage error, exit
// 2); a file named "-" is still taken.
func TestDashIsNoStandardInput(t *testing.T) {
	sb := keyedSandbox(t)
	t.Chdir(t.TempDir())
	for _, args := range [][]string{
		{"upload", "--env", sb.URL, "-"},
		{"upload", "--env", sb.URL, "--", "-"},
		{"cid", "-"},
		{"verify", "--env", sb.URL, "-"},
	} {
		code, out, errOut := runCLI(t, "data", args...)
		assert.Equal(t, 2, code, "%v: %s%s", args, out, errOut)
		assert.Contains(t, errOut, `"-" names no file here, and dstor-uploader does not read standard input: `+
			`save what you would send it to a file (… > FILE) and name that file`, args)
		assert.NotContains(t, errOut, "moved or deleted", args)
	}
	assert.Equal(t, 0, sb.Uploads())

	require.NoError(t, os.WriteFile("-", []byte("a file named -"), 0o600))
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--json", "-")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"name":"-"`)
	code, out, errOut = runCLI(t, "", "cid", "-")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, testutil.CIDOf(t, "-"), strings.TrimSpace(out))
	code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, "-")
	assert.Equal(t, 0, code, "%s%s", out, errOut)
}

// TestCIDAndVerifyOfAPathNotThereSayCheckTheName: cid and verify of a
// path not there as they start (a name typed wrong, a path through a
// file, a symbolic link to nothing) said what an upload says of a file
// seen before: '"…" does not exist — it may have been moved or deleted'.
// They now say what upload says of a path named so: to check the name,
// the path, or the link. The exit status stays 1. A link to nothing named
// with a separator after it (proj/link/, as tab completion writes a
// link's name) was said to be a path through proj/link: it is the link.
// A chain of links to nothing named the first link's target as not there,
// though it is (a link): it names the link that leads to nothing.
func TestCIDAndVerifyOfAPathNotThereSayCheckTheName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	notes := testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), 10)
	tests := []struct {
		name, path, want string
		unixOnly         bool // a symbolic link needs a privilege on Windows
	}{
		{"a name typed wrong", "reprot.pdf", `"reprot.pdf" does not exist — check the name`, false},
		{"through a file", filepath.Join(notes, "x"),
			`"` + filepath.Join(notes, "x") + `" does not exist — its path goes through "` + notes + `", a file, not a folder: check the path`, false},
		{"a symbolic link to nothing", "link.pdf",
			`"link.pdf" is a symbolic link to "gone.pdf", which does not exist — point the link at the file, or name the file itself`, true},
		{"through a symbolic link to nothing", "proj/link/report.pdf",
			`"proj/link/report.pdf" does not exist — its path goes through "proj/link", a symbolic link to "../gone", which does not exist: ` +
				`point the link at the folder, or name the file's own path`, true},
		{"a chain of symbolic links to nothing", "chain.pdf",
			`"chain.pdf" is a symbolic link that leads to "link.pdf", a symbolic link to "gone.pdf", which does not exist — point the link at the file, or name the file itself`, true},
		{"a symbolic link to nothing, a separator after it", "proj/link/",
			`"proj/link/" is a symbolic link to "../gone", which does not exist — point the link at the file, or name the file itself`, true},
	}
	if runtime.GOOS != "windows" {
		require.NoError(t, os.Symlink("gone.pdf", filepath.Join(dir, "link.pdf")))
		require.NoError(t, os.Symlink("link.pdf", filepath.Join(dir, "chain.pdf")))
		require.NoError(t, os.Mkdir(filepath.Join(dir, "proj"), 0o700))
		require.NoError(t, os.Symlink("../gone", filepath.Join(dir, "proj", "link")))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unixOnly && runtime.GOOS == "windows" {
				t.Skip("unix only")
			}
			code, out, errOut := runCLI(t, "", "cid", tt.path)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Contains(t, errOut, "dstor-uploader cid: "+tt.want+"\n")

			code, out, errOut = runCLI(t, "", "verify", "--env", "testnet", tt.path)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Contains(t, out, tt.path+": cannot verify: "+tt.want+"\n", errOut)
		})
	}
}

// TestUploadOfAQuotedTildeSaysThePathItStandsFor: `upload "~/report.pdf"`
// (quoted, so the shell left ~ as it was; cmd never replaces it) said
// '"…/~/report.pdf" does not exist — check the name', though the name was
// right. It now says that ~ was not expanded and names the file it stands
// for, on upload (its path absolute, as the queue names files), cid and
// verify; nothing is uploaded.
//
// A ~ not at the start of the path as typed (`upload /data/~/report.pdf`,
// a folder named ~ meant) got the same hint, though no shell replaces a ~
// there: it is now a name to check.
func TestUploadOfAQuotedTildeSaysThePathItStandsFor(t *testing.T) {
	sb := keyedSandbox(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	report := testutil.WriteFile(t, filepath.Join(home, "report.pdf"), 10)
	dir := t.TempDir()
	t.Chdir(dir)
	typed := "~" + string(filepath.Separator) + "report.pdf"
	why := `~ is not expanded inside quotes: write it outside them, or the full path, "` + report + `"`
	if runtime.GOOS == "windows" {
		why = `~ is not expanded on Windows: write %USERPROFILE% for it, or the full path, "` + report + `"`
	}
	abs := filepath.Join(dir, typed)

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, typed)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, "FAILED  "+abs+`: "`+abs+`" does not exist — `+why+"\n")
	assert.Equal(t, 0, sb.Uploads())

	code, out, errOut = runCLI(t, "", "cid", typed)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, `dstor-uploader cid: "`+typed+`" does not exist — `+why+"\n")

	code, out, errOut = runCLI(t, "", "verify", "--env", "testnet", typed)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, out, typed+`: cannot verify: "`+typed+`" does not exist — `+why+"\n", errOut)

	require.NoError(t, os.Mkdir(filepath.Join(dir, "data"), 0o700))
	middle := filepath.Join(dir, "data", "~", "report.pdf")
	code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, middle)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, "FAILED  "+middle+`: "`+middle+`" does not exist — check the name`+"\n")
	relative := filepath.Join("data", "~", "report.pdf")
	code, out, errOut = runCLI(t, "", "cid", relative)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, errOut, `dstor-uploader cid: "`+relative+`" does not exist — check the name`+"\n")
	assert.Equal(t, 0, sb.Uploads())
}
