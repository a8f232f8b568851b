package storage

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// immutable makes paths unwritable even to root (chattr +i) until the end
// of the test, or skips it: that takes root and a file system with the
// flag (ext4, xfs, btrfs).
func immutable(t *testing.T, paths ...string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("chattr +i takes root")
	}
	if out, err := exec.Command("chattr", append([]string{"+i"}, paths...)...).CombinedOutput(); err != nil {
		t.Skipf("chattr +i: %v: %s", err, out)
	}
	t.Cleanup(func() {
		for _, p := range paths {
			if _, err := os.Stat(p); err != nil {
				continue // made writable and removed already
			}
			if out, err := exec.Command("chattr", "-i", p).CombinedOutput(); err != nil {
				t.Errorf("chattr -i: %v: %s", err, out)
			}
		}
	})
}

// TestWriteToAnUnwritableDatabaseSaysSo: another program makes the
// database unwritable while it is open (chattr +i, a read-only mode). The
// write gives no "disk I/O error (8714)": the error names the file that is
// read-only and what to do; once it is writable again, writing works.
func TestWriteToAnUnwritableDatabaseSaysSo(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
	path := filepath.Join(dir, DBFileName)
	// Not the -shm: SQLite maps it into memory, and a write to a mapped
	// page of an immutable file faults; the pure-Go SQLite turns the fault
	// into SQLITE_IOERR_IN_PAGE ("disk I/O error (8714)", the same primary
	// code as the write's error here), but under the race detector the
	// fault aborts the test binary.
	immutable(t, path, path+"-wal")

	err = d.InsertJobs([]JobRow{{ID: "after", LocalPath: "/b"}})
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrDatabaseReadOnly)
	assert.Contains(t, err.Error(), "the upload history "+path+" cannot be written: "+path+" is read-only")
	assert.NotContains(t, err.Error(), "disk I/O error")

	require.NoError(t, exec.Command("chattr", "-i", path, path+"-wal").Run())
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "again", LocalPath: "/c"}}), "writable again")
}

// TestOpenOnADiskMountedReadOnlySaysSo: a data folder on a disk mounted
// read-only (a disk remounted after an error, say) names the disk and what
// to do, not the system's "read-only file system" alone. (A disk cannot be
// remounted read-only while the database is open for writing on it.)
func TestOpenOnADiskMountedReadOnlySaysSo(t *testing.T) {
	disk := testfs.SmallDisk(t, 4<<20)
	dir := filepath.Join(disk, "data")
	d, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
	require.NoError(t, d.Close())
	if out, err := exec.Command("mount", "-o", "remount,ro", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot remount the tmpfs read-only: %v: %s", err, out)
	}
	defer func() {
		if out, err := exec.Command("mount", "-o", "remount,rw", disk).CombinedOutput(); err != nil {
			t.Errorf("remount rw: %v: %s", err, out)
		}
	}()

	_, err = Open(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrDatabaseReadOnly)
	assert.Contains(t, err.Error(), "the upload history "+filepath.Join(dir, DBFileName)+" cannot be written: the disk holding "+dir+" is read-only")
}

// TestOpenOfAnImmutableDatabaseSaysSo: a database made unwritable while
// no dStor Uploader runs (chattr +i, which even root cannot write through;
// a backup tool's or a person's "protect this file") names the file that
// is read-only and what to do when the next run opens it, not "open
// database …: operation not permitted"; the queue in it is left as it was,
// and once writable again it opens with its rows.
func TestOpenOfAnImmutableDatabaseSaysSo(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "waiting", LocalPath: "/a"}}))
	require.NoError(t, d.Close())
	path := filepath.Join(dir, DBFileName)
	immutable(t, path)

	_, err = Open(dir)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrDatabaseReadOnly)
	assert.Contains(t, err.Error(), "the upload history "+path+" cannot be written: "+path+" is read-only — make it writable again (chmod u+w, or chattr -i")
	assert.NotContains(t, err.Error(), "operation not permitted")

	require.NoError(t, exec.Command("chattr", "-i", path).Run())
	d, err = Open(dir)
	require.NoError(t, err, "writable again")
	defer d.Close()
	r, err := d.Job("waiting")
	require.NoError(t, err)
	assert.Equal(t, JobQueued, r.State, "the queue is as it was")
}

