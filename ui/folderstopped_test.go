package ui

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderListingCutShortIsSaidInEveryLanguage: a share whose listing
// ended before it listed the whole folder (storage.BatchLeft.Cut:
// stopped, or no folder at its path to list when its turn came) is not
// the whole folder, and Copy all links and Index page say why and what
// to do, naming the folder, in each language's own words.
func TestFolderListingCutShortIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	k := storage.FolderKey{Folder: filepath.Join(t.TempDir(), "trip"), BatchID: "b"}
	for cut, want := range map[storage.ListingCut]string{
		storage.CutStopped:      "The listing of “trip” was stopped before it ended: add the folder again to upload the files it did not list.",
		storage.CutFolderGone:   "“trip” was no longer there when it was to be listed (removed, moved or renamed after it was added): add the folder again from where it is now to upload the files it did not list.",
		storage.CutNotAFolder:   "“trip” was not a folder when it was to be listed (a file was in its place): add the folder again once it is back to upload the files it did not list.",
		storage.CutUnreadable:   "“trip” could not be opened when it was to be listed: add the folder again once it can be opened to upload the files it did not list.",
		storage.CutOwnData:      "“trip” is dStor Uploader's own data folder, which is never uploaded: to keep a copy, quit dStor Uploader and upload a copy of the folder.",
		storage.CutLedElsewhere: "The path by which “trip” was added led to another folder when it was to be listed (a symbolic link on it was pointed elsewhere after it was added; that folder is an upload of its own): add the folder again to upload the files it did not list.",
	} {
		left := storage.FolderLeft{BatchLeft: storage.BatchLeft{Cut: cut}}
		require.True(t, left.Any())
		var english string
		for _, l := range languages {
			require.NoError(t, useLanguage(l.Tag))
			said := folderLeftText(k, left)
			assert.Contains(t, said, "trip", l.Tag)
			if l.Tag == "en" {
				english = said
				assert.Equal(t, want, said)
				continue
			}
			assert.NotEqual(t, english, said, "%s, cut %d", l.Tag, cut)
		}
	}
}
