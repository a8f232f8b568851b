package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderLeavingItsPathWhileListedLeavesTheShareNotWhole: a folder
// moved away, removed with a file put in its place, or moved away and
// back while its listing is under way (once the files saved so far are
// uploaded) left its share whole: the entries the listing met after that
// were gone, skipped as gone by design (file-missing), and the listing
// was recorded as listed to its end, so history --folder and the window
// called the share whole though it lacked every file not listed yet (with
// the folder back and the failed files retried, 120 of 6,000 files were
// the whole folder). The share now says its folder left its path while it
// was listed (FolderLeft.Cut), after a restart too.
func TestFolderLeavingItsPathWhileListedLeavesTheShareNotWhole(t *testing.T) {
	for _, tc := range []struct {
		name string
		// at08 changes the disk before the listing looks at 08.jpg, once
		// the files it saved are uploaded; at09 before it looks at 09.jpg.
		at08, at09 func(t *testing.T, dir string)
		cut        storage.ListingCut
	}{
		{"moved away", func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(dir, dir+"-moved"))
		}, nil, storage.CutFolderGone},
		{"a file in its place", func(t *testing.T, dir string) {
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, []byte("a file now"), 0o600))
		}, nil, storage.CutNotAFolder},
		{"moved away and back", func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(dir, dir+"-moved"))
		}, func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(dir+"-moved", dir))
		}, storage.CutFolderGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.writeNumbered("trip/%02d.jpg", 40)
			dir := filepath.Join(e.files, "trip")
			cfg := e.config()
			if tc.at09 != nil {
				cfg.beforeListingEntry = func(p string) {
					if filepath.Base(p) == fmt.Sprintf("%02d.jpg", firstFlushRows+1) {
						tc.at09(t, dir)
					}
				}
			}
			// Hold the listing here, once 00.jpg to 07.jpg are listed:
			// they are saved and uploaded while it is held.
			hold := holdListingAt(&cfg, fmt.Sprintf("%02d.jpg", firstFlushRows))
			q := e.queue(cfg)
			t.Cleanup(hold.release)
			q.Add(Request{Path: dir})
			hold.awaitSavedUploaded(t, e, firstFlushRows)
			tc.at08(t, dir)
			hold.release()
			require.NoError(t, wait(t, q, hangGuard))
			require.Empty(t, walksLeft(t, e.db), "listed")

			k := shareOf(t, e, dir)
			// The files listed but not saved at the hold fail or are
			// skipped as gone, or as not read, by the case and the timing.
			left := leftOf(t, e, k)
			assert.Equal(t, tc.cut, left.Cut, "its folder left its path while it was listed: %+v", left)
			assert.Zero(t, left.Pending, "nothing left to upload")
			require.NoError(t, q.Close())
			restarted := e.queue(e.config())
			require.NoError(t, wait(t, restarted, hangGuard))
			assert.Equal(t, left, leftOf(t, e, k), "after a restart")
		})
	}
}
