package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderSkippedAsTooDeepLeavesTheShareNotWhole: a folder whose
// subfolder's path on dStor would be longer than dStor allows is uploaded
// but for it (one skipped row, everything in it not listed), and its share
// lacks it, counted as too deep (FolderLeft.TooDeep, which history
// --folder and the window say apart from files that could not be read),
// after Clear finished and a restart too. Given a shorter name, the
// folder added again sends its file: that later share is whole.
func TestFolderSkippedAsTooDeepLeavesTheShareNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	near := e.write("top/near.txt", testutil.Content("near", 100))
	dir := filepath.Dir(near)
	// /top/a…/b…/c…/d…/ is 5+4*251 = 1009 bytes; e…/ goes past 1024.
	rel := ""
	for _, c := range "abcde" {
		rel = filepath.Join(rel, strings.Repeat(string(c), 250))
	}
	deep := filepath.Dir(e.write(filepath.Join("top", rel, "far.txt"), testutil.Content("far", 100)))
	q := e.uploaded(Request{Path: dir})
	assert.Equal(t, 1, q.Summary().Skipped, "the folder too deep, once")
	assert.Equal(t, ReasonFolderTooDeep, jobFor(t, q, deep).Reason)
	k := shareOf(t, e, dir)
	tooDeep := storage.FolderLeft{Dropped: 1, TooDeep: 1}
	assert.Equal(t, tooDeep, leftOf(t, e, k))

	q.ClearFinished()
	require.NoError(t, wait(t, q, hangGuard))
	require.NoError(t, q.Close())
	restarted := e.queue(e.config())
	require.NoError(t, wait(t, restarted, hangGuard))
	assert.Equal(t, tooDeep, leftOf(t, e, k), "after Clear finished and a restart")

	require.NoError(t, os.Rename(deep, filepath.Join(filepath.Dir(deep), "e")))
	restarted.Add(Request{Path: dir})
	require.NoError(t, wait(t, restarted, hangGuard))
	later := shareOf(t, e, dir)
	require.NotEqual(t, k, later)
	assert.Zero(t, droppedOf(t, e, later), "the later add sent its file: whole")
	assert.Equal(t, tooDeep, leftOf(t, e, k), "the earlier share still lacks it")
}
