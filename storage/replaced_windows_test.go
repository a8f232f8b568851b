package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// holdOpen opens path as another program would, with the access and
// sharing given; the returned function closes it.
func holdOpen(t *testing.T, path string, access, share uint32) (release func()) {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	h, err := windows.CreateFile(p, access, share, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	require.NoError(t, err, "hold %s open", path)
	return func() { _ = windows.CloseHandle(h) }
}

// createdID makes a file at path and returns its identity.
func createdID(t *testing.T, path string) fileID {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	id, err := fileIDOf(f)
	require.NoError(t, err)
	return id
}

// TestTheDatabaseFileIsKnownThroughAHandle: on Windows CheckFile compares
// the volume serial number and file index of the file at the path with
// those of the file opened, read through a handle that asks for the file's
// attributes alone and shares it fully: another program holding the file
// without sharing it (a backup or antivirus tool) does not stop the look,
// and a path longer than 260 characters is looked at too.
func TestTheDatabaseFileIsKnownThroughAHandle(t *testing.T) {
	top := t.TempDir()
	deep := filepath.Join(top, strings.Repeat("d", 100), strings.Repeat("e", 100), strings.Repeat("f", 100))
	require.NoError(t, os.MkdirAll(deep, 0o700))
	for _, dir := range []string{top, deep} {
		path := filepath.Join(dir, DBFileName)
		id := createdID(t, path)
		same, err := id.isAt(path)
		require.NoError(t, err, path)
		assert.True(t, same, "the file opened is at %s", path)

		release := holdOpen(t, path, windows.GENERIC_READ|windows.GENERIC_WRITE, 0)
		same, err = id.isAt(path)
		release()
		require.NoError(t, err, "a file another program holds without sharing it")
		assert.True(t, same)

		other := path + ".restored"
		assert.NotEqual(t, id, createdID(t, other))
		require.NoError(t, os.Rename(other, path))
		same, err = id.isAt(path)
		require.NoError(t, err)
		assert.False(t, same, "another file is at %s", path)

		require.NoError(t, os.Remove(path))
		_, err = id.isAt(path)
		assert.ErrorIs(t, err, os.ErrNotExist)
		_, err = id.isAt(filepath.Join(dir, "gone", DBFileName))
		assert.ErrorIs(t, err, os.ErrNotExist, "its folder gone")
	}
}

// TestAnotherProgramHoldingTheDatabaseFileStopsNoWrite: a backup or
// antivirus tool opens the database file while it is open, reading it or
// holding it without sharing it (attributes alone: SQLite's handle refuses
// any more); writes go on.
func TestAnotherProgramHoldingTheDatabaseFileStopsNoWrite(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	path := filepath.Join(dir, DBFileName)
	for _, hold := range []struct {
		name          string
		access, share uint32
	}{
		{"reading it", windows.GENERIC_READ, windows.FILE_SHARE_READ | windows.FILE_SHARE_WRITE},
		{"without sharing it", windows.FILE_READ_ATTRIBUTES, 0},
	} {
		release := holdOpen(t, path, hold.access, hold.share)
		assert.NoError(t, d.CheckFile(), hold.name)
		assert.NoError(t, d.InsertJobs([]JobRow{{ID: hold.name, LocalPath: "/a"}}), hold.name)
		release()
	}
}

// TestWhatAFailedOpenOfTheDatabasePathTellsOnWindows: of the errors
// Windows gives for the open CheckFile makes, only a file or folder not
// found means the database file is gone; the others tell nothing.
func TestWhatAFailedOpenOfTheDatabasePathTellsOnWindows(t *testing.T) {
	const path = `C:\data\dstor-uploader.db`
	for errno, deleted := range map[windows.Errno]bool{
		windows.ERROR_FILE_NOT_FOUND:    true,
		windows.ERROR_PATH_NOT_FOUND:    true,
		windows.ERROR_SHARING_VIOLATION: false,
		windows.ERROR_ACCESS_DENIED:     false,
		windows.ERROR_LOCK_VIOLATION:    false,
		windows.ERROR_NETNAME_DELETED:   false,
		windows.ERROR_NOT_READY:         false,
		windows.ERROR_DEV_NOT_EXIST:     false,
	} {
		got := replacedBy(path, false, &os.PathError{Op: "open", Path: path, Err: errno})
		if deleted {
			assert.Equal(t, &ReplacedError{Path: path, Deleted: true}, got, "%v", errno)
		} else {
			assert.Nil(t, got, "%v", errno)
		}
	}
}