// TestImmutableQueueLockSaysSo: a queue's lock file made unwritable
// (chattr +i; on Windows a Read-only attribute that Explorer set on the
// data folder's files) with the database writable again names the lock
// file and what to do, not "take the queue lock: open …: operation not
// permitted"; writable again, the lock is taken.
func TestImmutableQueueLockSaysSo(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	l, err := d.LockQueue("testnet", "me@example.com")
	require.NoError(t, err)
	l.Release()
	locks, err := filepath.Glob(filepath.Join(dir, "locks", "*.lock"))
	require.NoError(t, err)
	require.Len(t, locks, 1)
	immutable(t, locks[0])

	_, err = d.LockQueue("testnet", "me@example.com")
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrDatabaseReadOnly)
	assert.Contains(t, err.Error(), locks[0]+" is read-only — make it writable again (chmod u+w, or chattr -i")
	assert.NotContains(t, err.Error(), "operation not permitted")

	require.NoError(t, exec.Command("chattr", "-i", locks[0]).Run())
	l, err = d.LockQueue("testnet", "me@example.com")
	require.NoError(t, err, "writable again")
	l.Release()
}

// openAsEnv tells the re-executed test binary to open the database in the
// folder it names and print the error (TestHelperOpenAs).
const openAsEnv = "DSTOR_STORAGE_OPEN_AS"

// TestHelperOpenAs is not a test: run as a child process by
// TestADatabaseLeftToRootSaysToChownIt, it opens the database and prints
// the error.
func TestHelperOpenAs(t *testing.T) {
	dir := os.Getenv(openAsEnv)
	if dir == "" {
		return // not the child
	}
	d, err := Open(dir)
	if err == nil {
		_ = d.Close()
	}
	fmt.Printf("open: %v\n", err)
	os.Exit(0)
}

// TestADatabaseLeftToRootSaysToChownIt: a run under sudo left the
// database's -wal and -shm to root; the person's next run cannot write
// them, and chmod u+w, which the read-only sentence says, cannot help
// them. The error names the owner and says to take the file back with
// sudo chown.
func TestADatabaseLeftToRootSaysToChownIt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("leaving files to root, and running as another user, takes root")
	}
	top := t.TempDir()
	dir := filepath.Join(top, "data")
	d, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
	require.NoError(t, d.Close())
	path := filepath.Join(dir, DBFileName)
	testfs.OpenToNobody(t, top)
	require.NoError(t, os.Chown(dir, testfs.Nobody, testfs.Nobody))
	require.NoError(t, os.Chown(path, testfs.Nobody, testfs.Nobody))
	for _, p := range []string{path + "-wal", path + "-shm"} {
		require.NoError(t, os.WriteFile(p, nil, 0o600)) // root's, as the sudo run left them
	}
	out := testfs.RunAsNobody(t, top, "TestHelperOpenAs", openAsEnv+"="+dir)
	assert.Contains(t, string(out), "open: the upload history "+path+" cannot be written: "+path+"-wal belongs to the user root")
	assert.Contains(t, string(out), "(sudo chown $USER "+path+"-wal)")
	assert.NotContains(t, string(out), "chmod")
}

// lockAsEnv tells the re-executed test binary to take the queue lock of
// the data folder it names and print the error (TestHelperLockAs).
const lockAsEnv = "DSTOR_STORAGE_LOCK_AS"

