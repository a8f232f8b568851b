package worker

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/sys/windows"
)

// TestShareOutOfReachIsNotAFileGone: Go counts Windows' ERROR_BAD_NETPATH
// (a network share out of reach) as fs.ErrNotExist, like a file deleted.
// A file or folder on such a share is unreadable for now, not gone: its
// job is not the "file missing" one that trying again cannot help, and a
// folder met in a walk is not said to have disappeared while listed. A
// file or folder really gone keeps those reasons.
func TestShareOutOfReachIsNotAFileGone(t *testing.T) {
	share := func(err error) error { return &fs.PathError{Op: "open", Path: `\\nas\photos\a.jpg`, Err: err} }
	tests := []struct {
		name               string
		err                error
		file, walk, folder ReasonCode
	}{
		{"share out of reach", share(windows.ERROR_BAD_NETPATH), ReasonFileUnreadable, ReasonFileUnreadable, ReasonFolderUnreadable},
		{"file not found", share(windows.ERROR_FILE_NOT_FOUND), ReasonFileMissing, ReasonVanished, ReasonVanished},
		{"path not found", share(windows.ERROR_PATH_NOT_FOUND), ReasonFileMissing, ReasonVanished, ReasonVanished},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _ := reasonOf(tt.err)
			assert.Equal(t, tt.file, code, "a queued file's reason")
			assert.Equal(t, tt.walk, causeUnreadable(false, tt.err).code, "a file met in a walk")
			assert.Equal(t, tt.folder, causeUnreadable(true, tt.err).code, "a folder met in a walk")
		})
	}
}
