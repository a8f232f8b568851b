package ui

import (
	"errors"
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

// TestClosingAGoneHistoryThatCannotTakeTheLinksPrintsThem: the history
// file was replaced while the window ran by one that is no database (so
// the links the window could not record cannot be written there either).
// Closing says so, and names each such upload by its CID and file name, so
// the links are in the window's output at least, not lost; a history
// still in place just closes.
func TestClosingAGoneHistoryThatCannotTakeTheLinksPrintsThem(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to replace a database file SQLite holds open")
	}
	dir := t.TempDir()
	db, err := storage.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.InsertJobs([]storage.JobRow{{ID: "j1", LocalPath: "/f/a.txt", Name: "a.txt", State: storage.JobUploading}}))
	lost := []storage.JobFinish{{
		Row:     storage.JobRow{ID: "j1", LocalPath: "/f/a.txt", Name: "a.txt", Hash: "QmLostOne"},
		History: storage.HistoryEntry{Name: "a\u202etxt.exe", Hash: "QmLostOne", Size: 1},
	}}
	path := filepath.Join(dir, storage.DBFileName)
	require.NoError(t, os.WriteFile(path+".other", []byte(strings.Repeat("not a database ", 500)), 0o600))
	require.NoError(t, os.Rename(path+".other", path))

	err = closeHistory(db, lost, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "deleted or replaced while the window ran")
	assert.Contains(t, err.Error(), "QmLostOne")
	assert.Contains(t, err.Error(), `a\u202etxt.exe`, "the name, escaped")

	kept, err := storage.Open(t.TempDir())
	require.NoError(t, err)
	assert.NoError(t, closeHistory(kept, nil, nil), "a history in place just closes")
}

// TestClosingAGoneHistoryKeepsTheLinksForTheNextStart: the history was
// replaced while the window ran by a file that is no database, so the
// quit cannot write the link it could not record there. Started from the
// desktop, nobody reads what it prints: the link is kept in a file of the
// data folder, which the error names (no Go error chain: its cause's short
// text at the end). Once the file in the way is moved aside, the next
// window puts the upload into its history, removes the file and says so.
func TestClosingAGoneHistoryKeepsTheLinksForTheNextStart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to replace a database file SQLite holds open")
	}
	dir := t.TempDir()
	db, err := storage.Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, db.InsertJobs([]storage.JobRow{{ID: "j1", LocalPath: "/f/a.txt", Name: "a.txt", State: storage.JobUploading}}))
	lost := []storage.JobFinish{{
		Row:     storage.JobRow{ID: "j1", LocalPath: "/f/a.txt", Name: "a.txt", Hash: "QmKeptLink", State: storage.JobDone},
		History: storage.HistoryEntry{Name: "a.txt", Hash: "QmKeptLink", Size: 1, FolderPath: "/trip/"},
	}}
	path := filepath.Join(dir, storage.DBFileName)
	require.NoError(t, os.WriteFile(path+".other", []byte(strings.Repeat("not a database ", 500)), 0o600))
	require.NoError(t, os.Rename(path+".other", path))

	err = closeHistory(db, lost, nil)
	require.Error(t, err)
	kept, gerr := filepath.Glob(filepath.Join(dir, "unrecorded-uploads-*.txt"))
	require.NoError(t, gerr)
	require.Len(t, kept, 1, "the link is kept in the data folder: %v", err)
	t.Log(err)
	assert.Contains(t, err.Error(), kept[0])
	assert.Contains(t, err.Error(), "QmKeptLink")
	assert.NotContains(t, err.Error(), "open database", "no Go error chain")

	require.NoError(t, os.Rename(path, path+".aside"))
	e := newTestEnvIn(t, dir)
	var said string
	e.ui(func() { said = overlayText(e.a.win.Canvas()) })
	assert.Contains(t, said, filepath.Base(kept[0]), "the window says where they were kept")
	assert.NoFileExists(t, kept[0])
	hist, err := e.db.HistoryPage(storage.HistoryQuery{Limit: 10})
	require.NoError(t, err)
	require.Len(t, hist, 1)
	assert.Equal(t, []any{"QmKeptLink", "a.txt", "/trip/"}, []any{hist[0].Hash, hist[0].Name, hist[0].FolderPath})
}

