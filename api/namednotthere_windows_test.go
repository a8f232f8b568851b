package api

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNamedPathOnADriveNotThereIsNoNameToCheck: a path named on a drive
// letter that is not there now (a USB drive unplugged) is not said to be a
// name typed wrong, though Windows answers "path not found" for it as for
// a typo: its absence is not sure, so upload queues it as before, to retry
// once the drive is back. A typo on a drive that is there still is one.
func TestNamedPathOnADriveNotThereIsNoNameToCheck(t *testing.T) {
	drive := ""
	for l := 'Q'; l <= 'Y' && drive == ""; l++ {
		if _, err := os.Lstat(string(l) + `:\`); err != nil {
			drive = string(l) + ":"
		}
	}
	if drive == "" {
		t.Skip("every drive letter from Q: to Y: is there")
	}
	p := drive + `\photos\trip.jpg`
	_, err := os.Lstat(p)
	require.True(t, Gone(err), "Windows says a path on %s is not there: %v", drive, err)
	assert.NoError(t, NamedNotThere(p, p), "the drive may be unplugged: no name to check")
	assert.ErrorContains(t, NamedNotThere(filepath.Join(t.TempDir(), "reprot.pdf"), ""), "does not exist — check the name")
}

// TestFileNamedAsAFolderIsNotThereOnWindows: `type notes.txt\` fails
// (Windows opens no file by a name with a separator after it: "the
// filename, directory name, or volume label syntax is incorrect"), but
// `upload notes.txt\` uploaded notes.txt: AbsPath cleaned the separator
// away, as filepath.Abs does. It is kept now, as off Windows, so the path
// is said to go through a file; a folder named with one is the folder,
// and "notes.txt\.", which Windows opens as notes.txt, stays that file.
func TestFileNamedAsAFolderIsNotThereOnWindows(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("notes"), 0o600))
	t.Chdir(dir)
	for _, typed := range []string{`notes.txt\`, `notes.txt/`, notes + `\`, `sub\..\notes.txt\`} {
		abs, err := AbsPath(typed)
		require.NoError(t, err)
		assert.Equal(t, notes+`\`, abs, typed)
		_, err = os.Open(abs)
		require.Error(t, err, "Windows opens no file by %q", abs)
		assert.ErrorContains(t, NamedNotThere(abs, typed), `its path goes through "`+notes+`", a file, not a folder: check the path`, typed)
	}
	for typed, want := range map[string]string{`notes.txt\.`: notes, `.\`: dir} {
		abs, err := AbsPath(typed)
		require.NoError(t, err)
		assert.Equal(t, want, abs, typed)
		assert.NoError(t, NamedNotThere(abs, typed), typed)
	}
}
