package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFileOfAFolderWhoseDriveWasRemovedIsNotSkipped: a memory card or a
// network share mounted at a folder that stays when it is unmounted (a
// mount point of fstab, a folder added whole that holds such a mount)
// leaves its files missing and their folder there, empty, on the drive
// below: they are not gone from their folder, their drive is, so they are
// not skipped as such (the folder's list would be called whole without
// them) but fail, for Retry failed once the drive is back. The file's
// listed identity names the device it was on; its folder, now on another
// device, tells the drive went. With the card in place (the same device)
// a missing file is gone from its folder.
func TestFileOfAFolderWhoseDriveWasRemovedIsNotSkipped(t *testing.T) {
	card := t.TempDir()
	fi, err := os.Stat(card)
	require.NoError(t, err)
	dev := fi.Sys().(*syscall.Stat_t).Dev
	q := &Queue{}
	for _, tt := range []struct {
		name, file, fileID string
		gone               bool
	}{
		{"the card is in: the file was deleted", "IMG_2.jpg", fmt.Sprintf("%d:1234", dev), true},
		{"in a subfolder deleted with it", "DCIM/IMG_2.jpg", fmt.Sprintf("%d:1234", dev), true},
		{"the card was removed", "IMG_2.jpg", fmt.Sprintf("%d:1234", dev+1), false},
		{"the card was removed, a file in a subfolder", "DCIM/IMG_2.jpg", fmt.Sprintf("%d:1234", dev+1), false},
		{"no identity listed", "IMG_2.jpg", "", true},
	} {
		path := filepath.Join(card, tt.file)
		row := storage.JobRow{LocalPath: path, Beneath: card, FileID: tt.fileID}
		err := q.goneFromItsFolder(t.Context(), row, &fs.PathError{Op: "open", Path: path, Err: syscall.ENOENT})
		assert.Equal(t, tt.gone, errors.Is(err, errGoneFromFolder), "%s: %v", tt.name, err)
	}
}