// TestTheQuitSaysWhichJournalWentAndWhereTheLinksAre: the sentences of a
// quit that could not carry over say what went (the history, its -wal,
// its -shm, or nothing: a write that failed) and where the links are kept,
// or that they could not be kept, naming them and the paths to add again.
func TestTheQuitSaysWhichJournalWentAndWhereTheLinksAre(t *testing.T) {
	const path = "/data/dstor-uploader.db"
	lost := []storage.JobFinish{{History: storage.HistoryEntry{Hash: "QmOne", Name: "one.txt"}}}
	added := []storage.WalkRow{{Path: "/f/dir"}}
	cause := fmt.Errorf("open database: %w", errors.New("file is not a database (26)"))
	for _, tc := range []struct {
		name      string
		e         storage.NotCarriedError
		want, not []string
	}{
		{"shm", storage.NotCarriedError{Path: path, Gone: &storage.ReplacedError{Path: path, Journal: true, SharedMemory: true},
			Uploads: lost, Added: added, SavedIn: "/data/unrecorded-uploads-x.txt", Err: cause},
			[]string{"journal", path + "-shm", "/data/unrecorded-uploads-x.txt", "QmOne  one.txt", "file is not a database (26)"},
			[]string{"/f/dir", "open database"}},
		{"wal", storage.NotCarriedError{Path: path, Gone: &storage.ReplacedError{Path: path, Journal: true}, Uploads: lost, SavedIn: "/k", Err: cause},
			[]string{path + "-wal"}, []string{"-shm"}},
		{"deleted, not kept", storage.NotCarriedError{Path: path, Gone: &storage.ReplacedError{Path: path, Deleted: true},
			Uploads: lost, Added: added, SaveErr: os.ErrPermission, Err: cause},
			[]string{"deleted or replaced", "could not be kept", "recorded nowhere else", "QmOne  one.txt", "add them again", "/f/dir"},
			[]string{"journal"}},
		{"in place", storage.NotCarriedError{Path: path, Added: added, SaveErr: os.ErrPermission, Err: cause},
			[]string{"could not be written as the window quit", "/f/dir"}, []string{"deleted"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := notCarriedText(&tc.e)
			for _, w := range tc.want {
				assert.Contains(t, s, w)
			}
			for _, n := range tc.not {
				assert.NotContains(t, s, n)
			}
		})
	}
}

// TestAStartSaysAFileOfLinksItCannotReadIsKept: a file of uploads not
// recorded that is cut short is not put into the history nor removed: the
// window says which file, that it is kept, and why.
func TestAStartSaysAFileOfLinksItCannotReadIsKept(t *testing.T) {
	dir := t.TempDir()
	torn := filepath.Join(dir, "unrecorded-uploads-20261206T170000Z.txt")
	text := "# dStor Uploader could not record these uploads\n" + `{"uploaded":{"hash":"QmTorn","name":"a.txt"},"job":{"id":"j1"}}` + "\n"
	require.NoError(t, os.WriteFile(torn, []byte(text), 0o600))
	e := newTestEnvIn(t, dir)
	var said string
	e.ui(func() { said = overlayText(e.a.win.Canvas()) })
	assert.Contains(t, said, torn)
	assert.Contains(t, said, "It is kept as it is")
	assert.Contains(t, said, "cut short")
	after, err := os.ReadFile(torn)
	require.NoError(t, err)
	assert.Equal(t, text, string(after))
	n, err := e.db.HistoryCount("")
	require.NoError(t, err)
	assert.Zero(t, n)
}

// TestAStartSaysAFileOfLinksCarriedButNotRemovedIsInTheHistory: a file of
// uploads not recorded was put into the history, now or by an earlier
// start, but could not be removed (its folder refuses a delete). The
// window says its uploads are in the history and to remove the file by
// hand, with why: not that it could not be put into the history.
func TestAStartSaysAFileOfLinksCarriedButNotRemovedIsInTheHistory(t *testing.T) {
	const kept = "/data/unrecorded-uploads-20261206T170000Z.txt"
	for _, before := range []bool{false, true} {
		t.Run(fmt.Sprintf("before %v", before), func(t *testing.T) {
			err := errors.Join(&storage.CarriedNotRemovedError{Path: kept, Before: before,
				Err: &os.PathError{Op: "remove", Path: kept, Err: os.ErrPermission}})
			says := unrecordedKeptTexts(err)
			require.Len(t, says, 1)
			for _, w := range []string{kept, "are in the history", "could not be removed", "Remove it yourself", "you do not have permission"} {
				assert.Contains(t, says[0], w)
			}
			assert.NotContains(t, says[0], "could not be put into the history")
		})
	}
}
