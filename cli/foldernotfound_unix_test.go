//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
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

// TestFolderListOfAPathTheSystemRefusesSaysWhatIsWrong: history --folder
// given a path the system refuses to look at told the person to upload
// it ("upload it with `dstor-uploader upload PATH`"), which fails the
// same way: a path through a file (a file's name typed as a folder's), a
// name longer than a name may be, a path longer than the system takes,
// a folder on the path the user may not open. Each now says what is
// wrong and to check the path; all exit 1.
func TestFolderListOfAPathTheSystemRefusesSaysWhatIsWrong(t *testing.T) {
	uploadedTrip(t, 1)
	notes := testutil.WriteFile(t, filepath.Join(t.TempDir(), "notes.txt"), 10)
	longName := filepath.Join(t.TempDir(), strings.Repeat("n", 300))
	longPath := t.TempDir() + strings.Repeat("/"+strings.Repeat("p", 200), 25)
	locked := filepath.Join(t.TempDir(), "locked")
	require.NoError(t, os.Mkdir(locked, 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(locked, "sub"), 0o700))
	require.NoError(t, os.Chmod(locked, 0))
	t.Cleanup(func() { _ = os.Chmod(locked, 0o700) })
	tests := []struct {
		name, path string
		rootSees   bool // root is not refused
		says       []string
	}{
		{"a path through a file", filepath.Join(notes, "x"), false, []string{
			notes + " on its way is a file, not a folder", "check the path"}},
		{"a path on through a file", filepath.Join(notes, "x", "y"), false, []string{
			notes + " on its way is a file, not a folder"}},
		{"a name too long", longName, false, []string{
			"a name in that path is longer than the system allows (255 bytes)", "check the path for a mistake"}},
		{"a path too long", longPath, false, []string{
			"that path is longer than the system takes", "check the path for a mistake"}},
		{"a folder on the path not yours to open", filepath.Join(locked, "sub"), true, []string{
			"the system does not let you look at it (permission denied)", "check the path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.rootSees && os.Geteuid() == 0 {
				t.Skip("root may open a folder of mode 0: run as another user to see the refusal")
			}
			code, out, errOut := runCLI(t, "", "history", "--folder", tt.path)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, "no upload of the folder")
			for _, s := range tt.says {
				assert.Contains(t, errOut, s)
			}
			assert.NotContains(t, errOut, "upload it with", "uploading it cannot work")
		})
	}
}
