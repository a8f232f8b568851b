//go:build unix

package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// verifiedAlbum uploads a folder "album" (a.txt, a hidden file, sub/b.txt)
// to a sandbox, then changes sub/b.txt and puts in it a file never
// uploaded, a symbolic link to a.txt and a named pipe: what verify DIR
// must tell apart. It returns the sandbox's URL, the folder as given and
// as its upload's listing names it (its real path).
func verifiedAlbum(t *testing.T) (url, dir, listed string) {
	t.Helper()
	sb := keyedSandbox(t)
	dir = filepath.Join(t.TempDir(), "album")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	for name, body := range map[string]string{"a.txt": "a\n", ".hidden": "hidden\n", "sub/b.txt": "b\n"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "b.txt"), []byte("b, edited\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "new.txt"), []byte("new\n"), 0o600))
	testfs.SymlinkOrSkip(t, filepath.Join(dir, "a.txt"), filepath.Join(dir, "link"))
	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600))
	return sb.URL, dir, worker.ListedFolder(dir)
}

// TestVerifyFolderVerifiesEachFileAsItsUploadListsThem: verify DIR
// verifies each regular file the folder holds, nested ones and hidden
// ones too, in the listing's order, with the line verify gives a file
// (changed since its upload, never uploaded); a symbolic link inside is
// not followed and a named pipe is skipped without a hang, each said as
// the upload says it; exit status 1, as a file not uploaded is there.
// Before, verify DIR said "is a folder, not a file" and verified nothing.
func TestVerifyFolderVerifiesEachFileAsItsUploadListsThem(t *testing.T) {
	url, dir, listed := verifiedAlbum(t)
	code, out, errOut := runCLI(t, "", "verify", "--env", url, dir)
	assert.Equal(t, 1, code, "new.txt and the changed sub/b.txt are not uploaded: %s", errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	at := func(name string) string { return filepath.Join(listed, name) + ": " }
	tests := []struct {
		name, want string
	}{
		{name: "a hidden file", want: at(".hidden") + "uploaded — same content as \".hidden\""},
		{name: "a file", want: at("a.txt") + "uploaded — same content as \"a.txt\""},
		{name: "a symbolic link, not followed", want: at("link") + "skipped — symbolic link — not followed; add the target itself"},
		{name: "a file never uploaded", want: at("new.txt") + "not uploaded to " + url + " (no upload has this content)"},
		{name: "a named pipe, skipped", want: at("pipe") + "skipped — this is a named pipe, not a regular file — only regular files are uploaded"},
		{name: "a nested file changed since", want: at(filepath.Join("sub", "b.txt")) + "not uploaded to " + url + " — it changed since it was uploaded from this path"},
	}
	require.Len(t, lines, len(tests), out)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.True(t, strings.HasPrefix(lines[i], tt.want), "line %d, in the listing's order:\n%s\nwant it to start %q", i, out, tt.want)
		})
	}

	require.NoError(t, os.Remove(filepath.Join(dir, "new.txt")))
	require.NoError(t, os.Remove(filepath.Join(dir, "sub", "b.txt")))
	code, out, errOut = runCLI(t, "", "verify", "--env", url, dir)
	assert.Equal(t, 0, code, "every file uploaded; a link and a pipe are skipped by design, as by the upload: %s%s", out, errOut)
}

