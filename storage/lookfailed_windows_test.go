package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/sys/windows"
)

// TestALookAtAShareThatBlinksTellsNothing: what a look at the history's
// path (isAt's open) failing with each error says. Only a file or folder
// not there is the history deleted; a data folder on a network share that
// drops for a moment, or a drive not ready, tells nothing (nil), as any
// other failed look does. Go counts ERROR_BAD_NETPATH as not found
// (os.ErrNotExist), so a share that blinked marked the history deleted
// for good: the window stopped every upload and told the person to quit.
// The path is on a drive that is there: on a share that is not, a file or
// folder not found tells nothing either
// (TestAPathNotFoundOnAShareNotThereTellsNothing).
func TestALookAtAShareThatBlinksTellsNothing(t *testing.T) {
	path := filepath.Join(filepath.VolumeName(t.TempDir())+`\`, "dstor", DBFileName)
	for _, tc := range []struct {
		errno   windows.Errno
		deleted bool
	}{
		{windows.ERROR_FILE_NOT_FOUND, true},
		{windows.ERROR_PATH_NOT_FOUND, true},
		{windows.ERROR_BAD_NETPATH, false},
		{windows.ERROR_BAD_NET_NAME, false},
		{windows.ERROR_NETNAME_DELETED, false},
		{windows.ERROR_UNEXP_NET_ERR, false},
		{windows.ERROR_NETWORK_UNREACHABLE, false},
		{windows.ERROR_HOST_UNREACHABLE, false},
		{windows.ERROR_NETWORK_BUSY, false},
		{windows.ERROR_REM_NOT_LIST, false},
		{windows.ERROR_DEV_NOT_EXIST, false},
		{windows.ERROR_DEVICE_NOT_CONNECTED, false},
		{windows.ERROR_NOT_READY, false},
		{windows.ERROR_SEM_TIMEOUT, false},
		{windows.ERROR_CONNECTION_ABORTED, false},
		{windows.ERROR_ACCESS_DENIED, false},
		{windows.ERROR_SHARING_VIOLATION, false},
	} {
		err := &os.PathError{Op: "open", Path: path, Err: tc.errno}
		var want *ReplacedError
		if tc.deleted {
			want = &ReplacedError{Path: path, Deleted: true}
		}
		assert.Equal(t, want, replacedBy(path, false, err), "the file: %d %v", uint32(tc.errno), tc.errno)
		if tc.deleted {
			want = &ReplacedError{Path: path, Journal: true}
		}
		assert.Equal(t, want, journalReplacedBy(path, false, err), "its journal: %d %v", uint32(tc.errno), tc.errno)
	}
}
