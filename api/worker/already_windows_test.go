package worker

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestAlreadyUploadedIgnoresCase: Windows names ignore case, so a file
// uploaded as C:\…\Report.pdf and added again as c:\…\REPORT.PDF (alone or
// in its folder typed in another case) is found already uploaded, its job
// showing the path as the file system spells it.
func TestAlreadyUploadedIgnoresCase(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("Docs/Report.pdf", testutil.Content("report", 3000))
	q := e.uploaded(Request{Path: f}, Request{Path: filepath.Dir(f), FolderPath: "/backup/"})
	require.Equal(t, 2, q.Summary().Done)
	sent := e.requests(addPath)

	q.Add(Request{Path: strings.ToUpper(f)}, Request{Path: strings.ToLower(filepath.Dir(f)), FolderPath: "/backup/"})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, sent, e.requests(addPath), "nothing sent again")
	assert.Equal(t, 2, q.Summary().Already)
	fs := jobsFor(q, f)
	require.Len(t, fs, 4, "every job has the path as created: %v", q.Jobs())
	for _, j := range fs[2:] {
		assert.Equal(t, storage.JobAlready, j.State)
		assert.Equal(t, "Report.pdf", j.Name)
	}
}
