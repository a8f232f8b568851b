package worker

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestFolderNamedTwiceThroughAJunctionIsListedOnce: a folder and a
// junction to it named in one Add call (upload C:\t\jn C:\t\real) are one
// folder, as a folder and a symbolic link to it are: each file uploaded
// once, under the name first given, and the folder's share lists each
// once. filepath.EvalSymlinks does not follow a junction (Go 1.23), so
// they were two folders: each file sent twice. (Under Wine a Unix link
// inside the drive stands for the junction.)
func TestFolderNamedTwiceThroughAJunctionIsListedOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	folder := filepath.Dir(e.write("photos/a.jpg", []byte("a")))
	e.write("photos/2026/b.jpg", []byte("b"))
	junction := filepath.Join(e.files, "trip")
	testfs.JunctionOrSkip(t, folder, junction)

	q := e.uploaded(Request{Path: junction}, Request{Path: folder})

	assert.Equal(t, 2, len(e.sandboxUploads()), "each file sent once")
	require.Equal(t, 2, len(history(t, e.db)), "each file recorded once")
	assert.Equal(t, 2, len(q.Jobs()), "one job per file")
	key := newestShare(t, e, folder)
	assert.Equal(t, 2, len(filesOf(t, e, key)), "the folder's list holds each file once")
	assert.False(t, leftOf(t, e, key).Any(), "the folder's list is whole")
}
