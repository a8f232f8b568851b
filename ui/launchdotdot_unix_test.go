//go:build unix

package ui

import (
	"os"
	"path/filepath"
	"strings"
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

	there, notThere := splitPaths([]string{given}, nil)
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

// TestLaunchPathWithDotDotAfterWhatLeadsNowhereIsNotThere: `dstor-uploader
// here/loop/../v1/report.pdf`, loop a symbolic link to itself (or dead one
// to nothing), names a file `cat` does not open (ELOOP, ENOENT), but the
// window queued the v1/report.pdf beside loop: api.AbsPath cut "loop/.."
// as text where the system could not follow it, and a loop was no path
// "not there". The notice now names each with why, as upload says, and
// nothing waits for a sign-in; a link in a loop named itself too.
func TestLaunchPathWithDotDotAfterWhatLeadsNowhereIsNotThere(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	testutil.WriteFile(t, filepath.Join(here, "v1", "report.pdf"), 4)
	require.NoError(t, os.Symlink("loop", filepath.Join(here, "loop")))
	require.NoError(t, os.Symlink("nowhere", filepath.Join(here, "dead")))
	loop, dead := here+"/loop/../v1/report.pdf", here+"/dead/../v1/report.pdf"
	const loopWhy = "” goes round a loop of symbolic links (a link that leads, through others or none, back to itself). Point the link at the file, or open the file by its own path."

	there, notThere := splitPaths([]string{loop, dead, here + "/loop"}, nil)
	assert.Empty(t, there, "the system opens none of them")
	text := notThereText(notThere)
	assert.Contains(t, text, "“"+loop+loopWhy)
	assert.Contains(t, text, "“"+here+"/loop"+loopWhy)
	assert.Contains(t, text, "“"+dead+"” does not exist: its path goes through “"+here+"/dead”, a symbolic link to “nowhere”, which does not exist. Point the link at the folder, or open the file by its own path.")
}

// TestLaunchPathOfAFileNamedAsAFolderIsNotThere: `dstor-uploader
// notes.txt/` names a file as a folder, which `cat` does not open (not a
// directory); the launch hands it on with its separator
// (api.AbsUnresolved) and the notice names it, its path going through
// the file, while a folder named so is there. (This held before: the
// launch cleaned the separator away, see cli
// TestFileNamedAsAFolderIsRefused.)
func TestLaunchPathOfAFileNamedAsAFolderIsNotThere(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	notes := testutil.WriteFile(t, filepath.Join(here, "v1", "notes.txt"), 4)

	there, notThere := splitPaths([]string{notes + "/", notes + "/.", here + "/v1/"}, nil)
	assert.Equal(t, []string{here + "/v1"}, there)
	text := notThereText(notThere)
	for _, p := range []string{notes + "/", notes + "/."} {
		assert.Contains(t, text, "“"+p+"” does not exist: its path goes through “"+notes+"”, a file, not a folder. Check the path.")
	}
}

// TestLaunchPathTooLongForTheSystemIsNotThere: `dstor-uploader
// v1/../v1/../…/v1/report.pdf` (longer than PATH_MAX), or a path with a
// name longer than 255 bytes, opens nothing and never will, but the window
// queued it to fail, for a Retry that can never open it. The notice now
// names each with what to do, as upload says, and nothing is queued.
func TestLaunchPathTooLongForTheSystemIsNotThere(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	testutil.WriteFile(t, filepath.Join(here, "v1", "report.pdf"), 4)
	long := here + "/" + strings.Repeat("v1/../", 700) + "v1/report.pdf"
	named := here + "/" + strings.Repeat("n", 256)

	there, notThere := splitPaths([]string{long, named}, nil)
	assert.Empty(t, there, "the system opens neither")
	text := notThereText(notThere)
	assert.Contains(t, text, "v1/report.pdf” has a path longer than the system allows. Open it by a shorter path, or move it to a folder with a shorter one.")
	assert.Contains(t, text, "nnnn” has a name longer than the system allows (255 bytes), so no file has that path. Check the path for a mistake.")
	assert.NotContains(t, text, "Check the name.")
}
