package worker

import (
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// An upload that makes no progress for Config.StallNotice — dStor takes no
// more of the file, or has all of it and has not answered — is said to be
// quiet (Job.QuietSince), so a person waiting on a slow or silent server
// hears about it long before the client's timeouts end the attempt (the
// answer's headers may take 2 minutes, a body that takes no byte 1 minute).
// It only tells: the attempt goes on, and a slow upload that keeps moving is
// never quiet, nor is one whose answer keeps arriving, however slowly.

// watchQuietLocked starts watching the attempt j starts now and returns
// the timer to stop when the attempt ends. Called with q.mu held, j.run
// already the new attempt's.
func (q *Queue) watchQuietLocked(j *job) *time.Timer {
	gen := j.run
	j.movedAt, j.quietSince, j.answerBegun = time.Now(), time.Time{}, false
	j.quietTimer = time.AfterFunc(q.stallNotice, func() { q.checkQuiet(j, gen) })
	return j.quietTimer
}

// checkQuiet runs when attempt gen of j may have been quiet for
// StallNotice: it says so, or waits for the rest of that time when the
// upload moved meanwhile.
func (q *Queue) checkQuiet(j *job, gen uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.run != gen || j.row.State != storage.JobUploading || j.finishing || q.closed || !j.quietSince.IsZero() {
		return
	}
	if idle := time.Since(j.movedAt); idle < q.stallNotice {
		j.quietTimer.Reset(q.stallNotice - idle)
		return
	}
	j.quietSince = j.movedAt
	q.publish(JobChanged, j, false)
}

// movedLocked records that j's running attempt moved: a quiet upload is
// quiet no more (said at once), and the watch starts again.
func (q *Queue) movedLocked(j *job) {
	j.movedAt = time.Now()
	if j.quietSince.IsZero() {
		return
	}
	j.quietSince = time.Time{}
	j.quietTimer.Reset(q.stallNotice)
	q.publish(JobChanged, j, false)
}

// answering records that dStor's answer to the running attempt gen of j
// is arriving (its headers, or bytes of its body): the upload moves, and
// a quiet that follows waits for the rest of that answer.
func (q *Queue) answering(j *job, gen uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.run != gen || j.row.State != storage.JobUploading || j.finishing {
		return
	}
	j.answerBegun = true
	q.movedLocked(j)
}

// requestAgain records that the running attempt gen of j sends its file
// again (with a new token): no answer to that request has begun yet.
func (q *Queue) requestAgain(j *job, gen uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if j.run == gen {
		j.answerBegun = false
	}
}
