package worker

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestNamesDifferingInCaseOrNormalizationAreDistinctFiles: on Linux,
// "Report.txt" and "report.txt", and "é.txt" written precomposed (NFC) and
// decomposed (NFD), are four files in one folder. Each is uploaded once
// under its own name; the folder added again finds each already uploaded
// by itself; a change to one sends that one alone. (This held; the case
// rules were tested on Windows only.)
func TestNamesDifferingInCaseOrNormalizationAreDistinctFiles(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	names := []string{"Report.txt", "report.txt", "\u00e9.txt", "e\u0301.txt"}
	var paths []string
	for _, n := range names {
		paths = append(paths, e.write("twins/"+n, testutil.Content(n, 300)))
	}
	dir := filepath.Dir(paths[0])
	q := e.uploaded(Request{Path: dir, FolderPath: "/twins/"})
	var got []string
	for _, u := range e.sandboxUploads() {
		got = append(got, u.Name)
	}
	sort.Strings(got)
	want := append([]string(nil), names...)
	sort.Strings(want)
	require.Equal(t, want, got, "each uploaded once, under its own name")
	for _, p := range paths {
		assert.Equal(t, testutil.CIDOf(t, p), jobFor(t, q, p).Hash, p)
	}
	requireHistoryOnce(t, e.db, q.Jobs())

	q.Add(Request{Path: dir, FolderPath: "/twins/"})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Len(t, e.sandboxUploads(), 4, "nothing sent again")
	assert.Equal(t, 4, q.Summary().Already)

	require.NoError(t, os.WriteFile(paths[1], testutil.Content("changed", 300), 0o644))
	require.NoError(t, os.WriteFile(paths[3], testutil.Content("changed too", 300), 0o644))
	q.Add(Request{Path: dir, FolderPath: "/twins/"})
	require.NoError(t, wait(t, q, 20*time.Second))
	ups := e.sandboxUploads()
	require.Len(t, ups, 6, "the two changed files alone are sent")
	sent := []string{ups[4].Name, ups[5].Name}
	sort.Strings(sent)
	wantSent := []string{names[1], names[3]}
	sort.Strings(wantSent)
	assert.Equal(t, wantSent, sent)
	assert.Equal(t, 6, q.Summary().Already, "the unchanged ones found already uploaded again")
	for _, p := range []string{paths[1], paths[3]} {
		js := jobsFor(q, p)
		last := js[len(js)-1]
		assert.Equal(t, storage.JobDone, last.State, p)
		assert.Equal(t, testutil.CIDOf(t, p), last.Hash, p)
	}
}

// TestFilesDifferingInCaseNamedTogetherAreTwoJobs: on Linux a.txt and
// A.txt are two files, so named on one command line they are two jobs and
// two uploads, and A.txt added while a.txt waits in the queue is queued,
// not "already queued": the rules that make one file of C:\a.txt and
// C:\A.TXT on Windows (pathKey, api.SpelledOnDisk) must not reach here.
func TestFilesDifferingInCaseNamedTogetherAreTwoJobs(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	lower := e.write("cased/a.txt", testutil.Content("lower", 200))
	upper := e.write("cased/A.txt", testutil.Content("upper", 300))
	cfg := e.config()
	cfg.Paused = true
	q := e.queue(cfg)
	seen := watchAlreadyQueued(t, q)
	q.Add(Request{Path: lower, FolderPath: "/cased/"}, Request{Path: upper, FolderPath: "/cased/"})
	eventually(t, hangGuard, func() bool { return len(q.Jobs()) > 0 && !q.Summary().Walking })
	require.Equal(t, 2, q.Summary().Queued, "two jobs: %v", q.Jobs())
	q.Add(Request{Path: upper, FolderPath: "/cased/"}, Request{Path: filepath.Join(e.files, "cased", "a.TXT")})
	eventually(t, hangGuard, func() bool { return !q.Summary().Walking })
	assert.Equal(t, 1, seen.total(), "A.txt already queued, a.TXT (no such file) not")
	q.Resume()
	require.NoError(t, wait(t, q, hangGuard))
	byName := jobsBy(q.Jobs(), func(j Job) string { return j.Name })
	assert.Equal(t, storage.JobFailed, byName["a.TXT"].State, "a.TXT is no file here: %v", byName["a.TXT"])
	got := uploadsByName(e)
	assert.Equal(t, map[string]int{"/cased/a.txt": 1, "/cased/A.txt": 1}, got)
	assert.Equal(t, testutil.CIDOf(t, lower), jobFor(t, q, lower).Hash)
	assert.Equal(t, testutil.CIDOf(t, upper), jobFor(t, q, upper).Hash)
}
