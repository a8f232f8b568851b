//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderListOfASpecialFileOrALoopSaysWhatItIs: history --folder given
// a device (/dev/zero) said it "is a file" and to search the history for
// its name, and a loop of symbolic links (or a path through one) was
// told to be uploaded, which fails the same way. A device or a named
// pipe is named as what it is, not a folder, with what --folder takes; a
// loop is said to be one, with what to do. All exit 1 and suggest no
// upload.
func TestFolderListOfASpecialFileOrALoopSaysWhatItIs(t *testing.T) {
	_, _, dir := uploadedTrip(t, 1)
	pipe := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(pipe, 0o600))
	loops := t.TempDir()
	loop := filepath.Join(loops, "a")
	require.NoError(t, os.Symlink(filepath.Join(loops, "b"), loop))
	require.NoError(t, os.Symlink(loop, filepath.Join(loops, "b")))
	tests := []struct {
		name, path string
		says       []string
	}{
		{"a device", "/dev/zero", []string{
			"/dev/zero is a device, not a folder", "give the path of a folder you uploaded"}},
		{"a named pipe", pipe, []string{
			pipe + " is a named pipe, not a folder", "give the path of a folder you uploaded"}},
		{"a loop of links", loop, []string{
			loop + " goes round a loop of symbolic links", "point the link at the folder, or give the folder's own path"}},
		{"a path through a loop", filepath.Join(loop, "sub"), []string{
			filepath.Join(loop, "sub") + " goes round a loop of symbolic links"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "history", "--folder", tt.path)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Empty(t, out)
			for _, s := range tt.says {
				assert.Contains(t, errOut, s)
			}
			assert.NotContains(t, errOut, "upload it with", "uploading it cannot work")
			assert.NotContains(t, errOut, "is a file", "not a file")
			assert.NotContains(t, errOut, "--search")
		})
	}
	_, err := os.Stat(dir)
	require.NoError(t, err)
}
