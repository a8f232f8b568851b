package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestVerifyOnWindowsHoweverTyped: on Windows, verify finds a file's
// upload from its path however the file or its folder is typed (another
// case, the \\?\ form, through a junction): a file changed since its
// upload is said to be so, not "no upload has this content", as the
// upload records the path spelled as on disk. Junctions inside a folder
// verified, one looping back into it and one leading out, are skipped as
// the folder's upload skips them: no hang, nothing behind them read.
func TestVerifyOnWindowsHoweverTyped(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 2)
	require.NoError(t, os.WriteFile(files[1], []byte("edited since\n"), 0o600))
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "private.txt"), []byte("private\n"), 0o600))
	junction := filepath.Join(t.TempDir(), "trip-junction")
	testfs.JunctionOrSkip(t, dir, junction)
	testfs.JunctionOrSkip(t, dir, filepath.Join(dir, "loop"))
	testfs.JunctionOrSkip(t, outside, filepath.Join(dir, "out"))

	for name, typed := range map[string]string{
		"as uploaded":        dir,
		"upper case":         strings.ToUpper(dir),
		"lower case":         strings.ToLower(dir),
		"the long form":      `\\?\` + dir,
		"through a junction": junction,
	} {
		t.Run(name+", the folder", func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, typed)
			assert.Equal(t, 1, code, "%s\n%s", out, errOut)
			assert.Equal(t, 1, strings.Count(out, ": uploaded — same content as"), out)
			assert.Equal(t, 1, strings.Count(out, "it changed since it was uploaded from this path"), out)
			assert.Equal(t, 2, strings.Count(out, "skipped — "), out)
			assert.NotContains(t, out, "private.txt")
			assert.Contains(t, errOut, "2 skipped")
		})
		t.Run(name+", the file", func(t *testing.T) {
			file := filepath.Join(typed, filepath.Base(files[1]))
			code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, file)
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, out, "it changed since it was uploaded from this path", file)
		})
	}
}
