//go:build unix

package worker

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestPathsLongerThanTheSystemAllowsSayWhatToDo: a folder nested so deep
// that its path is longer than the system takes (over 4,096 bytes on
// Linux) cannot be listed, and a file there named itself cannot be
// opened. The folder is listed as skipped and the file fails, each saying
// the path is too long and to move it to a shorter one, not the system's
// bare "file name too long"; the rest of the folder is uploaded. (The
// folder goes to a parent folder id: with a folder path, a folder far
// less deep is one dStor's folder paths cannot name, skipped first.)
func TestPathsLongerThanTheSystemAllowsSayWhatToDo(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	near := e.write("top/near.txt", testutil.Content("near", 100))
	deep := testfs.DeepFolder(t, filepath.Dir(near), "far.txt", testutil.Content("far", 100))
	far := filepath.Join(deep, "far.txt")
	var rootFolder int64
	q := e.uploaded(Request{Path: filepath.Dir(near), ParentID: &rootFolder}, Request{Path: far})

	assert.Equal(t, storage.JobDone, jobFor(t, q, near).State)
	skipped := 0
	for _, j := range q.Jobs() {
		if j.State != storage.JobSkipped {
			continue
		}
		skipped++
		assert.Contains(t, j.Err, "cannot read this folder: its path is longer than the system allows — move it to a folder with a shorter path, then add it again", j.LocalPath)
		assert.Equal(t, ReasonFolderUnreadable, j.Reason)
		assert.Equal(t, syscall.ENAMETOOLONG.Error(), j.ReasonArg, "the window words it from the system's error")
	}
	assert.Equal(t, 1, skipped, "the folder the listing could not read")
	j := jobFor(t, q, far)
	require.Equal(t, storage.JobFailed, j.State)
	assert.Contains(t, j.Err, "has a path longer than this system allows — move it to a folder with a shorter path, then try again")
	assert.Equal(t, ReasonFileRefused, j.Reason)
	assert.Equal(t, string(api.ProblemPathTooLong), j.ReasonArg)
	assert.Equal(t, 1, len(e.sandboxUploads()))
}
