package worker

import (
	"errors"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// maxLiveChecks bounds the live checks running at once, so a folder of
// thousands of files does not open thousands of requests to a gateway.
const maxLiveChecks = 4

// startLiveCheckLocked checks, on its own goroutine, that the link of the
// upload just recorded as h serves the file (Config.LiveLink), and
// records what it found. It never holds the queue: uploads go on while it
// waits for a gateway. Called with q.mu held.
func (q *Queue) startLiveCheckLocked(j *job, h storage.HistoryEntry) {
	if q.liveLink == nil || q.closed {
		return
	}
	link := q.liveLink(h.Hash, h.Name)
	if link == "" {
		return
	}
	q.workers.Add(1)
	go func() {
		defer q.workers.Done()
		select {
		case q.liveSlots <- struct{}{}:
			defer func() { <-q.liveSlots }()
		case <-q.ctx.Done():
			return
		}
		took, err := q.client.CheckLive(q.ctx, link, h.Size)
		if err != nil && !errors.Is(err, api.ErrNotLive) {
			return // the queue is closing: the check never finished
		}
		c := storage.LiveCheck{At: q.now(), Took: took}
		if err != nil {
			c.Error = err.Error()
		}
		// A failed write loses one check, which the person can repeat.
		_ = q.db.SetLiveOfJob(h.JobID, c)
		q.mu.Lock()
		defer q.mu.Unlock()
		j.live = c
		q.publish(LinkChecked, j, false)
	}()
}
