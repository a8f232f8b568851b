package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderFileNamedWithATrailingDotIsTheFileItself: a folder holding
// "dot." (made through the \\?\ form, or by another system) beside "dot"
// uploads each with its own bytes. A guard for 3b25ac7, which made every
// open of a named file read its path as Windows does ("dot." as "dot"):
// a folder's files are opened one name at a time beneath the folder
// (openBeneath), where "dot." must stay itself.
func TestFolderFileNamedWithATrailingDotIsTheFileItself(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "d")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	if err := os.WriteFile(`\\?\`+filepath.Join(dir, "dot."), []byte("the dotted one"), 0o644); err != nil {
		t.Skipf("this file system cannot hold a file named %q: %v", "dot.", err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dot"), []byte("the plain one, longer"), 0o644))
	q := e.uploaded(Request{Path: dir})
	got := jobsBy(q.Jobs(), func(j Job) string { return j.Name })
	for _, n := range []string{"dot.", "dot"} {
		j, ok := got[n]
		require.True(t, ok, "no job named %q: %v", n, q.Jobs())
		assert.Equal(t, storage.JobDone, j.State, "%q: %v", n, j)
	}
	assert.NotEqual(t, got["dot"].Hash, got["dot."].Hash, "dot. was sent with dot's bytes")
	assert.Equal(t, int64(len("the dotted one")), got["dot."].Size)
}
