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

// cid prints one CID per file, in order, the ones `ipfs add -n -Q` prints
// (DSTOR_API.md's vectors and the computed CID of a multi-chunk file),
// without signing in; it stops at the first file it cannot read.
func TestCIDCommand(t *testing.T) {
	dir := t.TempDir()
	hello := filepath.Join(dir, "hello.txt")
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(hello, []byte("hello world\n"), 0o600))
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	big := testutil.WriteFile(t, filepath.Join(dir, "big.bin"), 3*262144+17)

	code, out, errOut := runCLI(t, "", "cid", hello, empty, big)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, []string{
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
		"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
		testutil.CIDOf(t, big), // api's tests compare it with boxo
	}, strings.Fields(out))

	code, out, errOut = runCLI(t, "", "cid", hello, filepath.Join(dir, "missing"), empty)
	assert.Equal(t, 1, code)
	assert.Equal(t, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o\n", out, "nothing after the failed file")
	assert.Contains(t, errOut, "does not exist")

	code, _, errOut = runCLI(t, "", "cid")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "name at least one file")
}

// TestEmptyFileArgumentIsAUsageError: an empty argument ("", as an unset
// shell variable in "$FILE" gives) names no file: cid and verify refuse it
// before reading any file, with exit status 2 and a sentence of their own,
// not upload's "choose a file to upload".
func TestEmptyFileArgumentIsAUsageError(t *testing.T) {
	hello := filepath.Join(t.TempDir(), "hello.txt")
	require.NoError(t, os.WriteFile(hello, []byte("hello world\n"), 0o600))
	t.Setenv("DSTOR_UPLOADER_HOME", t.TempDir())
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"cid of an empty argument", []string{"cid", ""}, `dstor-uploader cid: argument 1 is empty ("") and names no file`},
		{"cid of a file, then an empty argument", []string{"cid", hello, ""}, `dstor-uploader cid: argument 2 is empty ("") and names no file`},
		{"verify of an empty argument", []string{"verify", ""}, `dstor-uploader verify: argument 1 is empty ("") and names no file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			assert.Equal(t, 2, code, errOut)
			assert.Empty(t, out, "refused before any file is read")
			assert.Contains(t, errOut, tt.want)
			assert.NotContains(t, errOut, "choose a file to upload")
		})
	}
}
