//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNameOfSpacesPrintedQuoted: a file named only with spaces (Linux
// allows it; Windows drops a name's trailing spaces) was printed as it is
// at the end of upload's and history's "<hash>  <link>  <name>" line,
// where it shows as nothing, and "   " as " ". It is printed quoted, as
// the window shows it and a Markdown or HTML link's text gives it.
func TestNameOfSpacesPrintedQuoted(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	for _, n := range []string{" ", "   "} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("named "+n+"."), 0o600))
	}
	for _, n := range []string{" ", "   "} {
		code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, filepath.Join(dir, n))
		require.Equal(t, 0, code, errOut)
		assert.True(t, strings.HasSuffix(out, `  "`+n+`"`+"\n"), "upload prints the name quoted: %q", out)
	}
	code, out, errOut := runCLI(t, "", "history")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 2, out)
	assert.True(t, strings.HasSuffix(lines[0], `  "   "`), "history prints the name quoted: %q", lines[0])
	assert.True(t, strings.HasSuffix(lines[1], `  " "`), "history prints the name quoted: %q", lines[1])
}