// TestHelperLockAs is not a test: run as a child process by
// TestAQueueLockLeftToRootSaysToChownIt, it opens the database, takes the
// queue lock and prints the error.
func TestHelperLockAs(t *testing.T) {
	dir := os.Getenv(lockAsEnv)
	if dir == "" {
		return // not the child
	}
	d, err := Open(dir)
	if err == nil {
		var l *QueueLock
		l, err = d.LockQueue("production", "a@example.com")
		_ = l.Release()
		_ = d.Close()
	}
	fmt.Printf("lock: %v\n", err)
	os.Exit(0)
}

// TestAQueueLockLeftToRootSaysToChownIt: a run under sudo left the
// locks folder, or a lock file in it, to root; the person's next run
// cannot take the queue lock. The error names what root owns and the
// sudo chown that gives it back (-R for the folder), not a bare
// "permission denied".
func TestAQueueLockLeftToRootSaysToChownIt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("leaving files to root, and running as another user, takes root")
	}
	for _, folder := range []bool{true, false} {
		top := t.TempDir()
		dir := filepath.Join(top, "data")
		d, err := Open(dir)
		require.NoError(t, err)
		l, err := d.LockQueue("production", "a@example.com") // root's run
		require.NoError(t, err)
		require.NoError(t, l.Release())
		require.NoError(t, d.Close())
		locks := filepath.Join(dir, "locks")
		lockFiles, err := filepath.Glob(filepath.Join(locks, "*.lock"))
		require.NoError(t, err)
		require.Len(t, lockFiles, 1)
		testfs.OpenToNobody(t, top)
		// The person's data folder and history are theirs; root's run
		// left the locks folder (or only its lock file) to root.
		require.NoError(t, filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
			if err != nil || p == lockFiles[0] || (folder && p == locks) {
				return err
			}
			return os.Chown(p, testfs.Nobody, testfs.Nobody)
		}))
		want, what := "sudo chown $USER "+lockFiles[0], lockFiles[0]
		if folder {
			want, what = "sudo chown -R $USER "+locks, locks
		}
		out := testfs.RunAsNobody(t, top, "TestHelperLockAs", lockAsEnv+"="+dir)
		assert.Contains(t, string(out), "lock: cannot take the upload queue's lock: "+what+" belongs to the user root", "folder %v", folder)
		assert.Contains(t, string(out), "make it yours again ("+want+"), then try again", "folder %v", folder)
	}
}

// TestAHistoryLeftToRootSaysToChownIt: a run under sudo made the data
// folder and its history (root's, as SQLite gives -wal and -shm the
// database's owner), or left the history file alone to root; the person's
// next run cannot even open the file. The error names what root owns and
// the sudo chown that gives it back (-R for the folder, which gives back
// all it holds), not a bare "permission denied".
func TestAHistoryLeftToRootSaysToChownIt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("leaving files to root, and running as another user, takes root")
	}
	for _, tc := range []struct {
		name     string
		dirMode  os.FileMode
		dirToo   bool // the folder is root's too
		folderIs bool // the command gives back the folder
	}{
		{"a private folder", 0o700, true, true},
		{"an open folder", 0o755, true, true},
		{"the file alone", 0o700, false, false},
	} {
		top := t.TempDir()
		dir := filepath.Join(top, "data")
		d, err := Open(dir) // root's run
		require.NoError(t, err)
		require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
		require.NoError(t, d.Close())
		path := filepath.Join(dir, DBFileName)
		require.NoError(t, os.Chmod(dir, tc.dirMode))
		testfs.OpenToNobody(t, top)
		if !tc.dirToo {
			require.NoError(t, os.Chown(dir, testfs.Nobody, testfs.Nobody))
		}
		want, what := "sudo chown $USER "+path, path
		if tc.folderIs {
			want, what = "sudo chown -R $USER "+dir, dir
		}
		out := testfs.RunAsNobody(t, top, "TestHelperOpenAs", openAsEnv+"="+dir)
		assert.Contains(t, string(out), "open: the upload history "+path+" cannot be written: "+what+" belongs to the user root", tc.name)
		assert.Contains(t, string(out), "make it yours again ("+want+"), then try again", tc.name)
	}
}
