package ui

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// seedQueue signs e in, leaves n canceled jobs in its queue (after one
// upload, whose done row the queue drops as it opens: it is in the
// history) and opens the window again on them, signed in and showing the
// top of the list: row k of the list is file k. It logs how long the
// insert took, and the sign-in after it.
func seedQueue(e *testEnv, n int) {
	t := e.t
	e.signInSandbox()
	e.uploadOne("first.txt")
	done, err := e.db.Jobs(storage.JobDone)
	require.NoError(t, err)
	require.Len(t, done, 1)
	e.a.Close()
	rows := make([]storage.JobRow, n)
	for i := range rows {
		rows[i] = storage.JobRow{Env: done[0].Env, Account: done[0].Account, BatchID: "big",
			LocalPath: fmt.Sprintf("/nowhere/f%06d", i), Name: fmt.Sprintf("f%06d", i), Size: 10,
			State: storage.JobCanceled}
	}
	start := time.Now()
	require.NoError(t, e.db.InsertJobs(rows))
	t.Logf("inserted %d jobs in %v", n, time.Since(start))
	e.a = e.open(Deps{})
	e.signInSandbox()
	e.eventually(func() bool { return e.a.upload.sum.Total == n }, "the queue counts every job")
	t.Logf("signed in after %v", time.Since(start))
	e.eventually(func() bool { return e.a.upload.showsFile(0) }, "the top of the list")
}

// showsFile reports whether the window holds row k of a seedQueue list.
func (v *uploadView) showsFile(k int) bool {
	j, ok := v.jobAt(k)
	return ok && j.Name == fmt.Sprintf("f%06d", k)
}

// blankRowTexts are the texts the list's rows without a job show.
func (e *testEnv) blankRowTexts() []string {
	var texts []string
	walkObjects(e.a.upload.list, func(o fyne.CanvasObject) {
		if r, ok := o.(*queueRow); ok && r.jobID == "" {
			texts = append(texts, strings.TrimSpace(r.name.Text+" "+r.detail.Text))
		}
	})
	return texts
}

// TestQueueListReadsAgainAfterAFailedRead: the list scrolled past its
// window needs a page read from the database, and reads fail for a while
// (a flaky USB drive, an I/O error, a lock held past the busy timeout by
// another process). A failed read used to be placed as an empty page: the
// window dropped its rows and believed it held the list's end, and the
// rows in view, drawn again blank, asked for their page again at once,
// one after the other: reads as fast as the database failed them, for as
// long as it did, with blank rows that said nothing. Now the window stays
// as it was, the blank rows say that they could not be read, and the rows
// are read again on a timer, once per listRetry, until the database
// answers.
func TestQueueListReadsAgainAfterAFailedRead(t *testing.T) {
	const n = 3 * listPage
	e := newTestEnv(t)
	seedQueue(e, n)
	a := e.a
	v := a.upload
	var held int
	e.ui(func() { held = len(v.jobs) })
	var reads atomic.Int64
	read := readRows
	replaceForTest(t, &readRows, func(p pageRead, q *worker.Queue) ([]worker.Job, error) {
		reads.Add(1)
		return read(p, q)
	})

	restore := testutil.HideJobs(t, e.dir)
	row := 2*listPage + 10
	e.ui(func() {
		v.list.ScrollTo(row)
		a.win.Canvas().Capture() // draws the rows now in view
		require.True(t, v.loading, "row %d is not in the window: a page is read", row)
	})
	e.eventually(func() bool { return reads.Load() > 0 }, "the read")
	const outage = 2 * listRetry
	time.Sleep(outage) // the database fails every read meanwhile
	e.ui(func() {
		got := reads.Load()
		t.Logf("%d reads in the %v the database failed them", got, outage)
		assert.LessOrEqual(t, got, int64(1+outage/listRetry), "one read, then one per listRetry")
		assert.False(t, v.showsFile(row), "no row read")
		assert.Len(t, v.jobs, held, "the window keeps the rows it held")
		assert.True(t, v.showsFile(0), "the window keeps the rows it held")
		assert.False(t, v.atEnd, "a failed read is no end of the list")
		texts := e.blankRowTexts()
		require.NotEmpty(t, texts, "rows in view without a job")
		t.Logf("a blank row says: %s", texts[0])
		for _, s := range texts {
			assert.Contains(t, s, "could not be read", "a blank row says why it is blank")
			assert.Contains(t, s, "no such table", "why: the database's error")
			assert.NotContains(t, s, "nothing was changed", "not a control's sentence: the row is read again")
		}
	})

	restore()
	e.eventually(func() bool { return v.showsFile(row) }, "the row is read again once the database answers")
	e.ui(func() {
		a.win.Canvas().Capture()
		for _, s := range e.blankRowTexts() {
			assert.Empty(t, s, "no row says it could not be read once it was")
		}
	})
}
