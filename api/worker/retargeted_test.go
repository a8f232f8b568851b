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

// TestFolderAddedThroughALinkPointedElsewhereBeforeItsListing: a folder
// added through a symbolic link is saved with the share of the folder the
// link leads to then (walks.folder); when the link leads to another folder
// by the time the queue lists it, the listing lists that other folder, as
// a share of its own, and the share saved with the add records why it was
// not listed (storage.CutLedElsewhere), for good: not an Add call that
// found no file in it, nor, when a listing cut short by a kill had saved
// some of its files, the whole folder. A Cancel all while the other
// folder is listed stops that other folder's share.
func TestFolderAddedThroughALinkPointedElsewhereBeforeItsListing(t *testing.T) {
	for _, tc := range []struct {
		name string
		// added saves an Add call through link of the folder it leads to
		// then, not listed to its end; it returns whether that folder's
		// share holds files (those a listing cut short saved).
		added func(t *testing.T, e *testEnv, link string) bool
		// stop, when set, is the file of the other folder at which
		// Cancel all comes while it is listed, once the files saved so
		// far are uploaded.
		stop string
	}{
		{"saved for later", func(t *testing.T, e *testEnv, link string) bool {
			require.NoError(t, SaveForLater(e.db, testEnvName, testEmail, Request{Path: link}))
			return false
		}, ""},
		{"listing cut short by a kill", func(t *testing.T, e *testEnv, link string) bool {
			cutListingShort(t, e, e.config(), link)
			return true
		}, ""},
		{"saved for later, Cancel all while the other folder is listed", func(t *testing.T, e *testEnv, link string) bool {
			require.NoError(t, SaveForLater(e.db, testEnvName, testEmail, Request{Path: link}))
			return false
		}, "20.jpg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.writeNumbered("album/%02d.jpg", 30)
			e.writeNumbered("other/%02d.jpg", 40)
			album, other := filepath.Join(e.files, "album"), filepath.Join(e.files, "other")
			link := filepath.Join(e.files, "link")
			testfs.SymlinkOrSkip(t, album, link)
			holds := tc.added(t, e, link)
			k := newestShare(t, e, album)

			require.NoError(t, os.Remove(link))
			testfs.SymlinkOrSkip(t, other, link)
			cfg := e.config()
			var hold *listingHold
			if tc.stop != "" {
				hold = holdListingAt(&cfg, tc.stop)
			}
			q := e.queue(cfg)
			if hold != nil {
				t.Cleanup(hold.release)
				hold.awaitSavedUploaded(t, e, 20) // other/00.jpg to 19.jpg, met before 20.jpg
				q.CancelAll()
				hold.release()
			}
			require.NoError(t, wait(t, q, hangGuard))
			require.Empty(t, walksLeft(t, e.db), "listed")

			require.Equal(t, k, newestShare(t, e, album), "the add saved is still the folder's latest")
			entries := filesOf(t, e, k)
			require.Equal(t, holds, len(entries) > 0, "%d files in the share", len(entries))
			elsewhere := storage.FolderLeft{BatchLeft: storage.BatchLeft{Cut: storage.CutLedElsewhere}}
			assert.Equal(t, elsewhere, leftOf(t, e, k), "its folder was not listed")

			ko := newestShare(t, e, other)
			assert.Equal(t, k.BatchID, ko.BatchID, "the other folder is a share of the same add")
			otherLeft := storage.FolderLeft{}
			if tc.stop != "" {
				otherLeft.Cut = storage.CutStopped
			}
			assert.Equal(t, otherLeft, leftOf(t, e, ko), "the other folder's share")
			if tc.stop == "" {
				requireWholeOnce(t, e, other, 40, "the other folder, listed to its end")
			}

			require.NoError(t, q.Close())
			restarted := e.queue(e.config())
			require.NoError(t, wait(t, restarted, hangGuard))
			assert.Equal(t, elsewhere, leftOf(t, e, k), "after a restart")
			assert.Equal(t, otherLeft, leftOf(t, e, ko), "the other folder's share after a restart")
		})
	}
}
