//go:build unix

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

// TestFolderSkippedAsUnreadableLeavesTheShareNotWhole: a folder whose
// subfolder cannot be read (permission denied) is uploaded but for it, and
// its share lacks it (Dropped, and UnreadFolders: a folder, not a file;
// not TooDeep: its path on dStor is short),
// after Clear finished and a restart too; a symbolic link in it, skipped
// by design, leaves the list whole. Made readable, the folder added again
// sends its file: that later share is whole. Root reads every folder,
// whatever its mode: as root the test runs itself as the user nobody.
func TestFolderSkippedAsUnreadableLeavesTheShareNotWhole(t *testing.T) {
	if os.Geteuid() == 0 {
		testfs.RerunAsNobody(t)
		return
	}
	e := newTestEnv(t, sandbox.Config{})
	near := e.write("top/near.txt", testutil.Content("near", 100))
	dir := filepath.Dir(near)
	require.NoError(t, os.Symlink(near, filepath.Join(dir, "link.txt")))
	locked := filepath.Dir(e.write("top/locked/far.txt", testutil.Content("far", 100)))
	require.NoError(t, os.Chmod(locked, 0))
	t.Cleanup(func() { _ = os.Chmod(locked, 0o755) }) // so that it can be removed
	q := e.uploaded(Request{Path: dir})
	assert.Equal(t, 2, q.Summary().Skipped, "the link and the folder it cannot read")
	assert.Equal(t, ReasonFolderDenied, jobFor(t, q, locked).Reason)
	k := shareOf(t, e, dir)
	assert.Equal(t, storage.FolderLeft{Dropped: 1, UnreadFolders: 1}, leftOf(t, e, k), "the folder it cannot read, not one too deep")

	q.ClearFinished()
	require.NoError(t, wait(t, q, hangGuard))
	require.NoError(t, q.Close())
	restarted := e.queue(e.config())
	require.NoError(t, wait(t, restarted, hangGuard))
	assert.Equal(t, storage.FolderLeft{Dropped: 1, UnreadFolders: 1}, leftOf(t, e, k), "after Clear finished and a restart")

	require.NoError(t, os.Chmod(locked, 0o755))
	restarted.Add(Request{Path: dir})
	require.NoError(t, wait(t, restarted, hangGuard))
	later := shareOf(t, e, dir)
	require.NotEqual(t, k, later)
	assert.Zero(t, droppedOf(t, e, later), "the later add sent its file: whole")
	assert.Equal(t, storage.FolderLeft{Dropped: 1, UnreadFolders: 1}, leftOf(t, e, k), "the earlier share still lacks it")
}
