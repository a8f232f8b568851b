package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unrecordedFiles are the files of uploads not recorded in dir.
func unrecordedFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "unrecorded-uploads-*.txt"))
	require.NoError(t, err)
	return paths
}

// lostUpload is an upload finished once its history was gone: recorded
// nowhere but in the window.
func lostUpload() JobFinish {
	finished := time.Date(2026, 12, 6, 17, 1, 2, 0, time.UTC)
	f := JobFinish{
		Row: JobRow{ID: "lost", BatchID: "b", Env: "e", Account: "a", LocalPath: "/f/l.txt", Name: "l.txt",
			Size: 5, FolderPath: "/kept/", Comment: "trip", State: JobDone, Hash: "QmLostLink", Verified: true},
		History: HistoryEntry{Env: "e", Account: "a", LocalPath: filepath.FromSlash("/f/l.txt"), Name: "l\u202etxt.exe", Size: 5,
			Hash: "QmLostLink", Verified: true, FolderPath: "/kept/", Comment: "trip", FinishedAt: finished,
			File: FileVersion{Size: 5, ModTime: finished.Add(-time.Hour), ID: "7:42"}},
	}
	return f
}

// TestQuitThatCannotCarryOverKeepsTheLinksInAFile: the history was
// replaced while the window ran by a file that is no database, so the
// window's quit cannot write the link it could not record, the file it
// had queued, nor the folder added since into the history there. They go
// into a file of the data folder (private, naming the CID and the name
// for a person), which the error names; once the file in the way is moved
// aside, the next start puts them into the new history (the upload with
// its CID, name, size, folder and time; the file back into the queue; the
// folder to be listed) and removes the file.
func TestQuitThatCannotCarryOverKeepsTheLinksInAFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to replace a database file SQLite holds open")
	}
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	lost := lostUpload()
	require.NoError(t, d.InsertJobs([]JobRow{
		{ID: "queued", BatchID: "b", Env: "e", Account: "a", LocalPath: "/f/q.txt", Name: "q.txt"},
		{ID: "lost", BatchID: "b", Env: "e", Account: "a", LocalPath: "/f/l.txt", Name: "l.txt", State: JobUploading},
	}))
	path := d.Path()
	require.NoError(t, os.WriteFile(path+".other", []byte(strings.Repeat("not a database ", 500)), 0o600))
	require.NoError(t, os.Rename(path+".other", path))

	added := []WalkRow{{ID: "walk", BatchID: "b2", Env: "e", Account: "a", Path: "/f/dir"}}
	_, err = d.CloseCarryingOver([]JobFinish{lost}, added)
	require.Error(t, err)
	files := unrecordedFiles(t, dir)
	require.Len(t, files, 1, "the links go into a file of the data folder")
	var nc *NotCarriedError
	require.ErrorAs(t, err, &nc)
	assert.Equal(t, files[0], nc.SavedIn)
	require.NotNil(t, nc.Gone)
	assert.False(t, nc.Gone.Journal)
	text, err := os.ReadFile(files[0])
	require.NoError(t, err)
	assert.Contains(t, string(text), `# QmLostLink  "l\u202etxt.exe"`, "a person reads the CID and the name")
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(files[0])
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}

	require.NoError(t, os.Rename(path, path+".aside"))
	at, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = at.Close() })
	carried, err := at.CarryUnrecorded()
	require.NoError(t, err)
	assert.Equal(t, files, carried)
	assert.Empty(t, unrecordedFiles(t, dir), "removed once in the history")
	hist, err := at.HistoryPage(HistoryQuery{Limit: 10})
	require.NoError(t, err)
	require.Len(t, hist, 1)
	h := hist[0]
	assert.Equal(t, []any{"lost", "QmLostLink", "l\u202etxt.exe", int64(5), "/kept/", "trip", true},
		[]any{h.JobID, h.Hash, h.Name, h.Size, h.FolderPath, h.Comment, h.Verified})
	assert.True(t, lost.History.FinishedAt.Equal(h.FinishedAt), "finished %v, recorded %v", lost.History.FinishedAt, h.FinishedAt)
	rows, err := at.Jobs()
	require.NoError(t, err)
	states := map[string]JobState{}
	for _, r := range rows {
		states[r.ID] = r.State
	}
	assert.Equal(t, map[string]JobState{"queued": JobQueued, "lost": JobDone}, states)
	walks, err := at.Walks("e", "a")
	require.NoError(t, err)
	require.Len(t, walks, 1)
	assert.Equal(t, "/f/dir", walks[0].Path)

	carried, err = at.CarryUnrecorded()
	assert.NoError(t, err)
	assert.Empty(t, carried, "nothing is carried twice")
}

