package api

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestDotDotAfterAFolderNotSearchableOpensNothing: for a user with no
// search (x) leave on nox, `cat nox/../v1/report.pdf` says "Permission
// denied", but AbsPath named v1/report.pdf and `upload` of it uploaded
// that file: filepath.EvalSymlinks goes up a ".." as text, searching no
// folder. AbsPath now keeps such a path with its "..", so a look at it
// fails as the system's open does. Root searches every folder, whatever
// its mode: as root the test runs itself as the user nobody.
func TestDotDotAfterAFolderNotSearchableOpensNothing(t *testing.T) {
	if os.Geteuid() == 0 {
		testfs.RerunAsNobody(t)
		return
	}
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	near := filepath.Join(here, "v1", "report.pdf")
	require.NoError(t, os.Mkdir(filepath.Dir(near), 0o700))
	require.NoError(t, os.WriteFile(near, []byte("near"), 0o600))
	nox := filepath.Join(here, "nox")
	require.NoError(t, os.Mkdir(nox, 0o600))       // no search leave, even for its owner
	t.Cleanup(func() { _ = os.Chmod(nox, 0o700) }) // so that it can be removed
	t.Chdir(here)

	for _, typed := range []string{"nox/../v1/report.pdf", nox + "/../v1/report.pdf"} {
		_, sysErr := os.Stat(typed)
		require.ErrorIs(t, sysErr, fs.ErrPermission, "the system opens nothing by %q", typed)
		got, err := AbsPath(typed)
		require.NoError(t, err)
		require.NotEqual(t, near, got, "the text cut of %q", typed)
		_, err = os.Stat(got)
		assert.ErrorIs(t, err, fs.ErrPermission, "%q fails as %q does", got, typed)
	}
}
