package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderLinksNotWholeAfterAFolderTooDeepSaySo: a folder whose upload
// skipped a folder inside as too deep for dStor's folder paths (one
// skipped row, with everything in it) is not the whole folder, and Copy
// all links said its "file" "was canceled, could not be read, was
// replaced by another file, or was removed from the queue": none of that
// happened, the folder was read. It must say what did, and what to do, as
// history --folder does (storage.FolderLeft.TooDeep).
func TestFolderLinksNotWholeAfterAFolderTooDeepSaySo(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e := newTestEnv(t)
	e.signInCustom(sb)
	a := e.a
	dir := filepath.Join(t.TempDir(), "deep")
	far := dir
	for _, c := range "abcde" {
		far = filepath.Join(far, strings.Repeat(string(c), 250))
	}
	require.NoError(t, os.MkdirAll(far, 0o755))
	writeFiles(t, dir, "top.txt")
	writeFiles(t, far, "f1.txt")

	e.ui(func() { a.addPaths([]string{dir}) })
	e.eventually(func() bool { return a.upload.sum.Done == 1 && a.upload.sum.Skipped == 1 && !a.upload.busy() },
		"top.txt uploaded, the deep folder skipped")
	e.ui(func() {
		a.win.Resize(fyne.NewSize(1100, 720))
		a.tabs.Select(a.historyTab)
	})
	e.reloadHistory(1)
	var k storage.FolderKey
	e.ui(func() { k, _ = a.history.entries[0].Folder() })
	said := e.copyAllLinks(k, 1)
	assert.Contains(t, said, "Not the whole folder yet")
	assert.NotContains(t, said, "could not be read", "the folder was read")
	assert.NotContains(t, said, "canceled")
	assert.Contains(t, said, "1 folder of this upload of “deep” was skipped with everything in it, as its path on dStor would be longer than the 1024 bytes dStor allows: give it or the folders above it shorter names, or choose a shorter destination folder path, and add the folder again.")
}

// TestFolderTooDeepIsSaidApartInEveryLanguage: of a share's dropped
// files (storage.FolderLeft.Dropped), those that are folders skipped as
// too deep (TooDeep) are said in a sentence of their own, in each
// language's own words, and only the rest as canceled or unreadable.
func TestFolderTooDeepIsSaidApartInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	k := storage.FolderKey{Folder: filepath.Join(t.TempDir(), "trip"), BatchID: "b"}
	for _, c := range []struct {
		left     storage.FolderLeft
		want     []string
		wantNone []string
	}{
		{storage.FolderLeft{Dropped: 2, TooDeep: 2},
			[]string{"2 folders of this upload of “trip” were skipped with everything in them, as their paths on dStor would be longer than the 1024 bytes dStor allows: give them or the folders above them shorter names, or choose a shorter destination folder path, and add the folder again."},
			[]string{"could not be read"}},
		{storage.FolderLeft{Dropped: 4, TooDeep: 1},
			[]string{"3 files of this upload of “trip” were canceled, could not be read,", "1 folder of this upload of “trip” was skipped with everything in it"},
			nil},
		{storage.FolderLeft{Dropped: 1},
			[]string{"1 file of this upload of “trip” was canceled, could not be read,"},
			[]string{"skipped with everything"}},
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
			if c.left.TooDeep > 0 {
				assert.Contains(t, said, "1024", "%s: dStor's limit", l.Tag)
			}
		}
	}
}