// TestUnrecordedFileCarriedAtTheNextStart: a file of uploads not recorded
// (as the quit writes it) is put into the history at the next start, with
// the upload's file identity (so the same file is found as uploaded), and
// removed; carried again (a copy left by a crash before the remove), the
// history still holds the upload once.
func TestUnrecordedFileCarriedAtTheNextStart(t *testing.T) {
	dir := t.TempDir()
	lost := lostUpload()
	e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lost}}
	saved, err := saveUnrecorded(dir, e, time.Now())
	require.NoError(t, err)
	text, err := os.ReadFile(saved)
	require.NoError(t, err)

	d := openTestDB(t)
	copyTo := filepath.Join(filepath.Dir(d.Path()), filepath.Base(saved))
	require.NoError(t, os.WriteFile(copyTo, text, 0o600))
	carried, err := d.CarryUnrecorded()
	require.NoError(t, err)
	assert.Equal(t, []string{copyTo}, carried)
	assert.NoFileExists(t, copyTo)
	local := filepath.FromSlash("/f/l.txt")
	up, err := d.UploadedIn("e", "a", local)
	require.NoError(t, err)
	found, ok := up.Find(UploadedQuery{Env: "e", Account: "a", LocalPath: local, FolderPath: "/kept/", File: lost.History.File})
	require.True(t, ok, "the upload keeps its file's identity")
	assert.Equal(t, "QmLostLink", found.Hash)

	require.NoError(t, os.WriteFile(copyTo, text, 0o600))
	_, err = d.CarryUnrecorded()
	require.NoError(t, err)
	assertHistoryCount(t, d, "", 1, "recorded once")
}

// TestUnrecordedFileThatCannotBeReadIsKept: a file of uploads not
// recorded cut short (its end line missing), or holding what is no record,
// is not carried nor removed: the start says which file, and why.
func TestUnrecordedFileThatCannotBeReadIsKept(t *testing.T) {
	dir := t.TempDir()
	e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lostUpload()},
		Added: []WalkRow{{ID: "walk", Path: "/f/dir"}}}
	whole, err := unrecordedText(e, time.Now())
	require.NoError(t, err)
	torn := whole[:len(whole)-len(unrecordedEnd)-3]
	for _, tc := range []struct {
		name, text, why string
	}{
		{"cut at a line's end", string(whole[:strings.LastIndex(string(whole), unrecordedEnd)]), "cut short"},
		{"cut inside a line", string(torn), "line"},
		{"garbage", "QmSomething  notes.txt\n" + unrecordedEnd + "\n", "line 1"},
		{"a line too long", "# x\n" + strings.Repeat("x", maxUnrecordedLine+1) + "\n" + unrecordedEnd + "\n", "line 2 is longer than 16 MiB"},
		{"an unknown record", `{"uploaded":{"hash":"Qm"},"job":{"id":"j"},"extra":1}` + "\n" + unrecordedEnd + "\n", "unknown field"},
		{"an upload without its job", `{"uploaded":{"hash":"Qm"}}` + "\n" + unrecordedEnd + "\n", "not an upload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := openTestDB(t)
			p := filepath.Join(filepath.Dir(d.Path()), "unrecorded-uploads-20261206T170000Z.txt")
			require.NoError(t, os.WriteFile(p, []byte(tc.text), 0o600))
			carried, err := d.CarryUnrecorded()
			assert.Empty(t, carried)
			var kept *UnrecordedFileError
			require.ErrorAs(t, err, &kept)
			assert.Equal(t, p, kept.Path)
			assert.Contains(t, err.Error(), tc.why)
			after, rerr := os.ReadFile(p)
			require.NoError(t, rerr, "kept")
			assert.Equal(t, tc.text, string(after), "as it was")
			assertHistoryCount(t, d, "", 0, "nothing of it carried")
		})
	}
}

