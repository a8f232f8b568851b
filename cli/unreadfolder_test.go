package cli

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderListSaysFoldersItCouldNotReadAsFolders: history --folder of
// an upload whose walk could not read a folder inside (folder-denied,
// folder-unreadable: one skipped row, storage.FolderLeft.UnreadFolders)
// said "1 file(s) … could not be read": it was a folder, and what it held
// was never seen. Such folders are said apart, as folders, with what to
// do; only the rest of Dropped as files; the exit is 1 still.
func TestFolderListSaysFoldersItCouldNotReadAsFolders(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "trip")
	k := storage.FolderKey{Folder: dir, BatchID: "b"}
	const folders = "folder(s) in this upload of %s could not be read, so what they hold was not uploaded (the upload said why for each): give yourself permission to read them (or move them to a shorter path, if the upload said theirs is too long), then upload the folder again."
	files := "file(s) of this upload of " + dir + " were canceled, could not be read"
	for _, c := range []struct {
		left     storage.FolderLeft
		want     []string
		wantNone []string
	}{
		{storage.FolderLeft{Dropped: 2, UnreadFolders: 2},
			[]string{"Not the whole folder: 2 " + fmt.Sprintf(folders, dir)}, []string{files, "2 file(s)"}},
		{storage.FolderLeft{Dropped: 4, UnreadFolders: 1, TooDeep: 1},
			[]string{"Not the whole folder: 1 " + fmt.Sprintf(folders, dir), "Not the whole folder: 2 " + files,
				"Not the whole folder: 1 folder(s) in this upload of " + dir + " were skipped with everything in them"}, nil},
		{storage.FolderLeft{Dropped: 1},
			// A canceled file's bytes may have reached dStor before the
			// cancel: what is sure is that the history has no link.
			[]string{"Not the whole folder: 1 " + files, "so the history has no link for them"},
			[]string{"folder(s)", "were not uploaded"}},
	} {
		var out, errOut bytes.Buffer
		err := folderLeft(IO{Out: &out, Err: &errOut}, k, c.left, 1)
		var exit *exitError
		if assert.True(t, errors.As(err, &exit), "%+v", c.left) {
			assert.Equal(t, 1, exit.code, "not the folder's whole list")
		}
		for _, w := range c.want {
			assert.Contains(t, errOut.String(), w, "%+v", c.left)
		}
		for _, w := range c.wantNone {
			assert.NotContains(t, errOut.String(), w, "%+v", c.left)
		}
		assert.Empty(t, out.String())
	}
}
