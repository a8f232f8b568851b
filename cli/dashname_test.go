package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFileNamedLikeAFlagSaysHowToGiveIt: a file whose name begins with "-"
// given as it is ("upload -rf.txt") is taken for flags, as by any command
// line; the usage error says that it names a file here and how to give it
// (./-rf.txt, or -- before it; .\-rf.txt on Windows, which cmd and
// PowerShell take), and both ways upload it. An argument that names
// nothing here gets the flag parser's error alone.
func TestFileNamedLikeAFlagSaysHowToGiveIt(t *testing.T) {
	sb := keyedSandbox(t)
	here := "." + string(filepath.Separator) // the way the system's shell names a file here
	dir := t.TempDir()
	t.Chdir(dir)
	for _, n := range []string{"-rf.txt", "--notes.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("named "+n), 0o600))
	}
	tests := []struct {
		args []string
		hint string // "" when none
	}{
		{[]string{"upload", "--env", sb.URL, "-rf.txt"}, `"-rf.txt" is a file or folder here: to give it, write ` + here + `-rf.txt or put -- before it`},
		{[]string{"upload", "--env", sb.URL, "--notes.txt"}, `"--notes.txt" is a file or folder here: to give it, write ` + here + `--notes.txt or put -- before it`},
		{[]string{"cid", "-rf.txt"}, `"-rf.txt" is a file or folder here`},
		{[]string{"verify", "--env", sb.URL, "--notes.txt"}, `"--notes.txt" is a file or folder here`},
		{[]string{"upload", "--env", sb.URL, "-zz.txt"}, ""},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, "", tt.args...)
		assert.Equal(t, 2, code, "%v: %s", tt.args, errOut)
		if tt.hint == "" {
			assert.NotContains(t, errOut, "file or folder here", tt.args)
			continue
		}
		assert.Contains(t, errOut, tt.hint, tt.args)
	}

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--json", "--", "-rf.txt")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"name":"-rf.txt"`)
	code, out, errOut = runCLI(t, "", "upload", "--env", sb.URL, "--json", here+"--notes.txt")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"name":"--notes.txt"`)
}
