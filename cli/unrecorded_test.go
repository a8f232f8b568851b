package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestACommandCarriesTheLinksAWindowKeptInAFile: a window's quit could not
// write the link it could not record into its history (replaced by a file
// that is no database), so kept it in a file of the data folder. Once that
// file in the way is moved aside, the next command (history) puts the
// upload into the history, lists it, removes the file and says so on
// stderr; a file it cannot read is kept, and said.
func TestACommandCarriesTheLinksAWindowKeptInAFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to replace a database file SQLite holds open")
	}
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	db, err := storage.Open(home)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	path := db.Path()
	require.NoError(t, os.WriteFile(path+".other", []byte(strings.Repeat("not a database ", 500)), 0o600))
	require.NoError(t, os.Rename(path+".other", path))
	lost := storage.JobFinish{
		Row:     storage.JobRow{ID: "j1", Env: "production", Account: "me", LocalPath: "/f/a.txt", Name: "a.txt", Hash: "QmKeptByTheWindow", State: storage.JobDone},
		History: storage.HistoryEntry{Env: "production", Account: "me", Name: "a.txt", Hash: "QmKeptByTheWindow", Size: 1, Verified: true},
	}
	_, err = db.CloseCarryingOver([]storage.JobFinish{lost}, nil)
	require.Error(t, err)
	kept, err := filepath.Glob(filepath.Join(home, "unrecorded-uploads-*.txt"))
	require.NoError(t, err)
	require.Len(t, kept, 1)
	require.NoError(t, os.Rename(path, path+".aside"))

	code, out, errOut := runCLI(t, "", "history", "--format", "cid")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "QmKeptByTheWindow\n", out)
	assert.Contains(t, errOut, filepath.Base(kept[0]))
	assert.NoFileExists(t, kept[0])

	torn := filepath.Join(home, "unrecorded-uploads-20261206T170000Z.txt")
	require.NoError(t, os.WriteFile(torn, []byte(`{"uploaded":{"hash":"QmTorn"},"job":{"id":"j2"}}`+"\n"), 0o600))
	code, _, errOut = runCLI(t, "", "history", "--format", "cid")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, errOut, torn)
	assert.Contains(t, errOut, "It is kept as it is: open it to read their links (CID and name), or run the command again once the cause is fixed.",
		"says what to do")
	assert.Contains(t, errOut, "(the file is cut short (its end line is missing))", "why, once")
	assert.NotContains(t, errOut, "could not be put into the upload history (it is kept):", "no chain of causes")
	assert.FileExists(t, torn)
}

// TestACommandSaysAFileOfLinksCarriedButNotRemovedIsInTheHistory: a file
// of uploads not recorded was put into the history, now or by an earlier
// start, but could not be removed (its folder refuses a delete). The
// command says its uploads are in the history and to remove the file by
// hand, with why: not that it could not be put into the history.
func TestACommandSaysAFileOfLinksCarriedButNotRemovedIsInTheHistory(t *testing.T) {
	const kept = "/data/unrecorded-uploads-20261206T170000Z.txt"
	for _, before := range []bool{false, true} {
		t.Run(fmt.Sprintf("before %v", before), func(t *testing.T) {
			err := &storage.CarriedNotRemovedError{Path: kept, Before: before,
				Err: &os.PathError{Op: "remove", Path: kept, Err: os.ErrPermission}}
			says := unrecordedKeptText(err)
			for _, w := range []string{kept, "are in the upload history", "could not be removed (permission denied)", "Remove it yourself"} {
				assert.Contains(t, says, w)
			}
			assert.NotContains(t, says, "could not be put into the upload history")
		})
	}
}
