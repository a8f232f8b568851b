package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestUploadOfAFolderTooDeepForDStorSaysItOnce: a folder added whole with
// a folder inside whose path on dStor would be longer than dStor takes
// (five nested names of 250 bytes) says so once, on that folder's line,
// with what to do, and the summary counts it apart from folders that
// could not be read; the rest uploads and the run exits 1 (not all of the
// folder was uploaded).
func TestUploadOfAFolderTooDeepForDStorSaysItOnce(t *testing.T) {
	sb := keyedSandbox(t)
	useByDefault(t, sb.URL)
	dir := filepath.Join(t.TempDir(), "deep")
	far := dir
	for _, c := range "abcde" {
		far = filepath.Join(far, strings.Repeat(string(c), 250))
	}
	require.NoError(t, os.MkdirAll(far, 0o755))
	for _, f := range []string{filepath.Join(dir, "top.txt"), filepath.Join(far, "f1.txt"), filepath.Join(far, "f2.txt")} {
		require.NoError(t, os.WriteFile(f, testutil.Content(filepath.Base(f), 100), 0o600))
	}
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	assert.Equal(t, 1, code, errOut)
	assert.Equal(t, 1, strings.Count(out, "\n"), "top.txt uploads: %s", out)
	assert.Equal(t, 1, strings.Count(errOut, "SKIPPED"), errOut)
	assert.NotContains(t, errOut, "FAILED")
	assert.Contains(t, errOut, "SKIPPED  "+far+": on dStor this folder's path would be 1261 bytes, more than the 1024 dStor allows")
	assert.Contains(t, errOut, "Uploaded 1 file(s)")
	assert.Contains(t, errOut, "· 1 skipped (1 of them a folder whose path on dStor would be too long)")
}

// TestFolderListOfAnUploadWithAFolderTooDeepSaysSo: history --folder of
// a folder whose upload skipped a folder inside as too deep for dStor's
// folder paths said its file(s) "were canceled, could not be read, or
// were removed from the queue": none of it happened (the folder, one
// skipped row, was read; its path on dStor was too long). It now says
// what did, with what to do, apart from the files that were dropped, and
// still exits 1: the list is not the whole folder.
func TestFolderListOfAnUploadWithAFolderTooDeepSaysSo(t *testing.T) {
	sb := keyedSandbox(t)
	useByDefault(t, sb.URL)
	dir := filepath.Join(t.TempDir(), "deep")
	far := dir
	for _, c := range "abcde" {
		far = filepath.Join(far, strings.Repeat(string(c), 250))
	}
	require.NoError(t, os.MkdirAll(far, 0o755))
	for _, f := range []string{filepath.Join(dir, "top.txt"), filepath.Join(far, "f1.txt")} {
		require.NoError(t, os.WriteFile(f, testutil.Content(filepath.Base(f), 100), 0o600))
	}
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 1, code, errOut)

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, "not the folder's whole list: %s", errOut)
	assert.Equal(t, 1, strings.Count(out, "\n"), "top.txt: %s", out)
	assert.NotContains(t, errOut, "could not be read", "the folder was read")
	assert.NotContains(t, errOut, "canceled")
	assert.Contains(t, errOut, "Not the whole folder: 1 folder(s) in this upload of "+dir+
		" were skipped with everything in them, as their paths on dStor would be longer than the 1024 bytes dStor allows")
	assert.Contains(t, errOut, "upload the folder again")
}
