package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestUploadWhileTheHistoryIsMovedOrReplacedGoesOn: what else than a
// deletion can happen to the history under a run, with the third of 8
// uploads held (uploadWhileGone): the data folder renamed, the file
// replaced by a copy of itself (cp, then mv over it: a sync or backup
// tool's way), or its three files deleted the other way round (-shm and
// -wal first, as a cleanup listing the folder in its own order may). The
// queue looks at the history before each start (3cd850e), and only a
// -shm gone with the file still there stops the command line: in each
// case here the file is found moved or replaced first, so the run uploads
// every file, prints every link (those not recorded on FAILED lines), says
// the history's fate once, and exits 1.
func TestUploadWhileTheHistoryIsMovedOrReplacedGoesOn(t *testing.T) {
	skipOnWindows(t) // Windows refuses to move, replace or delete files SQLite holds open
	for _, tc := range []struct {
		name string
		do   func(t *testing.T, home string)
		says string // in the "Not recorded:" sentence, after the history's path
	}{
		{"data folder renamed", func(t *testing.T, home string) {
			require.NoError(t, os.Rename(home, home+"-moved"))
		}, " was deleted or moved away while this run was uploading"},
		{"replaced by a copy", func(t *testing.T, home string) {
			db := filepath.Join(home, storage.DBFileName)
			data, err := os.ReadFile(db) // cp
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(db+".copy", data, 0o600))
			require.NoError(t, os.Rename(db+".copy", db))
		}, " was replaced by another file (a backup restored, a sync tool) while this run was uploading"},
		{"deleted -shm first", func(t *testing.T, home string) {
			for _, suffix := range []string{"-shm", "-wal", ""} {
				require.NoError(t, os.Remove(filepath.Join(home, storage.DBFileName+suffix)))
			}
		}, " was deleted or moved away while this run was uploading"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := uploadWhileGone(t, tc.do)
			t.Logf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
			assert.Equal(t, 1, r.code, "no success: the run's records are not in the history at the path")
			assert.Contains(t, r.errOut, "Not recorded: the upload history "+filepath.Join(r.home, storage.DBFileName)+tc.says)
			assert.Equal(t, 1, strings.Count(r.errOut, "while this run was uploading"), "the history's fate said once")
			assert.NotContains(t, r.errOut, "The run stopped there", "only a -shm gone stops the command line")
			assert.Len(t, r.sb.Srv.Uploads(r.sb.Acc.ID), len(r.files), "every file uploaded")
			assertEveryUploadLinked(t, r.sb, r.out+r.errOut)
		})
	}
}
