package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/race"
	dstorage "github.com/dstor-uploader/dstor-uploader/storage"
)

// With 100,000 jobs in the queue (10,000 under the race detector, still
// twenty windows) the window holds a page or two of them wherever the list
// is scrolled (a jump, a step down, a step up), shows the right rows there,
// and reads the window again after a bulk change.
func TestQueueListHoldsAWindow(t *testing.T) {
	n := 100_000
	if race.Enabled {
		n = 10_000
	}
	e := newTestEnv(t)
	e.signInSandbox()
	e.uploadOne("first.txt")
	done, err := e.db.Jobs(dstorage.JobDone)
	require.NoError(t, err)
	require.Len(t, done, 1)
	e.a.Close()
	rows := make([]dstorage.JobRow, n)
	for i := range rows {
		rows[i] = dstorage.JobRow{Env: done[0].Env, Account: done[0].Account, BatchID: "big",
			LocalPath: fmt.Sprintf("/nowhere/f%06d", i), Name: fmt.Sprintf("f%06d", i), Size: 10,
			State: dstorage.JobCanceled}
	}
	start := time.Now()
	require.NoError(t, e.db.InsertJobs(rows))
	t.Logf("inserted %d jobs in %v", n, time.Since(start))
	e.a = e.open(Deps{})
	a := e.a
	e.signInSandbox()
	e.eventually(func() bool { return a.upload.sum.Total == n }, "the queue counts every job")
	t.Logf("signed in after %v", time.Since(start))
	start = time.Now()

	// Row k of the list is file k (the done row of first.txt is dropped
	// when the queue opens: it is in the history).
	shows := func(row int) func() bool {
		return func() bool {
			j, ok := a.upload.jobAt(row)
			return ok && j.Name == fmt.Sprintf("f%06d", row)
		}
	}
	bounded := func(where string) {
		e.ui(func() {
			v := a.upload
			assert.LessOrEqual(t, len(v.jobs), listCap, where)
			assert.Len(t, v.index, len(v.jobs), where)
			assert.Empty(t, v.unsaved, where)
			assert.LessOrEqual(t, len(v.late), listCap, where)
			assert.Empty(t, v.sending, where)
		})
	}
	e.eventually(shows(0), "the top of the list")
	bounded("at the top")
	for _, row := range []int{n - 1, n / 2, n/2 + listPage, n/2 - listPage/2, n / 3} {
		e.ui(func() {
			a.upload.list.ScrollTo(row)
			a.win.Canvas().Capture() // draws the rows now in view
		})
		e.eventually(shows(row), fmt.Sprintf("row %d", row))
		bounded(fmt.Sprintf("at row %d", row))
	}

	e.ui(func() { test.Tap(a.upload.clearFinished) })
	e.eventually(func() bool { return a.upload.sum.Total == 0 && len(a.upload.jobs) == 0 }, "all cleared")
	t.Logf("cleared after %v", time.Since(start))
	e.ui(func() { assert.True(t, a.upload.empty.Visible()) })
}
