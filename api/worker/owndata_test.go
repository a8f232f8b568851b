package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestOwnDataFolderIsNotUploaded: a home folder dropped whole holds the
// app's own data folder (its history, queue and lock files, which change
// as it runs and list every file ever uploaded). Everything else in it is
// uploaded; the data folder is one skipped entry that says why and what to
// do, and none of its files reaches dStor, however the person names it: a
// folder above it, the folder itself, a file in it, or a path through a
// symbolic link to it.
func TestOwnDataFolderIsNotUploaded(t *testing.T) {
	for _, tc := range []struct {
		name    string
		add     func(t *testing.T, home, data string) string // the path added
		skipped func(home, data string) string               // the path of the skipped entry
		sent    int                                          // files dStor receives
	}{
		{"a folder holding it", func(_ *testing.T, home, _ string) string { return home },
			func(_, data string) string { return data }, 1},
		{"the folder itself", func(_ *testing.T, _, data string) string { return data },
			func(_, data string) string { return data }, 0},
		{"a file in it", func(_ *testing.T, _, data string) string { return filepath.Join(data, storage.DBFileName) },
			func(_, data string) string { return filepath.Join(data, storage.DBFileName) }, 0},
		{"a link to it", func(t *testing.T, home, data string) string {
			link := filepath.Join(home, "data-link")
			testfs.SymlinkOrSkip(t, data, link)
			return filepath.Join(link, storage.DBFileName)
		}, func(home, _ string) string { return filepath.Join(home, "data-link", storage.DBFileName) }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			home := filepath.Join(e.files, "home")
			doc := e.write("home/docs/a.txt", testutil.Content("a", 100))
			data := filepath.Join(home, ".local", "share", "dstor-uploader")
			got := e.jobsWithDataIn(e.dataIn(data), Request{Path: tc.add(t, home, data), FolderPath: "/in/"})
			p := tc.skipped(home, data)
			require.Contains(t, got, p, "the data folder is listed as skipped, not left out silently")
			assert.Equal(t, storage.JobSkipped, got[p].State)
			assert.Equal(t, ReasonOwnData, got[p].Reason)
			assert.Contains(t, got[p].Err, "dStor Uploader's own data folder")
			assert.Contains(t, got[p].Err, "upload a copy")
			if tc.sent > 0 {
				assert.Equal(t, storage.JobDone, got[doc].State)
			}
			var names []string
			for _, u := range e.sandboxUploads() {
				names = append(names, u.Name)
			}
			assert.Len(t, names, tc.sent, "sent: %q", names)
			for q := range got {
				rel, err := filepath.Rel(data, q)
				if q != p && err == nil && rel != "." && filepath.IsLocal(rel) {
					t.Errorf("a job for %s, inside the data folder", q)
				}
			}
		})
	}
}

// TestIndexPageInTheDataFolderIsUploaded: the index pages the window makes
// are kept in the data folder (storage.DB.IndexPagesDir) and added there
// by name, to be uploaded: such a page is, while the rest of the data
// folder stays out.
func TestIndexPageInTheDataFolderIsUploaded(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	data := filepath.Join(e.files, "data")
	db := e.dataIn(data)
	page := filepath.Join(db.IndexPagesDir(), "1764873600", "3 uploads.html")
	require.NoError(t, os.MkdirAll(filepath.Dir(page), 0o700))
	require.NoError(t, os.WriteFile(page, []byte("<!doctype html><title>3 uploads</title>"), 0o600))
	got := e.jobsWithDataIn(db, Request{Path: page}, Request{Path: filepath.Join(data, storage.DBFileName)})
	assert.Equal(t, storage.JobDone, got[page].State, got[page].Err)
	assert.Equal(t, ReasonOwnData, got[filepath.Join(data, storage.DBFileName)].Reason)
	require.Len(t, e.sandboxUploads(), 1)
	assert.Equal(t, "3 uploads.html", e.sandboxUploads()[0].Name)
}

// TestOwnDataFolderIsFoundAfterAFolderAboveItWasClear: paths named in one
// Add share the stats of the folders above them (walk.clearDir); a folder
// found outside the data folder for one path, which holds the data folder
// below it, does not hide the data folder from the next path.
func TestOwnDataFolderIsFoundAfterAFolderAboveItWasClear(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	top := e.write("home/top.txt", testutil.Content("t", 10))
	data := filepath.Join(e.files, "home", ".local", "share", "dstor-uploader")
	dbFile := filepath.Join(data, storage.DBFileName)
	got := e.jobsWithDataIn(e.dataIn(data), Request{Path: top}, Request{Path: dbFile})
	assert.Equal(t, storage.JobDone, got[top].State)
	assert.Equal(t, ReasonOwnData, got[dbFile].Reason)
	require.Len(t, e.sandboxUploads(), 1)
}

// dataIn opens a database in data, which a queue on it takes for dStor
// Uploader's own data folder; the test's cleanup closes it.
func (e *testEnv) dataIn(data string) *storage.DB {
	e.t.Helper()
	db, err := storage.Open(data)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { assert.NoError(e.t, db.Close()) })
	return db
}

// jobsWithDataIn adds reqs to a queue on db (from dataIn), waits until it
// has taken them to the end, and returns its jobs by local path.
func (e *testEnv) jobsWithDataIn(db *storage.DB, reqs ...Request) map[string]Job {
	e.t.Helper()
	cfg := e.config()
	cfg.DB = db
	q := e.queue(cfg)
	q.Add(reqs...)
	require.NoError(e.t, wait(e.t, q, hangGuard))
	return jobsByPath(q.Jobs())
}
