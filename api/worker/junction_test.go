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

// TestJunctionsInAFolderAreNotFollowed: the walk's no-link rule covers
// Windows junctions (and, under Wine, the Unix links to folders it shows
// in their place): one leading out of the chosen folder and one looping
// back into it are skipped with a sentence, and nothing behind them is
// listed or sent.
func TestJunctionsInAFolderAreNotFollowed(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "private.txt"), []byte("private"), 0o600))
	dir := filepath.Join(e.files, "pick")
	good := e.write("pick/good.txt", testutil.Content("g", 100))
	out, loop := filepath.Join(dir, "out"), filepath.Join(dir, "loop")
	testfs.JunctionOrSkip(t, outside, out)
	testfs.JunctionOrSkip(t, dir, loop)

	q := e.uploaded(Request{Path: dir, FolderPath: "/in/"})

	got := jobsByPath(q.Jobs())
	assert.Len(t, got, 3, "good.txt and the two junctions, nothing behind them: %v", got)
	assert.Equal(t, storage.JobDone, got[good].State)
	for _, p := range []string{out, loop} {
		j, ok := got[p]
		require.True(t, ok, "no job for %s", p)
		assert.Equal(t, storage.JobSkipped, j.State, p)
		assert.Contains(t, j.Err, "junction", p)
		assert.Contains(t, j.Err, "not followed", p)
	}
	uploads := e.sandboxUploads()
	require.Len(t, uploads, 1)
	assert.Equal(t, "good.txt", uploads[0].Name)
}
