//go:build unix

package filelock

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTakeMakesNoFileThroughALink: a symbolic link at a lock's path that
// points to nothing is refused, not followed to make a file where it
// points (any file of the user's: a link put there by someone else), and
// so is a link to a folder, and a folder at the path; each says which path
// is wrong and what to do, and the link is left as it is. (A link to a
// file is followed: TestTakeThroughALink.)
func TestTakeMakesNoFileThroughALink(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	nowhere := filepath.Join(elsewhere, "made-by-the-lock")
	cases := []struct {
		name, target, want string
	}{
		{"dangling link", nowhere, "is a symbolic link"},
		{"link to a folder", elsewhere, "is a symbolic link"},
		{"folder", "", "is a folder"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.name+".lock")
			if c.target != "" {
				require.NoError(t, os.Symlink(c.target, path))
			} else {
				require.NoError(t, os.Mkdir(path, 0o700))
			}
			k, err := Take(path)
			if k != nil {
				_ = k.Close()
			}
			var e *NotAFileError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, path, e.Path)
			assert.Contains(t, err.Error(), path+" "+c.want)
			assert.Contains(t, err.Error(), "then try again")
			if c.target != "" {
				assert.Contains(t, err.Error(), "remove the link")
				got, err := os.Readlink(path)
				require.NoError(t, err)
				assert.Equal(t, c.target, got, "the link is left as it is")
			}
		})
	}
	assert.NoFileExists(t, nowhere, "no file made where the link points")
}

// TestLinkToAnotherUsersFileIsNotToBeChowned: a symbolic link at a lock's
// path to a file of another user's that this one may not open (someone
// else's link to /etc/passwd) once gave a *NotYoursError naming the link,
// whose command, sudo chown $USER on the link, gives away the file it
// points to (chown follows a link). It is a link to no file of the user's
// to remove, what it points to being left as it is. (Root may open any
// file, so the refusal the system gives another user is given here.)
func TestLinkToAnotherUsersFileIsNotToBeChowned(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	theirs := filepath.Join(elsewhere, "theirs")
	require.NoError(t, os.WriteFile(theirs, nil, 0o644))
	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(theirs, 65534, 65534))
	}
	if Owner(theirs) == "" {
		t.Skip("no file of another user's can be made here")
	}
	path := filepath.Join(dir, "window.lock")
	require.NoError(t, os.Symlink(theirs, path))
	err := lockFileRefused(path, &os.PathError{Op: "open", Path: path, Err: syscall.EACCES})
	e, ok := errors.AsType[*NotAFileError](err)
	require.True(t, ok, "not a NotAFileError: %v", err)
	assert.Equal(t, path, e.Path)
	assert.Equal(t, fs.ModeSymlink, e.Found)
	assert.Contains(t, err.Error(), "remove the link")
	assert.NotContains(t, err.Error(), "chown")
}

// TestSocketWhereALockFileBelongs: a socket at a lock's path (another
// program's, bound there) cannot be opened at all: Take once gave the
// system's "no such device or address", which the window and the command
// line showed as it is, and Hold the same, which stopped the update of an
// older history. Take names the path and says to move it away; Hold finds
// nobody holding it (nobody can), so the update goes on.
func TestSocketWhereALockFileBelongs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "upgrade.lock")
	l, err := net.Listen("unix", path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })

	k, err := Take(path)
	if k != nil {
		_ = k.Close()
	}
	e, ok := errors.AsType[*NotAFileError](err)
	require.True(t, ok, "not a NotAFileError: %v", err)
	assert.Equal(t, path, e.Path)
	assert.Equal(t, path+" is a special file (a socket or a device) where a lock file belongs — move it away or rename it, then try again", err.Error())

	f, err := Hold(path)
	require.NoError(t, err)
	assert.Nil(t, f)
}

// TestLinkWhereTheLocksFolderBelongs: a symbolic link where the folder of
// lock files belongs that leads to no folder (to nothing: a drive
// unplugged; to a file; or round in a loop) is named as a link, with what
// to do: the queue's lock said the system's "mkdir …/locks: file exists"
// for one leading nowhere. A link to a folder is a folder.
func TestLinkWhereTheLocksFolderBelongs(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	folder := filepath.Join(dir, "a-folder")
	require.NoError(t, os.Mkdir(folder, 0o700))
	for _, tc := range []struct{ name, target string }{
		{"to nothing", filepath.Join(dir, "unplugged", "locks")},
		{"to a file", file},
		{"to itself", "locks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			locks := filepath.Join(t.TempDir(), "locks")
			require.NoError(t, os.Symlink(tc.target, locks))
			e := NotAFolder(locks)
			require.NotNil(t, e, "a link to no folder is no folder of lock files")
			assert.Equal(t, locks, e.Path)
			assert.Equal(t, locks+" is a symbolic link where a folder of lock files belongs, leading to no folder (to nothing, to a file, or round in a loop), "+
				"and a lock never makes a folder where a link points — remove the link, or make the folder it points to, then try again", e.Error())
		})
	}
	locks := filepath.Join(t.TempDir(), "locks")
	require.NoError(t, os.Symlink(folder, locks))
	assert.Nil(t, NotAFolder(locks), "a link to a folder is a folder")
}
