package storage

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWritesToADeletedOrReplacedDatabaseFail: another program deletes the
// database file (with its -wal and -shm) or puts another file in its place
// (a backup restored, a sync tool's rename) while it is open. SQLite keeps
// writing to the file it opened, which is in no folder any more, and every
// commit would count as recorded while none reaches the history. A write
// then fails, naming the file and what happened, and writes nothing.
func TestWritesToADeletedOrReplacedDatabaseFail(t *testing.T) {
	for _, tc := range []struct {
		name, want string
		change     func(t *testing.T, path string)
	}{
		{"deleted", "was deleted or moved away", func(t *testing.T, path string) {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				skipIfHeldOpen(t, os.Remove(path+suffix))
			}
		}},
		{"replaced by a rename", "was replaced by another file", func(t *testing.T, path string) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			tmp := path + ".restored"
			require.NoError(t, os.WriteFile(tmp, b, 0o600))
			skipIfHeldOpen(t, os.Rename(tmp, path))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := Open(dir)
			require.NoError(t, err)
			defer d.Close()
			path := filepath.Join(dir, DBFileName)
			require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))

			tc.change(t, path)

			err = d.InsertJobs([]JobRow{{ID: "after", LocalPath: "/b"}})
			require.Error(t, err, "a write to a file no longer at its path must not count as written")
			assert.ErrorIs(t, err, ErrDatabaseReplaced)
			assert.Contains(t, err.Error(), "the upload history "+path+" "+tc.want)
			_, finErrs := d.WriteJobs(nil, []JobFinish{{Row: JobRow{ID: "before"}, History: HistoryEntry{Name: "a", Hash: "QmA"}}})
			assert.ErrorIs(t, finErrs[0], ErrDatabaseReplaced, "a finished upload is not recorded either")
		})
	}
}

// skipIfHeldOpen skips t when err is Windows refusing to delete or replace
// a file SQLite holds open (it opens it without FILE_SHARE_DELETE, so
// there no other program can either), and fails it on any other error.
func skipIfHeldOpen(t *testing.T, err error) {
	t.Helper()
	if err != nil && runtime.GOOS == "windows" {
		t.Skipf("Windows refuses to delete or replace an open database file: %v", err)
	}
	require.NoError(t, err)
}
