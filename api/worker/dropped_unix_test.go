//go:build unix

package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderSkippedAsUnreadableLeavesTheShareNotWhole: a folder whose
// subfolder cannot be read (nested deeper than a path may be: the one
// unreadable entry root cannot read either) is uploaded but for it, and
// its share lacks it (Dropped), after Clear finished and a restart too; a
// symbolic link in it, skipped by design, leaves the list whole. Moved
// where it can be read, the folder added again sends its file: that later
// share is whole.
func TestFolderSkippedAsUnreadableLeavesTheShareNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	near := e.write("top/near.txt", testutil.Content("near", 100))
	dir := filepath.Dir(near)
	require.NoError(t, os.Symlink(near, filepath.Join(dir, "link.txt")))
	deep := testfs.DeepFolder(t, dir, "far.txt", testutil.Content("far", 100))
	q := e.uploaded(Request{Path: dir})
	assert.Equal(t, 2, q.Summary().Skipped, "the link and the folder it cannot read")
	k := shareOf(t, e, dir)
	assert.Equal(t, 1, droppedOf(t, e, k), "the folder it cannot read")

	q.ClearFinished()
	require.NoError(t, wait(t, q, hangGuard))
	require.NoError(t, q.Close())
	restarted := e.queue(e.config())
	require.NoError(t, wait(t, restarted, hangGuard))
	assert.Equal(t, 1, droppedOf(t, e, k), "after Clear finished and a restart")

	// The deep chain moved out, its file to a folder with a short path.
	rel, err := filepath.Rel(dir, deep)
	require.NoError(t, err)
	first := filepath.Join(dir, strings.Split(rel, string(filepath.Separator))[0])
	require.NoError(t, os.Rename(first, filepath.Join(e.files, "elsewhere")))
	e.write("top/short/far.txt", testutil.Content("far", 100))
	restarted.Add(Request{Path: dir})
	require.NoError(t, wait(t, restarted, hangGuard))
	later := shareOf(t, e, dir)
	require.NotEqual(t, k, later)
	assert.Zero(t, droppedOf(t, e, later), "the later add sent its file: whole")
	assert.Equal(t, 1, droppedOf(t, e, k), "the earlier share still lacks it")
}
