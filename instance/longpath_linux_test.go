package instance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A data folder whose path is longer than a socket's address may be
// (sun_path: 107 bytes and its NUL on Linux; --home deep in a project, a
// long user name) still has one window: a launch in another process hands
// its files to the window there, also once the window has put its socket
// back. At 91 bytes window.sock's path fits, but the name the window makes
// it under first (.window-PID.sock) did not: the window opened alone,
// saying "bind: invalid argument"; at 300 neither fits.
func TestDataFolderWithALongPathKeepsOneWindow(t *testing.T) {
	for _, n := range []int{91, 300} {
		dir := folderOfLength(t, n)
		_, lines := startHolder(t, dir)
		sock := filepath.Join(dir, socketName)
		for round := range 2 {
			_, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/a.txt"}})
			require.NoError(t, err, "%d bytes, round %d", n, round)
			assert.True(t, handed, "%d bytes, round %d: the files go to the running window", n, round)
			require.True(t, lines.Scan(), "%d bytes, round %d: the window reports the hand-off: %v", n, round, lines.Err())
			assert.Equal(t, "/a.txt", lines.Text())
			fi, err := os.Lstat(sock)
			require.NoError(t, err)
			assert.Equal(t, os.ModeSocket, fi.Mode().Type(), "%d bytes, round %d", n, round)
			assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "%d bytes, round %d: the socket is the user's alone", n, round)
			require.NoError(t, os.Remove(sock)) // round 1: the socket the window put back
		}
	}
}

// folderOfLength makes a folder whose path is n bytes long.
func folderOfLength(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for len(dir) < n {
		dir = filepath.Join(dir, strings.Repeat("d", min(100, n-len(dir)-1)))
	}
	require.Len(t, dir, n)
	require.NoError(t, os.MkdirAll(dir, 0o700))
	return dir
}
