package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/race"
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
	seedQueue(e, n)
	a := e.a
	start := time.Now()

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
	bounded("at the top")
	for _, row := range []int{n - 1, n / 2, n/2 + listPage, n/2 - listPage/2, n / 3} {
		e.ui(func() {
			a.upload.list.ScrollTo(row)
			a.win.Canvas().Capture() // draws the rows now in view
		})
		e.eventually(func() bool { return a.upload.showsFile(row) }, fmt.Sprintf("row %d", row))
		bounded(fmt.Sprintf("at row %d", row))
	}

	e.ui(func() { test.Tap(a.upload.clearFinished) })
	e.eventually(func() bool { return a.upload.sum.Total == 0 && len(a.upload.jobs) == 0 }, "all cleared")
	t.Logf("cleared after %v", time.Since(start))
	e.ui(func() { assert.True(t, a.upload.empty.Visible()) })
}
