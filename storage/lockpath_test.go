package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestLockPathInTheWaySaysWhichAndWhatToDo: a folder where the upgrade
// lock file belongs stops the update of an older history, and a file where
// the locks folder belongs an account's queue, with a sentence naming that
// path and saying to move it away, not the system's words ("is a
// directory", "not a directory"). The history is left as it is, and is
// updated once the folder is moved away. A file where the locks folder
// belongs holds no older version's lock, so the update goes on (on Windows
// the look into it finds nothing there either).
func TestLockPathInTheWaySaysWhichAndWhatToDo(t *testing.T) {
	const advice = " — move it away or rename it, then try again"
	dir := olderSchemaFolder(t, 19)
	_, before := historyAsItIs(t, dir)
	gate := filepath.Join(dir, UpgradeLockFile)
	require.NoError(t, os.Mkdir(gate, 0o700))
	d, err := Open(dir)
	if err == nil {
		_ = d.Close()
	}
	var e *filelock.NotAFileError
	require.ErrorAs(t, err, &e)
	assert.Equal(t, gate, e.Path)
	assert.Contains(t, err.Error(), gate+" is a folder where a lock file belongs"+advice)
	v, after := historyAsItIs(t, dir)
	assert.Equal(t, 19, v, "user_version untouched")
	assert.Equal(t, before, after, "schema and rows untouched")

	require.NoError(t, os.Rename(gate, gate+".moved"))
	locks := filepath.Join(dir, LocksFolder)
	require.NoError(t, os.WriteFile(locks, nil, 0o600))
	d, err = Open(dir)
	require.NoError(t, err, "a file named locks holds no older version's lock")
	t.Cleanup(func() { _ = d.Close() })
	v, err = d.SchemaVersion()
	require.NoError(t, err)
	assert.Equal(t, CurrentSchemaVersion, v)

	_, err = d.LockQueue("env", "a@example.com")
	require.ErrorAs(t, err, &e, "the queue's lock")
	assert.Equal(t, locks, e.Path)
	assert.Contains(t, err.Error(), locks+" is a file where a folder of lock files belongs"+advice)
}

// TestLocksFolderALinkToNoFolderSaysWhatToDo: a symbolic link where the
// locks folder belongs that leads nowhere (a data folder whose parts a
// dotfiles tool links to a drive not plugged in) stopped every queue with
// the system's "create the lock directory: mkdir …/locks: file exists". It
// is named with what to do, and no folder is made where the link points.
func TestLocksFolderALinkToNoFolderSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	locks := filepath.Join(dir, LocksFolder)
	require.NoError(t, os.RemoveAll(locks))
	unplugged := filepath.Join(t.TempDir(), "unplugged", "locks")
	testfs.SymlinkOrSkip(t, unplugged, locks)

	l, err := d.LockQueue("env", "a@example.com")
	if l != nil {
		l.Release()
	}
	var e *filelock.NotAFileError
	require.ErrorAs(t, err, &e)
	assert.Equal(t, locks, e.Path)
	assert.Contains(t, err.Error(), locks+" is a symbolic link where a folder of lock files belongs")
	assert.NoDirExists(t, filepath.Dir(unplugged), "no folder made where the link points")
}
