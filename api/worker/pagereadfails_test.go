package worker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFailedPageReadIsNoFailedWrite: a page of the list that cannot be
// read (a flaky drive, another program holding the file) is the caller's
// to handle: JobsPage and JobsBefore say it failed (ErrQueueUnread), and
// the next read, once the database answers, has the rows. Close reports
// the first failed database write, and a read that failed wrote nothing:
// it used to be kept as that write and reported by Close.
func TestFailedPageReadIsNoFailedWrite(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.seedRows(3, storage.JobCanceled)
	q := e.queue(e.config())
	all := q.Jobs()
	require.Len(t, all, 3)

	restore := testutil.HideJobs(t, e.dbDir) // every read of the rows fails
	page, _, err := q.JobsPage(0, 0, 10)
	assert.ErrorContains(t, err, "no such table")
	assertUnread(t, err)
	assert.Empty(t, page)
	above, err := q.JobsBefore(all[2].Seq, 10)
	assert.ErrorContains(t, err, "no such table")
	assertUnread(t, err)
	assert.Empty(t, above)
	restore()

	page, _, err = q.JobsPage(0, 0, 10)
	require.NoError(t, err, "read once the database answers")
	assert.Len(t, page, 3)
	assert.NoError(t, q.Close(), "no write failed")
}
