package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestCIDVerifyAndUploadTakeTheSamePaths: on Windows, which drops a name's
// trailing dots and spaces and reads "\." and "sub\.." as text,
// `upload notes.txt.` (and `notes.txt\.`, `"notes.txt "`,
// `sub\..\notes.txt`) uploaded notes.txt, while `cid` and `verify` of the
// same path said '"notes.txt." does not exist — it may have been moved or
// deleted'. Each command now takes what the others take, and refuses
// `notes.txt\`, which Windows opens nothing by, with one sentence.
// Elsewhere "notes.txt." is another name: no command takes it for
// notes.txt, and a file of that name is its own.
func TestCIDVerifyAndUploadTakeTheSamePaths(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	t.Chdir(dir)
	notes := testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), 10)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, notes)
	require.Equal(t, 0, code, errOut)
	want := testutil.CIDOf(t, notes)

	if runtime.GOOS != "windows" {
		for _, typed := range []string{"notes.txt.", "notes.txt ", "notes.txt. ."} {
			assertRefusedAlike(t, sb.URL, typed, filepath.Join(dir, typed), "check the name", "check the name")
		}
		require.NoError(t, os.WriteFile("notes.txt.", []byte("another file"), 0o600))
		code, out, errOut := runCLI(t, "", "cid", "notes.txt.")
		require.Equal(t, 0, code, errOut)
		assert.Equal(t, testutil.CIDOf(t, "notes.txt."), strings.TrimSpace(out))
		assert.NotEqual(t, want, strings.TrimSpace(out), `"notes.txt." is another file`)
		return
	}
	for _, typed := range []string{`notes.txt.`, `notes.txt\.`, `notes.txt `, `notes.txt. .`, `sub\..\notes.txt`, notes + `.`} {
		code, out, errOut := runCLI(t, "", "cid", typed)
		assert.Equal(t, 0, code, "cid %s: %s", typed, errOut)
		assert.Equal(t, want+"\n", out, "cid %s", typed)
		code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, typed)
		assert.Equal(t, 0, code, "verify %s: %s%s", typed, out, errOut)
		assert.Contains(t, out, typed+": uploaded — same content as", "verify %s", typed)
		code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, typed)
		assert.Equal(t, 0, code, "upload %s: %s%s", typed, out, errOut)
	}
	assert.Equal(t, 1, sb.Uploads(), "every spelling is notes.txt, uploaded once")
	assertRefusedAlike(t, sb.URL, `notes.txt\`, notes+`\`, `its path goes through "`+notes+`", a file, not a folder: check the path`,
		`its path goes through "notes.txt", a file, not a folder: check the path`)
}

// assertRefusedAlike checks that upload, cid and verify all refuse the
// path typed with one sentence: "does not exist — " and why, which names
// paths absolute in upload's (whyAbs: the queue names files so, typed
// made abs) and as typed in cid's and verify's (whyTyped).
func assertRefusedAlike(t *testing.T, env, typed, abs, whyAbs, whyTyped string) {
	t.Helper()
	code, out, errOut := runCLI(t, "", "upload", "--env", env, typed)
	assert.Equal(t, 1, code, "upload %s: %s%s", typed, out, errOut)
	assert.Contains(t, errOut, "FAILED  "+abs+`: "`+abs+`" does not exist — `+whyAbs+"\n", "upload %s", typed)
	code, out, errOut = runCLI(t, "", "cid", typed)
	assert.Equal(t, 1, code, "cid %s: %s%s", typed, out, errOut)
	assert.Contains(t, errOut, `dstor-uploader cid: "`+typed+`" does not exist — `+whyTyped+"\n", "cid %s", typed)
	code, out, errOut = runCLI(t, "", "verify", "--env", env, typed)
	assert.Equal(t, 1, code, "verify %s: %s%s", typed, out, errOut)
	assert.Contains(t, out, typed+`: cannot verify: "`+typed+`" does not exist — `+whyTyped+"\n", "verify %s", typed)
}