// TestVerifyFolderJSON: verify --json DIR prints one JSON object per
// entry, a skipped one with the upload's reason and sentence.
func TestVerifyFolderJSON(t *testing.T) {
	url, dir, listed := verifiedAlbum(t)
	code, out, errOut := runCLI(t, "", "verify", "--env", url, "--json", dir)
	assert.Equal(t, 1, code, errOut)
	got := map[string]verifyResult{}
	skipped := map[string]string{} // path: the reason an upload skips it
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r verifyResult
		require.NoError(t, json.Unmarshal([]byte(line), &r), line)
		var skip struct {
			Skipped string `json:"skipped"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &skip), line)
		got[r.Path], skipped[r.Path] = r, skip.Skipped
	}
	require.Len(t, got, 6, out)
	assert.True(t, got[filepath.Join(listed, "a.txt")].Matches)
	assert.Equal(t, testutil.CIDOf(t, filepath.Join(dir, "a.txt")), got[filepath.Join(listed, "a.txt")].CID)
	assert.False(t, got[filepath.Join(listed, "new.txt")].Matches)
	assert.NotNil(t, got[filepath.Join(listed, "sub", "b.txt")].ChangedSince)
	link := got[filepath.Join(listed, "link")]
	assert.Equal(t, "symlink", skipped[filepath.Join(listed, "link")])
	assert.Contains(t, link.Error, "not followed")
	assert.Empty(t, link.CID, "not followed, not read")
	assert.Equal(t, "pipe", skipped[filepath.Join(listed, "pipe")])
	assert.Empty(t, skipped[filepath.Join(listed, "a.txt")])
}

// TestVerifyEmptyFolderSaysSo: verify of a folder holding nothing says
// so and exits 0 (nothing in it is unverified); --json prints no object
// and says it on stderr. A folder holding only an empty folder is not
// empty: that folder gets its line (TestVerifyFolderSaysEachEmptyFolder).
func TestVerifyEmptyFolderSaysSo(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, worker.ListedFolder(dir)+": no files in this folder — nothing to verify\n", out)

	code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, "--json", dir)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "no files in this folder")

	require.NoError(t, os.Mkdir(filepath.Join(dir, "inner"), 0o755))
	code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, dir)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, filepath.Join(worker.ListedFolder(dir), "inner")+": skipped — folder is empty\n", out)
	assert.Equal(t, "Verified 0 file(s) against "+sb.URL+": 0 uploaded · 1 skipped\n", errOut)
}

// TestVerifyFolderWithAnUnreadableFolder: a folder inside that cannot be
// read (nested deeper than a path may be: root cannot read it either)
// gets a line saying why, and exit status 1: its files are unverified.
func TestVerifyFolderWithAnUnreadableFolder(t *testing.T) {
	sb, _, dir := uploadedTrip(t, 2)
	testfs.DeepFolder(t, dir, "far.txt", testutil.Content("far", 100))
	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Contains(t, out, ": skipped — cannot read this folder: its path is longer than the system allows")
	assert.Equal(t, 2, strings.Count(out, ": uploaded — same content as"), out)
}

// TestVerifyFolderStopsWhenInterrupted: a verify whose context ends (Ctrl+C)
// stops listing the folder and exits 130, saying so.
func TestVerifyFolderStopsWhenInterrupted(t *testing.T) {
	sb, _, dir := uploadedTrip(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut strings.Builder
	code := Run(ctx, []string{"verify", "--env", sb.URL, dir}, IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	assert.Equal(t, exitStatusOf(syscall.SIGINT), code, "%s%s", out.String(), errOut.String())
	assert.Empty(t, out.String(), "no file verified")
	assert.Contains(t, errOut.String(), "interrupted")
}

// TestVerifyFolderFollowsNoLinkSwappedInAfterTheListing: a folder's file
// that becomes a symbolic link after its folder was read (here: while the
// file before it is hashed) to a file uploaded elsewhere is not verified
// through the link, as an upload of the folder does not send it: its line
// says it is now a link, never "uploaded — same content as" the link's
// target. Before, verify opened the entry following the link.
func TestVerifyFolderFollowsNoLinkSwappedInAfterTheListing(t *testing.T) {
	sb := keyedSandbox(t)
	base := t.TempDir()
	elsewhere := filepath.Join(base, "elsewhere.txt")
	require.NoError(t, os.WriteFile(elsewhere, []byte("uploaded elsewhere\n"), 0o600))
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, elsewhere)
	require.Equal(t, 0, code, errOut)
	dir := filepath.Join(base, "folder")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("first, read before b\n"), 0o600))
	b := filepath.Join(dir, "b.txt")
	require.NoError(t, os.WriteFile(b, []byte("never uploaded\n"), 0o600))
	swapped := false
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if swapped || filepath.Base(p) != "a.txt" {
			return
		}
		swapped = true
		require.NoError(t, os.Remove(b))
		testfs.SymlinkOrSkip(t, elsewhere, b)
	}))

	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	require.True(t, swapped, "the hook ran: %s%s", out, errOut)
	assert.Equal(t, 1, code, "b.txt is not a file of the folder that was uploaded: %s%s", out, errOut)
	line := ""
	for l := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(l, filepath.Join(worker.ListedFolder(dir), "b.txt")+": ") {
			line = l
		}
	}
	assert.NotContains(t, line, "uploaded — same content as", "the link swapped in was followed:\n%s", out)
	assert.Contains(t, line, "symbolic link", "its line says what it is now:\n%s", out)
}

// TestVerifyFolderListsNoFolderSwappedForALinkWhileItRuns: a folder
// inside the one verified that becomes a symbolic link while verify hashes
// the files listed before it (here: to a folder outside) is said to be a
// link and not listed into, as an upload of the folder would say it. Before,
// verify read the folder's entries once, hashed a.txt, then listed "sub"
// through the link: a line for each file of the folder outside
// (".../sub/private.txt: cannot verify: … is now a symbolic link"); a link
// to / listed the whole disk.
func TestVerifyFolderListsNoFolderSwappedForALinkWhileItRuns(t *testing.T) {
	sb := keyedSandbox(t)
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	require.NoError(t, os.MkdirAll(filepath.Join(outside, "deeper"), 0o755))
	for _, name := range []string{"private.txt", "deeper/secret.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(outside, name), []byte(name), 0o600))
	}
	dir := filepath.Join(base, "folder")
	sub := filepath.Join(dir, "sub")
	require.NoError(t, os.MkdirAll(sub, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("read before sub is listed\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "b.txt"), []byte("b\n"), 0o600))
	swapped := false
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if swapped || filepath.Base(p) != "a.txt" {
			return
		}
		swapped = true
		require.NoError(t, os.RemoveAll(sub))
		testfs.SymlinkOrSkip(t, outside, sub)
	}))

	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	require.True(t, swapped, "the hook ran: %s%s", out, errOut)
	assert.Equal(t, 1, code, "a.txt is not uploaded: %s%s", out, errOut)
	assert.NotContains(t, out, "private.txt", "the folder swapped in was listed through the link")
	assert.NotContains(t, out, "secret.txt", "the folder swapped in was listed through the link")
	assert.Contains(t, out, filepath.Join(worker.ListedFolder(dir), "sub")+": skipped — symbolic link — not followed", "its line says what it is now")
}

// TestVerifyFolderReplacedByALinkWhileVerifiedStops: the folder verified
// itself moved away while its files are read, a symbolic link to another
// folder put at its path: verify stops, says the folder was moved or
// replaced and to verify it again (exit 1), and prints no file of the
// other folder under the folder's path. Before, it went on through the
// link: ".../folder/b.txt: uploaded — same content as …" for the other
// folder's b.txt, a file of the folder verified that was never read.
func TestVerifyFolderReplacedByALinkWhileVerifiedStops(t *testing.T) {
	sb := keyedSandbox(t)
	base := t.TempDir()
	other := filepath.Join(base, "other")
	require.NoError(t, os.Mkdir(other, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(other, "b.txt"), []byte("someone else's, uploaded\n"), 0o600))
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, filepath.Join(other, "b.txt"))
	require.Equal(t, 0, code, errOut)
	dir := filepath.Join(base, "folder")
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("read first\n"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "b.txt"), []byte("mine, never uploaded\n"), 0o600))
	listed := worker.ListedFolder(dir)
	swapped := false
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if swapped || filepath.Base(p) != "a.txt" {
			return
		}
		swapped = true
		require.NoError(t, os.Rename(dir, dir+"-moved"))
		testfs.SymlinkOrSkip(t, other, dir)
	}))

	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, dir)
	require.True(t, swapped, "the hook ran: %s%s", out, errOut)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.NotContains(t, out, filepath.Join(listed, "b.txt"), "a file of the other folder said under the folder's path")
	assert.Contains(t, errOut, inert.Text(listed)+" was moved or replaced while it was verified")
	assert.Contains(t, errOut, "verify it again")
}

// TestVerifyFolderStopsOnCtrlC: Ctrl+C pressed for a real `verify DIR`
// (SIGINT to its process) stops it as its context's end does: it says the
// files after the last line were not verified and exits 130. Before, no
// handler caught the signal: the process died of it, mid-listing, with no
// word said. The child's output is not read past its first line until the
// signal is sent, so the full pipe holds it in the middle of the folder.
func TestVerifyFolderStopsOnCtrlC(t *testing.T) {
	const files = 1000 // far more lines than a pipe holds
	sb := keyedSandbox(t)
	_, dir := trip(t, files)
	cmd := testutil.ChildCommand("verify", "--env", sb.URL, dir)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	startInterruptible(t, cmd)
	t.Cleanup(func() { _ = cmd.Process.Kill() }) // none left blocked on its output
	lines := bufio.NewReader(stdout)
	first, err := lines.ReadString('\n')
	if err != nil {
		_ = cmd.Wait() // its stderr is complete once it has ended
		t.Fatalf("verify printed no line (%v): %s", err, errOut.String())
	}
	require.Contains(t, first, "not uploaded", "it is verifying the folder")

	interrupt(t, cmd) // Ctrl+C
	rest, err := io.ReadAll(lines)
	require.NoError(t, err)
	_ = cmd.Wait()
	assert.Equal(t, exitStatusOf(syscall.SIGINT), cmd.ProcessState.ExitCode(), "%s", cmd.ProcessState)
	assert.Contains(t, errOut.String(), "verify was interrupted: the files after the last line printed were not verified")
	assert.Regexp(t, `were not verified; before it, verified [0-9,]+ file\(s\) against `+regexp.QuoteMeta(sb.URL)+`: 0 uploaded · [0-9,]+ not uploaded\n$`,
		errOut.String(), "one sentence says the stop and what was counted before it")
	assert.NotContains(t, errOut.String(), "\nVerified ", "no second count says the run was whole")
	assert.Less(t, strings.Count(first+string(rest), "\n"), files, "the files after Ctrl+C are not verified")
}

// TestVerifyStoppedWhileAFileIsReadSaysNothingOfIt: a Ctrl+C while a
// file is being read printed that file as "cannot verify" (the read
// stopped) and counted it as one that could not be verified, though the
// closing sentence says the files after the last line printed were not
// verified (CI s26c: "… 1 not uploaded · 1 could not be verified"). The
// file being read when verify is stopped is one of those after: no line,
// not counted.
func TestVerifyStoppedWhileAFileIsReadSaysNothingOfIt(t *testing.T) {
	sb, _, dir := uploadedTrip(t, 3)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := ""
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if first == "" {
			first = p
		} else if p != first { // the second file's read: the first was printed
			cancel()
		}
	}))
	var out, errOut strings.Builder
	code := Run(ctx, []string{"verify", "--env", sb.URL, dir}, IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	assert.Equal(t, exitStatusOf(syscall.SIGINT), code, "%s%s", out.String(), errOut.String())
	assert.Equal(t, 1, strings.Count(out.String(), "\n"), "only the file read whole has a line:\n%s", out.String())
	assert.NotContains(t, out.String(), "cannot verify")
	assert.Contains(t, errOut.String(), "verify was interrupted: the files after the last line printed were not verified; before it, verified 1 file(s)")
	assert.NotContains(t, errOut.String(), "could not be verified")
}
