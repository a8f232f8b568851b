package ui

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderListingStoppedIsSaidInEveryLanguage: a share whose listing
// was stopped before it ended (storage.BatchLeft.Stopped) is not the
// whole folder, and Copy all links and Index page say why, naming the
// folder, in each language's own words.
func TestFolderListingStoppedIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	k := storage.FolderKey{Folder: filepath.Join(t.TempDir(), "trip"), BatchID: "b"}
	left := storage.FolderLeft{BatchLeft: storage.BatchLeft{Stopped: true}}
	require.True(t, left.Any())
	var english string
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		said := folderLeftText(k, left)
		assert.Contains(t, said, "trip", l.Tag)
		if l.Tag == "en" {
			english = said
			assert.Equal(t, "The listing of “trip” was stopped before it ended: add the folder again to upload the files it did not list.", said)
			continue
		}
		assert.NotEqual(t, english, said, l.Tag)
	}
}