// TestUnrecordedFileCarriedOnceThoughNotRemoved: a file of uploads not
// recorded whose rows went into the history but which stayed in the data
// folder (its remove denied, or a crash before it) holds a file not
// uploaded; the queue then uploads it and clears it. The next start does
// not put that file back into the queue (it would be uploaded twice): it
// only removes the file it carried before.
func TestUnrecordedFileCarriedOnceThoughNotRemoved(t *testing.T) {
	d := openTestDB(t)
	dir := filepath.Dir(d.Path())
	queued := JobRow{ID: "queued", BatchID: "b", Env: "e", Account: "a", LocalPath: "/f/q.txt", Name: "q.txt", State: JobQueued}
	e := &NotCarriedError{Path: d.Path(), Queued: []JobRow{queued}}
	saved, err := saveUnrecorded(dir, e, time.Now())
	require.NoError(t, err)
	text, err := os.ReadFile(saved)
	require.NoError(t, err)
	carried, err := d.CarryUnrecorded()
	require.NoError(t, err)
	require.Equal(t, []string{saved}, carried)
	n, err := d.DeleteJobIDs("queued")
	require.NoError(t, err)
	require.Equal(t, 1, n, "uploaded and cleared")

	require.NoError(t, os.WriteFile(saved, text, 0o600), "left in the folder")
	_, err = d.CarryUnrecorded()
	require.NoError(t, err)
	assert.NoFileExists(t, saved)
	rows, err := d.Jobs()
	require.NoError(t, err)
	assert.Empty(t, rows, "not queued again")
}

// TestUnrecordedTempFileLeftByAKill: a quit killed between the write of
// its hidden temporary file and the rename leaves .unrecorded-uploads-*.tmp.
// A whole one (its end line there) is put into the history at the next
// start, under the name a quit gives (its time the file's), and removed; a
// torn one is kept as it is, and said, for a person to read the links in it.
func TestUnrecordedTempFileLeftByAKill(t *testing.T) {
	e := &NotCarriedError{Path: DBFileName, Uploads: []JobFinish{lostUpload()}}
	whole, err := unrecordedText(e, time.Now())
	require.NoError(t, err)

	d := openTestDB(t)
	dir := filepath.Dir(d.Path())
	tmp := filepath.Join(dir, ".unrecorded-uploads-3141592.tmp")
	require.NoError(t, os.WriteFile(tmp, whole, 0o600))
	at := time.Date(2026, 12, 6, 17, 30, 0, 0, time.UTC)
	require.NoError(t, os.Chtimes(tmp, at, at))
	carried, err := d.CarryUnrecorded()
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "unrecorded-uploads-20261206T173000Z.txt")}, carried)
	assert.NoFileExists(t, tmp)
	assert.Empty(t, unrecordedFiles(t, dir))
	assertHistoryCount(t, d, "", 1, "carried")

	torn := whole[:len(whole)-len(unrecordedEnd)-3]
	require.NoError(t, os.WriteFile(tmp, torn, 0o600))
	require.NoError(t, os.Chtimes(tmp, at, at))
	carried, err = d.CarryUnrecorded()
	assert.Empty(t, carried)
	var kept *UnrecordedFileError
	require.ErrorAs(t, err, &kept)
	assert.Equal(t, tmp, kept.Path)
	after, err := os.ReadFile(tmp)
	require.NoError(t, err, "kept")
	assert.Equal(t, torn, after, "as it was")
}

