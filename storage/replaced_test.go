package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
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
		t.Skipf("Windows refuses to delete or replace a database file SQLite holds open (it shares it without FILE_SHARE_DELETE): %v", err)
	}
	require.NoError(t, err)
}

// TestRestartAfterABackupRestoredOverTheDatabase: another program copies
// an older copy of the database file alone over it (a backup restored)
// while it is open, then the window quits and starts again. SQLite does
// not checkpoint a moved file as it closes, so its -wal stayed at the path
// and the next start applied it to the restored file: a damaged database
// ("wrong # of entries in index"). The restored file is opened as it was
// put there, whole; and a file deleted alone starts an empty, sound one.
func TestRestartAfterABackupRestoredOverTheDatabase(t *testing.T) {
	for _, restore := range []bool{true, false} {
		t.Run(map[bool]string{true: "restored", false: "deleted"}[restore], func(t *testing.T) {
			dir, backupDir := t.TempDir(), t.TempDir()
			path := filepath.Join(dir, DBFileName)
			// Each one is closed before its folder is removed, even when the
			// test stops early: Windows refuses to remove an open file.
			open := func(dir string) *DB {
				d, err := Open(dir)
				require.NoError(t, err)
				t.Cleanup(func() { _ = d.Close() })
				return d
			}
			d := open(dir)
			for i := range 500 {
				require.NoError(t, d.InsertJobs([]JobRow{{ID: fmt.Sprintf("old-%d", i), LocalPath: fmt.Sprintf("/a/%d", i)}}))
			}
			require.NoError(t, d.Close())
			copyFile(t, path, filepath.Join(backupDir, DBFileName))
			b := open(backupDir)
			require.NoError(t, b.InsertJobs([]JobRow{{ID: "restored", LocalPath: "/b"}}))
			require.NoError(t, b.Close())

			d = open(dir)
			require.NoError(t, d.InsertJobs([]JobRow{{ID: "new", LocalPath: "/z"}}))
			if restore {
				copyFile(t, filepath.Join(backupDir, DBFileName), path)
			} else {
				skipIfHeldOpen(t, os.Remove(path))
			}
			require.ErrorIs(t, d.InsertJobs([]JobRow{{ID: "after", LocalPath: "/c"}}), ErrDatabaseReplaced)
			require.NoError(t, d.Close())

			d = open(dir)
			var check string
			require.NoError(t, d.r.QueryRow("PRAGMA integrity_check").Scan(&check))
			assert.Equal(t, "ok", check, "the file at the path is sound")
			_, err := d.Job("restored")
			if restore {
				assert.NoError(t, err, "the restored file's own rows are there")
			} else {
				assert.Error(t, err, "a new, empty history")
			}
			_, err = d.Job("new")
			assert.Error(t, err, "nothing of the file it replaced")
		})
	}
}

// copyFile writes a copy of from at to through a rename, as a restore or
// a sync tool does.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	tmp := to + ".tmp"
	require.NoError(t, os.WriteFile(tmp, b, 0o600))
	skipIfHeldOpen(t, os.Rename(tmp, to))
}

// TestWhatALookAtTheDatabasePathTells: CheckFile looks at the database
// file's path before every commit. Only nothing at the path (the file or
// its folder deleted or moved) or another file there is a replaced file,
// which fails that write and every later one; a look that fails otherwise
// (no permission to the folder, another program's sharing violation) tells
// nothing, and leaves the error, if any, to the write itself.
func TestWhatALookAtTheDatabasePathTells(t *testing.T) {
	const path = "data/dstor-uploader.db"
	for _, tc := range []struct {
		name string
		same bool
		err  error
		want *ReplacedError
	}{
		{"the file opened", true, nil, nil},
		{"another file", false, nil, &ReplacedError{Path: path}},
		{"nothing", false, &os.PathError{Op: "stat", Path: path, Err: syscall.ENOENT}, &ReplacedError{Path: path, Deleted: true}},
		{"no permission", false, &os.PathError{Op: "stat", Path: path, Err: syscall.EACCES}, nil},
		{"an input/output error", false, &os.PathError{Op: "stat", Path: path, Err: syscall.EIO}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, replacedBy(path, tc.same, tc.err))
		})
	}
}
