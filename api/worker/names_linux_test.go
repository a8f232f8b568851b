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
