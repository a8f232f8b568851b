//go:build unix

package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestLaunchPathWithDotDotIsResolvedWithItsStats: a launch hands its paths
// with their ".." kept (api.AbsUnresolved), as resolving a ".." after a
// symbolic link stats each part up to it, which a network mount that does
// not answer blocks. The window resolves them where it looks at whether
// they are there (splitPaths, run off the UI goroutine by splitOffUI), not
// as it keeps them on the UI goroutine (keepWaiting's api.AbsPath, which
// then only cleans): `dstor-uploader here/current/../v1/report.pdf`,
// current a link to releases/v2, waits for a sign-in as
// releases/v1/report.pdf, the file `cat` reads.
func TestLaunchPathWithDotDotIsResolvedWithItsStats(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	releases, here := filepath.Join(root, "releases"), filepath.Join(root, "here")
	require.NoError(t, os.MkdirAll(filepath.Join(releases, "v2"), 0o700))
	require.NoError(t, os.MkdirAll(filepath.Join(here, "v1"), 0o700))
	far := testutil.WriteFile(t, filepath.Join(releases, "v1", "report.pdf"), 3)
	testutil.WriteFile(t, filepath.Join(here, "v1", "report.pdf"), 4)
	require.NoError(t, os.Symlink(filepath.Join(releases, "v2"), filepath.Join(here, "current")))
	given := here + "/current/../v1/report.pdf"

	there, notThere := splitPaths([]string{given})
	assert.Empty(t, notThere)
	assert.Equal(t, []string{far}, there, "resolved where its stats run, off the UI goroutine")

	e := newTestEnv(t)
	e.a.Close()
	a := NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: e.secrets, Home: e.dir, Files: []string{given}, NoAutoSignIn: true})
	e.a = a
	t.Cleanup(a.Close)
	e.eventually(func() bool { return len(a.pending) == 1 }, "the launch's file waits for a sign-in")
	e.ui(func() { assert.Equal(t, []string{far}, pendingPaths(a), "the file the system opens by that path") })
}
