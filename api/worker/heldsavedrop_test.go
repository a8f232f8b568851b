package worker

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// TestCloseAfterAHeldLookSavedTheRequestBeforeIt: an Add call of a folder
// and of a folder inside it (upload d d/sub) whose second request's first
// look hangs. While it waits, the listing saves what the first request
// listed (walk.saveDue): its last rows, its share and the drop of its walk
// row, which before waited for the next row. Closed then, the next queue
// resumes the second request alone, with no job of this call pending in
// memory (the first request's jobs are in the database only): each folder
// share must still hold each of its files once.
func TestCloseAfterAHeldLookSavedTheRequestBeforeIt(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeListedTrip(e)
	sub := filepath.Join(dir, "sub")
	cfg := e.config()
	cfg.Paused = true // nothing uploads before Close
	q := e.queue(cfg)
	hung := hangNth(t, readhook.SetPathLook, "sub", 3) // 1, 2: the walk saver's, 3: the walker's
	q.Add(Request{Path: dir}, Request{Path: sub})
	<-hung.started
	var seen atomic.Value
	eventually(t, hangGuard, func() bool {
		jobs, err := e.db.Jobs()
		walks, werr := e.db.Walks(testEnvName, testEmail)
		seen.Store(fmt.Sprintf("%d jobs, %d walks, errors %v %v", len(jobs), len(walks), err, werr))
		return err == nil && werr == nil && len(jobs) == 13 && len(walks) == 1
	}, "the first request saved while the second's look hangs: %s", observed(func() string { s, _ := seen.Load().(string); return s }))

	closeKeepsTheListing(t, e, q, hung)
	requireWholeOnce(t, e, dir, 13, "the first request's share")
	requireWholeOnce(t, e, sub, 3, "the second request's share, resumed")
	assert.Empty(t, walksLeft(t, e.db), "both listed to their end")
}
