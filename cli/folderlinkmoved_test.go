package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderListThroughALinkThatNoLongerLeadsToItsUpload: history
// --folder LINK, where LINK is a symbolic link and no upload of the
// folder it leads to is in the history, said what it says of a plain
// path: of a link whose folder was moved away since it was uploaded
// through it, "there is no folder there now" (a link is there) and not
// where that upload is; of a link put in the place of a folder uploaded,
// only that the folder it leads to now had no upload ("no upload of the
// folder T …: upload it"), not that the folder uploaded at LINK is in
// the history. Each now says what LINK is, where it leads and what to
// do; all exit 1. So does a link whose folder's own folder is gone too
// (a drive unplugged, its mount point with it), which still said "there
// is no folder there now". The advice works: --folder of where the link led lists
// the upload; the folder put back in the link's place is listed by it.
func TestFolderListThroughALinkThatNoLongerLeadsToItsUpload(t *testing.T) {
	sb := keyedSandbox(t)
	upload := func(t *testing.T, path string) {
		t.Helper()
		code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, path)
		require.Equal(t, 0, code, errOut)
	}
	tests := []struct {
		name string
		// build makes a link, uploads through it or not, and returns
		// what history --folder of it must say, and then how to list the
		// upload that sentence points to (nil: none).
		build func(t *testing.T, root string) (link string, says []string, then func())
	}{
		{"uploaded through the link, its folder moved away since", func(t *testing.T, root string) (string, []string, func()) {
			files, dir := trip(t, 2)
			cids := []string{testutil.CIDOf(t, files[0]), testutil.CIDOf(t, files[1])}
			link := filepath.Join(root, "A")
			testfs.SymlinkOrSkip(t, dir, link)
			upload(t, link)
			require.NoError(t, os.Rename(dir, dir+"-moved"))
			return link, []string{link + " is a symbolic link to " + dir + ", where there is no folder now (removed, moved or renamed)",
					"`dstor-uploader history --folder " + dir + "` lists its latest upload there"},
				func() { listed(t, dir, cids) }
		}},
		{"uploaded through the link, the drive holding its folder unplugged since", func(t *testing.T, root string) (string, []string, func()) {
			drive := filepath.Join(root, "drive")
			files := makeFiles(t, filepath.Join(drive, "trip"), 2, func(i int) int { return 500 + i })
			dir := filepath.Dir(files[0])
			cids := []string{testutil.CIDOf(t, files[0]), testutil.CIDOf(t, files[1])}
			link := filepath.Join(root, "A")
			testfs.SymlinkOrSkip(t, dir, link)
			upload(t, link)
			require.NoError(t, os.Rename(drive, drive+"-unplugged")) // its mount point goes with it
			return link, []string{link + " is a symbolic link to " + dir + ", where there is no folder now (removed, moved or renamed)",
					"`dstor-uploader history --folder " + dir + "` lists its latest upload there"},
				func() { listed(t, dir, cids) }
		}},
		{"never uploaded, leading into a folder not there", func(t *testing.T, root string) (string, []string, func()) {
			link := filepath.Join(root, "A")
			to := filepath.Join(root, "unplugged", "gone")
			testfs.SymlinkOrSkip(t, to, link)
			return link, []string{"no upload of the folder " + link + " is in the history: it is a symbolic link to " +
				to + ", where there is no folder now — point the link at the folder, or give the folder's own path"}, nil
		}},
		{"never uploaded, leading nowhere", func(t *testing.T, root string) (string, []string, func()) {
			link := filepath.Join(root, "A")
			testfs.SymlinkOrSkip(t, filepath.Join(root, "gone"), link)
			return link, []string{"no upload of the folder " + link + " is in the history: it is a symbolic link to " +
				filepath.Join(root, "gone") + ", where there is no folder now — point the link at the folder, or give the folder's own path"}, nil
		}},
		{"a folder uploaded, a link to another folder in its place", func(t *testing.T, root string) (string, []string, func()) {
			files, dir := trip(t, 1)
			cids := []string{testutil.CIDOf(t, files[0])}
			upload(t, dir)
			other := filepath.Join(root, "other")
			require.NoError(t, os.Mkdir(other, 0o700))
			require.NoError(t, os.Rename(dir, dir+"-moved"))
			testfs.SymlinkOrSkip(t, other, dir)
			return dir, []string{"no upload of the folder " + other + ", where the symbolic link " + dir + " leads now, is in the history",
					"upload it with `dstor-uploader upload " + dir + "`",
					"the upload of " + dir + " in the history is of the folder that was there before the link took its place: put that folder back at " + dir + " to list it"},
				func() {
					require.NoError(t, os.Remove(dir))
					require.NoError(t, os.Rename(dir+"-moved", dir))
					listed(t, dir, cids)
				}
		}},
		{"a link to a folder never uploaded", func(t *testing.T, root string) (string, []string, func()) {
			other := filepath.Join(root, "other")
			require.NoError(t, os.Mkdir(other, 0o700))
			link := filepath.Join(root, "A")
			testfs.SymlinkOrSkip(t, other, link)
			return link, []string{"no upload of the folder " + other + ", where the symbolic link " + link +
				" leads, is in the history: upload it with `dstor-uploader upload " + link + "`"}, nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, err := filepath.EvalSymlinks(t.TempDir())
			require.NoError(t, err)
			link, says, then := tt.build(t, root)
			code, out, errOut := runCLI(t, "", "history", "--folder", link)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Empty(t, out)
			for _, s := range says {
				assert.Contains(t, errOut, s)
			}
			assert.NotContains(t, errOut, "there is no folder there now", "a link is there")
			if then != nil {
				then()
			}
		})
	}
}

// listed requires history --folder dir to list these CIDs, whole.
func listed(t *testing.T, dir string, cids []string) {
	t.Helper()
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	require.Equal(t, 0, code, errOut)
	require.ElementsMatch(t, cids, strings.Fields(out))
}
