package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderNotThereWhenListedLeavesTheShareNotWhole: an Add call of a
// folder is its folder's latest share from when it is saved; when its
// path is no folder by the time the queue lists it (removed, a file put
// in its place, a path the system refuses to follow, or it is the app's
// own data folder, which is never uploaded), the listing lists nothing of the folder, and the share says
// why for good (FolderLeft.Cut), after a restart too, not whole: not an
// Add call that found no file to upload, nor, when a listing cut short
// by a kill had saved some of its files, the whole folder.
func TestFolderNotThereWhenListedLeavesTheShareNotWhole(t *testing.T) {
	for _, tc := range []struct {
		name string
		// added saves an Add call of a folder not listed yet, then changes
		// the disk; it returns that folder and whether its share holds
		// files (those a listing cut short saved).
		added func(t *testing.T, e *testEnv) (string, bool)
		cut   storage.ListingCut
	}{
		{"saved for later, then removed", func(t *testing.T, e *testEnv) (string, bool) {
			e.writeNumbered("trip/%d.jpg", 3)
			dir := filepath.Join(e.files, "trip")
			require.NoError(t, SaveForLater(e.db, testEnvName, testEmail, Request{Path: dir}))
			require.NoError(t, os.RemoveAll(dir))
			return dir, false
		}, storage.CutFolderGone},
		{"listing cut short, then removed", func(t *testing.T, e *testEnv) (string, bool) {
			dir, _ := uploadThenCutTheNextListing(t, e)
			require.NoError(t, os.RemoveAll(dir))
			return dir, true
		}, storage.CutFolderGone},
		{"listing cut short, then a file in its place", func(t *testing.T, e *testEnv) (string, bool) {
			dir, _ := uploadThenCutTheNextListing(t, e)
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, []byte("a file now"), 0o600))
			return dir, true
		}, storage.CutNotAFolder},
		{"saved for later, then a loop of links on its way", func(t *testing.T, e *testEnv) (string, bool) {
			e.writeNumbered("above/trip/%d.jpg", 3)
			above := filepath.Join(e.files, "above")
			dir := filepath.Join(above, "trip")
			require.NoError(t, SaveForLater(e.db, testEnvName, testEmail, Request{Path: dir}))
			require.NoError(t, os.RemoveAll(above))
			testfs.SymlinkOrSkip(t, above, above) // a link to itself: no path through it leads anywhere
			return dir, false
		}, storage.CutUnreadable},
		{"saved for later: the app's own data folder", func(t *testing.T, e *testEnv) (string, bool) {
			dir := filepath.Dir(e.db.Path())
			require.NoError(t, SaveForLater(e.db, testEnvName, testEmail, Request{Path: dir}))
			return dir, false
		}, storage.CutOwnData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			dir, holds := tc.added(t, e)
			k := newestShare(t, e, dir)
			q := e.queue(e.config())
			require.NoError(t, wait(t, q, hangGuard))
			require.Empty(t, walksLeft(t, e.db), "listed")
			require.Equal(t, k, newestShare(t, e, dir), "the add saved is still the folder's latest")
			entries := filesOf(t, e, k)
			require.Equal(t, holds, len(entries) > 0, "%d files in the share", len(entries))
			cut := storage.FolderLeft{BatchLeft: storage.BatchLeft{Cut: tc.cut}}
			assert.Equal(t, cut, leftOf(t, e, k), "its folder was not listed")

			require.NoError(t, q.Close())
			restarted := e.queue(e.config())
			require.NoError(t, wait(t, restarted, hangGuard))
			assert.Equal(t, cut, leftOf(t, e, k), "after a restart")
		})
	}
}
