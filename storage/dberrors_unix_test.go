//go:build !windows

package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAReadOnlyPartAnotherUserOwnsSaysToChownIt: a part of the history
// another user owns (root, after a run under sudo) is given back with sudo
// chown, the folder with all it holds; the path is one word for the shell
// whatever characters it has. (Windows leaves no file to another user.)
func TestAReadOnlyPartAnotherUserOwnsSaysToChownIt(t *testing.T) {
	for _, tc := range []struct{ path, what, want string }{
		{"/data/uploads.db", "/data/uploads.db-wal", "sudo chown $USER /data/uploads.db-wal"},
		{"/data/uploads.db", "/data", "sudo chown -R $USER /data"},
		{"/home/a b/uploads.db", "/home/a b/uploads.db-shm", "sudo chown $USER '/home/a b/uploads.db-shm'"},
		{"/home/it's/uploads.db", "/home/it's/uploads.db", `sudo chown $USER '/home/it'\''s/uploads.db'`},
		{"/home/$x/uploads.db", "/home/$x/uploads.db", "sudo chown $USER '/home/$x/uploads.db'"},
	} {
		e := &ReadOnlyError{Path: tc.path, What: tc.what, Owner: "root"}
		assert.Equal(t, tc.want, e.ChownCommand(), tc.what)
		assert.Equal(t, "the upload history "+tc.path+" cannot be written: "+tc.what+" belongs to the user root (left by a run under sudo?) — "+
			"make it yours again ("+tc.want+"), then try again", e.Error())
	}
	assert.Contains(t, (&ReadOnlyError{Path: "/data/uploads.db", What: "/data/uploads.db-wal"}).Error(), "chmod u+w",
		"a part of this user's own is made writable")
}
