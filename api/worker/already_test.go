package worker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// jobsFor are the listed jobs of path, oldest first.
func jobsFor(q *Queue, path string) []Job {
	var out []Job
	for _, j := range q.Jobs() {
		if j.LocalPath == path {
			out = append(out, j)
		}
	}
	return out
}

// TestAlreadyUploadedIsNotSentAgain: the same version of a file added again
// for the same place is not sent (its job is "already uploaded", with the
// earlier upload's hash and link); a changed file, another destination,
// Again and UploadAgain send it.
func TestAlreadyUploadedIsNotSentAgain(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("d/report.pdf", testutil.Content("report", 3000))
	g := e.write("d/notes.txt", testutil.Content("notes", 200))
	q := e.uploaded(Request{Path: f}, Request{Path: filepath.Dir(f), FolderPath: "/backup/"})
	require.Equal(t, 3, q.Summary().Done)
	sent := e.requests(addPath)
	first := jobsFor(q, f)[0]

	q.Add(Request{Path: f}, Request{Path: filepath.Dir(f), FolderPath: "/backup/"})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, sent, e.requests(addPath), "nothing sent again")
	assert.Equal(t, 3, q.Summary().Already)
	fs := jobsFor(q, f) // f directly and in its folder, twice each
	require.Len(t, fs, 4)
	again := fs[2]
	assert.Equal(t, storage.JobAlready, again.State)
	assert.Equal(t, storage.JobAlready, fs[3].State)
	assert.Equal(t, first.Hash, again.Hash)
	assert.Contains(t, again.Err, "already uploaded on ")
	assert.Len(t, history(t, e.db), 3, "no second history entry")

	// Another destination is another upload.
	q.Add(Request{Path: f, FolderPath: "/elsewhere/"})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, sent+1, e.requests(addPath))

	// A change (same content written again: new mtime and ctime) is sent.
	require.NoError(t, os.WriteFile(g, testutil.Content("notes", 200), 0o644))
	q.Add(Request{Path: g})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, storage.JobDone, jobsFor(q, g)[len(jobsFor(q, g))-1].State)
	assert.Equal(t, sent+2, e.requests(addPath))

	// Again sends it anyway; so does UploadAgain on an already uploaded job.
	q.Add(Request{Path: f, Again: true})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, sent+3, e.requests(addPath))
	q.UploadAgain(again.ID)
	require.NoError(t, wait(t, q, 20*time.Second))
	j, ok := q.Job(again.ID)
	require.True(t, ok)
	assert.Equal(t, storage.JobDone, j.State)
	assert.NotEmpty(t, j.Hash)
	assert.Equal(t, sent+4, e.requests(addPath))
	assert.Equal(t, 2, q.Summary().Already, "the one sent again is no longer counted")
}