// TestUnrecordedTempFileOfAQuitNowIsLeftToIt: a window's quit writes its
// hidden temporary file, then renames it; a command or a window starting
// meanwhile took a whole one for a killed quit's and renamed it away (the
// quit's own rename then failed: "nor kept in a file", though its links
// were carried), and said a torn one, still being written, was kept. A
// temporary file younger than unrecordedTempSettle is left to its quit.
func TestUnrecordedTempFileOfAQuitNowIsLeftToIt(t *testing.T) {
	e := &NotCarriedError{Path: DBFileName, Uploads: []JobFinish{lostUpload()}}
	whole, err := unrecordedText(e, time.Now())
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		text []byte
	}{
		{"whole, about to be renamed", whole},
		{"torn, still being written", whole[:len(whole)/2]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := openTestDB(t)
			tmp := filepath.Join(filepath.Dir(d.Path()), ".unrecorded-uploads-1618033.tmp")
			require.NoError(t, os.WriteFile(tmp, tc.text, 0o600))
			carried, err := d.CarryUnrecorded()
			assert.NoError(t, err)
			assert.Empty(t, carried)
			after, err := os.ReadFile(tmp)
			require.NoError(t, err, "left where its quit renames it")
			assert.Equal(t, tc.text, after)
			assertHistoryCount(t, d, "", 0, "not carried")
		})
	}
}

// TestMarksOfFilesCarriedLongAgoAreForgotten: the history keeps a mark of
// each file of uploads not recorded it carried (so a copy still there is
// not carried twice). A start forgets the mark of a file gone for longer
// than carriedMarkKept, and keeps one younger, or whose file is still
// there (its remove denied): that file is still not carried again.
func TestMarksOfFilesCarriedLongAgoAreForgotten(t *testing.T) {
	d := openTestDB(t)
	dir := filepath.Dir(d.Path())
	saved := make(map[string]string) // what each file is, by its path
	var texts = make(map[string][]byte)
	for i, what := range []string{"gone long ago", "gone lately", "left long ago"} {
		queued := JobRow{ID: fmt.Sprintf("queued%d", i), BatchID: "b", Env: "e", Account: "a", LocalPath: "/f/q.txt", Name: "q.txt", State: JobQueued}
		p, err := saveUnrecorded(dir, &NotCarriedError{Path: d.Path(), Queued: []JobRow{queued}}, time.Date(2026, 10, 1, 12, 0, i, 0, time.UTC))
		require.NoError(t, err)
		saved[p] = what
		texts[what], err = os.ReadFile(p)
		require.NoError(t, err)
	}
	carried, err := d.CarryUnrecorded()
	require.NoError(t, err)
	require.Len(t, carried, 3)
	n, err := d.DeleteJobIDs("queued0", "queued1", "queued2")
	require.NoError(t, err)
	require.Equal(t, 3, n, "uploaded and cleared")
	now := time.Now()
	for p, what := range saved {
		at := now.Add(-time.Hour)
		if strings.HasSuffix(what, "long ago") {
			at = now.Add(-carriedMarkKept - time.Hour)
		}
		_, err := d.w.Exec(`UPDATE settings SET value = ? WHERE key LIKE ?`, at.UTC().Format(time.RFC3339), "carried "+filepath.Base(p)+" %")
		require.NoError(t, err)
		if what == "left long ago" {
			require.NoError(t, os.WriteFile(p, texts[what], 0o600), "its remove denied")
		}
	}

	carried, err = d.CarryUnrecorded()
	require.NoError(t, err)
	assert.Empty(t, carried)
	var marks []string
	rows, err := d.r.Query(`SELECT key FROM settings WHERE key LIKE 'carried %' ORDER BY key`)
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		marks = append(marks, saved[filepath.Join(dir, strings.Fields(k)[1])])
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"gone lately", "left long ago"}, marks)
	jobs, err := d.Jobs()
	require.NoError(t, err)
	assert.Empty(t, jobs, "the file left is not carried again")
	assert.Empty(t, unrecordedFiles(t, dir))
}
