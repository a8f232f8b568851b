package api

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCIDAndVerifyTakeAPathAsWindowsReadsIt: Windows drops a name's
// trailing dots and spaces and reads "\." and "dir\.." as text, so
// `type notes.txt.`, `type notes.txt\.`, `type "notes.txt "` and
// `type sub\..\notes.txt` all print notes.txt, and `upload` takes each for
// it (AbsPath). `cid` and `verify` (FileCID, HashFile) said each "does not
// exist": they opened the path as typed, its last name relative to its
// folder, which Windows reads as written. They now open what AbsPath
// makes of it, as upload does, and refuse `notes.txt\`, which Windows
// opens nothing by, with upload's sentence.
func TestCIDAndVerifyTakeAPathAsWindowsReadsIt(t *testing.T) {
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("notes\n"), 0o600))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	t.Chdir(dir)
	ctx := context.Background()
	want, err := FileCID(ctx, notes)
	require.NoError(t, err)
	for _, typed := range []string{`notes.txt.`, `notes.txt\.`, `notes.txt `, `notes.txt. .`, `sub\..\notes.txt`,
		`gone\..\notes.txt`, notes + `.`, `.\notes.txt`} {
		got, err := FileCID(ctx, typed)
		if assert.NoError(t, err, "cid %s", typed) {
			assert.Equal(t, want, got, "cid %s", typed)
		}
		d, err := HashFile(ctx, typed)
		if assert.NoError(t, err, "verify %s", typed) {
			assert.Equal(t, want, d.CID, "verify %s", typed)
		}
	}
	abs, err := AbsPath(`notes.txt\`)
	require.NoError(t, err)
	uploads := NamedNotThere(abs, `notes.txt\`)
	require.Error(t, uploads)
	for _, typed := range []string{`notes.txt\`, notes + `\`} {
		_, err := FileCID(ctx, typed)
		assert.ErrorContains(t, err, `" does not exist — its path goes through "`, typed)
		assert.ErrorContains(t, err, `", a file, not a folder: check the path`, typed)
		_, err = HashFile(ctx, typed)
		assert.ErrorContains(t, err, `", a file, not a folder: check the path`, typed)
	}
}
