//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSandboxDataWithDotDotAfterALink: with L a symbolic link to a folder
// elsewhere, `sandbox --data L/../store` made its store in the store
// beside L (filepath.Abs cut "L/.." as text), while `mkdir L/../store`,
// and `cd L/..`, go up from where L leads; and the guard of the app's
// own data folder judged that text cut too, so with L a link to a folder
// in the data folder the guard looked beside L. --data is now read as
// upload reads a path (api.AbsPath): the store is made where the system
// goes, and a link into the data folder is refused there.
func TestSandboxDataWithDotDotAfterALink(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	home := filepath.Join(root, "home")
	require.NoError(t, os.MkdirAll(filepath.Join(home, "sub"), 0o700))
	t.Setenv(storage.HomeEnv, home)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "elsewhere", "r"), 0o700))
	here := filepath.Join(root, "here")
	require.NoError(t, os.Mkdir(here, 0o700))
	require.NoError(t, os.Symlink(filepath.Join(root, "elsewhere", "r"), filepath.Join(here, "out")))
	require.NoError(t, os.Symlink(filepath.Join(home, "sub"), filepath.Join(here, "in")))
	t.Chdir(here)

	for _, data := range []string{"in/../store", here + "/in/../store"} {
		t.Run("into the data folder, "+data, func(t *testing.T) {
			code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", data)
			assert.Equal(t, 2, code, "%s%s", out, errOut)
			assert.Empty(t, out, "nothing started")
			assert.Contains(t, errOut, "--data: "+filepath.Join(home, "store")+" is dStor Uploader's own data folder, or in it")
			assert.NoDirExists(t, filepath.Join(home, "store"), "no store among the history's files")
			assert.NoDirExists(t, filepath.Join(here, "store"), "nor beside the link")
		})
	}
	for _, data := range []string{"out/../store", here + "/out/../store"} {
		t.Run("elsewhere, "+data, func(t *testing.T) {
			code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", data)
			require.Equal(t, 0, code, "%s%s", out, errOut)
			assert.DirExists(t, filepath.Join(root, "elsewhere", "store", "blobs"), "the store is where `mkdir out/../store` makes it")
			assert.NoDirExists(t, filepath.Join(here, "store"), "not beside the link")
			require.NoError(t, os.RemoveAll(filepath.Join(root, "elsewhere", "store")))
		})
	}
}

// TestSandboxDataWithDotDotTheSystemCannotFollow: `sandbox --data
// dead/../store` (dead a symbolic link to nothing, loop one to itself,
// or none, no name there) made its store in the store beside dead, where
// `mkdir dead/../store` makes nothing (no such file; too many levels of
// links). It is refused
// before anything starts (exit 2), saying why and what to give instead,
// and nothing is made.
func TestSandboxDataWithDotDotTheSystemCannotFollow(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, os.Symlink("nowhere", filepath.Join(here, "dead")))
	require.NoError(t, os.Symlink("loop", filepath.Join(here, "loop")))
	t.Chdir(here)

	tests := []struct{ data, shown string }{
		{"dead/../store", here + "/dead/../store"},
		{"loop/../store", here + "/loop/../store"},
		{"none/../store", here + "/none/../store"},
		{here + "/dead/../store", here + "/dead/../store"},
	}
	for _, tt := range tests {
		t.Run(tt.data, func(t *testing.T) {
			code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", tt.data)
			assert.Equal(t, 2, code, "%s%s", out, errOut)
			assert.Empty(t, out, "nothing started")
			assert.Contains(t, errOut, "--data: the system cannot follow "+tt.shown+
				`: a name before its ".." is a symbolic link that leads nowhere or round a loop, or is not there; give the folder's path without "..", or fix the link`)
			assert.NoDirExists(t, filepath.Join(here, "store"))
		})
	}
}
