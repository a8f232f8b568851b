package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderGoneWhenItsListingBeginsIsNotWhole: a folder moved away, or
// replaced by a file, after the request found a folder at its path and
// before its listing looked at it, left its share whole: the listing
// found no folder to hold (checkRoot had nothing to compare with), the
// root's own entry was skipped as gone by design, and the share was
// recorded as listed to its end, so history --folder said the upload
// "found no file to upload in it" and exited 0 while the folder's files
// were never listed. The share now says there was no folder at its path
// when it was to be listed, as when the request itself finds none.
func TestFolderGoneWhenItsListingBeginsIsNotWhole(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string)
		cut    storage.ListingCut
	}{
		{"moved away", func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(dir, dir+"-moved"))
		}, storage.CutFolderGone},
		{"a file in its place", func(t *testing.T, dir string) {
			require.NoError(t, os.RemoveAll(dir))
			require.NoError(t, os.WriteFile(dir, []byte("a file now"), 0o600))
		}, storage.CutNotAFolder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.writeNumbered("trip/%02d.jpg", 3)
			dir := filepath.Join(e.files, "trip")
			cfg := e.config()
			cfg.beforeListingFolder = func(root string) {
				if root == dir {
					tc.change(t, dir)
				}
			}
			q := e.queue(cfg)
			q.Add(Request{Path: dir})
			require.NoError(t, wait(t, q, hangGuard))
			require.Empty(t, walksLeft(t, e.db), "listed")

			left := leftOf(t, e, newestShare(t, e, dir))
			assert.Equal(t, tc.cut, left.Cut, "its folder was not there to list: %+v", left)
		})
	}
}
