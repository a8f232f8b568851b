package worker

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestReservedNamesAreRefusedWithTheirSentence: a file given by a name
// Windows keeps for a device (CON, NUL.txt, com1.log) fails with the
// sentence that says to rename it, also where stat reports the device
// that such a name reaches rather than a file; nothing is sent.
func TestReservedNamesAreRefusedWithTheirSentence(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	names := []string{"CON", "NUL.txt", "com1.log"}
	var reqs []Request
	for _, n := range names {
		reqs = append(reqs, Request{Path: filepath.Join(e.files, n)})
	}
	good := e.write("good.txt", testutil.Content("g", 100))
	reqs = append(reqs, Request{Path: good})
	q := e.uploaded(reqs...)

	got := jobsBy(q.Jobs(), func(j Job) string { return j.Name })
	assert.Equal(t, storage.JobDone, got["good.txt"].State)
	for _, n := range names {
		j, ok := got[n]
		require.True(t, ok, "no job for %s: %v", n, q.Jobs())
		assert.Equal(t, storage.JobFailed, j.State, n)
		assert.Equal(t, ReasonFileRefused, j.Reason, n)
		assert.Equal(t, string(api.ProblemReservedName)+" "+n, j.ReasonArg, n)
		assert.Contains(t, j.Err, "rename it", n)
	}
	require.Len(t, e.sandboxUploads(), 1, "only good.txt is sent")
}
