//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderNamedWithDotDotAfterALink: in a release layout (current a
// symbolic link to releases/v2), `upload current/../v1` uploads the
// folder `ls current/../v1` shows, releases/v1, and `history --folder
// current/../v1` lists that upload: both read the path as the system
// does (api.AbsPath), not "current/.." cut as text, which named the v1
// beside current (another folder, here with a file of its own).
func TestFolderNamedWithDotDotAfterALink(t *testing.T) {
	sb := keyedSandbox(t)
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	files := makeFiles(t, filepath.Join(root, "releases", "v1"), 2, func(i int) int { return 700 + i })
	cids := []string{testutil.CIDOf(t, files[0]), testutil.CIDOf(t, files[1])}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "releases", "v2"), 0o700))
	here := filepath.Join(root, "here")
	makeFiles(t, filepath.Join(here, "v1"), 1, func(int) int { return 900 })
	require.NoError(t, os.Symlink(filepath.Join(root, "releases", "v2"), filepath.Join(here, "current")))
	t.Chdir(here)

	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "current/../v1")
	require.Equal(t, 0, code, errOut)
	listed(t, filepath.Join(root, "releases", "v1"), cids)
	listed(t, "current/../v1", cids)
}

// TestDotDotAfterWhatLeadsNowhereIsRefused: with loop a symbolic link to
// itself, dead one to nothing, no "none", link-0 the first of 41 links in
// a row to a folder (one more than the system follows) and flink one to a
// file, `cat loop/../v1/report.pdf` fails (ELOOP; ENOENT for dead and
// none; ENOTDIR for flink), but `upload` of it uploaded the v1/report.pdf
// beside loop (api.AbsPath cut "loop/.." as text when the system could
// not follow it), or, after flink, queued it to fail for resume to retry,
// and `history --folder loop/../v1` listed that folder's upload. Upload
// now refuses each, saying why (a link on the way to nothing, a loop, a
// name to check, the file on the way), exit 1, nothing sent or queued; a
// link in a loop named itself is refused alike, not queued to fail;
// history --folder finds no upload of a folder the system opens nothing
// by.
func TestDotDotAfterWhatLeadsNowhereIsRefused(t *testing.T) {
	sb := keyedSandbox(t)
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	makeFiles(t, filepath.Join(here, "v1"), 1, func(int) int { return 900 })
	require.NoError(t, os.Symlink("loop", filepath.Join(here, "loop")))
	require.NoError(t, os.Symlink("nowhere", filepath.Join(here, "dead")))
	require.NoError(t, os.Symlink("v1/file-000.bin", filepath.Join(here, "flink")))
	testfs.LinkChain(t, here, linkchain.MaxLinks+1, "v1") // one link more than the system follows, to a folder
	t.Chdir(here)
	const loop = `" goes round a loop of symbolic links (a link that leads, through others or none, back to itself) — point the link at the file, or give the file's own path`

	tests := []struct{ path, want string }{
		{"loop/../v1/file-000.bin", `"` + here + "/loop/../v1/file-000.bin" + loop},
		{"loop", `"` + here + "/loop" + loop},
		{"link-0/../v1/file-000.bin", `"` + here + "/link-0/../v1/file-000.bin" + loop},
		{"dead/../v1/file-000.bin", `"` + here + `/dead/../v1/file-000.bin" does not exist — its path goes through "` + here +
			`/dead", a symbolic link to "nowhere", which does not exist: point the link at the folder, or name the file's own path`},
		{"none/../v1/file-000.bin", `"` + here + `/none/../v1/file-000.bin" does not exist — check the name`},
		{"flink/../v1/file-000.bin", `"` + here + `/flink/../v1/file-000.bin" does not exist — its path goes through "` + here +
			`/flink", a file, not a folder: check the path`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			assert.Contains(t, uploadRefused(t, sb, tt.path), "FAILED  "+here+"/"+tt.path+": "+tt.want+"\n")
		})
	}

	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "v1")
	require.Equal(t, 0, code, errOut)
	for _, folder := range []string{"loop/../v1", "dead/../v1", "none/../v1", "link-0/../v1", "flink/../v1"} {
		code, out, errOut := runCLI(t, "", "history", "--folder", folder, "--format", "cid")
		assert.Equal(t, 1, code, "%s%s", out, errOut)
		assert.Empty(t, out, "no upload of %s: the system opens nothing by it", folder)
		assert.Contains(t, errOut, "no upload of the folder "+here+"/"+folder+" is in the history")
	}
}

// uploadRefused runs `upload path`, which the command must refuse before
// its queue: exit 1, nothing sent, nothing left for resume. It is the
// upload's stderr, which says why.
func uploadRefused(t *testing.T, sb *testutil.Sandbox, path string) string {
	t.Helper()
	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, path)
	assert.Equal(t, 1, code, "%s%s", out, errOut)
	assert.Equal(t, 0, sb.Uploads())
	code, _, resumed := runCLI(t, "", "resume", "--env", sb.URL)
	assert.Equal(t, 0, code, resumed)
	assert.Equal(t, "Nothing to resume: the queue is empty.\n", resumed, "nothing was queued")
	return errOut
}
