package ui

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderUnreadIsSaidAsFoldersInEveryLanguage: of a share's dropped
// files (storage.FolderLeft.Dropped), the folders its listing could not
// read (UnreadFolders: one row each, for all they held, never seen) were
// said as "files … could not be read". They are said in a sentence of
// their own, as folders, with what to do, in each language's own words;
// only the rest as files.
func TestFolderUnreadIsSaidAsFoldersInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	k := storage.FolderKey{Folder: filepath.Join(t.TempDir(), "trip"), BatchID: "b"}
	for _, c := range []struct {
		left     storage.FolderLeft
		want     []string
		wantNone []string
	}{
		{storage.FolderLeft{Dropped: 2, UnreadFolders: 2},
			[]string{"2 folders of this upload of “trip” could not be read, so what they hold was not uploaded: give yourself permission to read them (or move them to a folder with a shorter path, if their path is longer than the system allows), then add the folder again."},
			[]string{"files of this upload", "canceled"}},
		{storage.FolderLeft{Dropped: 5, UnreadFolders: 1, TooDeep: 1},
			[]string{"3 files of this upload of “trip” were canceled, could not be read,",
				"1 folder of this upload of “trip” could not be read, so what it holds was not uploaded: give yourself permission to read it (or move it to a folder with a shorter path, if its path is longer than the system allows), then add the folder again.",
				"1 folder of this upload of “trip” was skipped with everything in it"},
			nil},
		{storage.FolderLeft{Dropped: 1},
			[]string{"1 file of this upload of “trip” was canceled, could not be read,"},
			[]string{"what it holds", "what they hold"}},
	} {
		require.True(t, c.left.Any())
		var english string
		for _, l := range languages {
			require.NoError(t, useLanguage(l.Tag))
			said := folderLeftText(k, c.left)
			assert.Contains(t, said, "trip", l.Tag)
			if l.Tag == "en" {
				english = said
				for _, w := range c.want {
					assert.Contains(t, said, w, "%+v", c.left)
				}
				for _, w := range c.wantNone {
					assert.NotContains(t, said, w, "%+v", c.left)
				}
				continue
			}
			assert.NotEqual(t, english, said, "%s, %+v", l.Tag, c.left)
			if c.left.UnreadFolders > 0 {
				assert.NotContains(t, said, "could not be read", "%s: its own words", l.Tag)
			}
		}
	}
}
