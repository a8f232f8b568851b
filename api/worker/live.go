package worker

import (
	"errors"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// maxLiveChecks bounds the live checks running at once, so a folder of
// thousands of files does not open thousands of requests to a gateway.
const maxLiveChecks = 4

// startLiveCheckLocked checks, on its own goroutine, that the link of the
// upload just recorded as h serves the file (Config.LiveLink), whose first
// bytes as sent were head (UploadResult.Head: kept until the check ends,
// at most 1 KiB a check), and records what it found. It never holds the queue: uploads go on while it
// waits for a gateway. Called with q.mu held.
func (q *Queue) startLiveCheckLocked(j *job, h storage.HistoryEntry, head []byte) {
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
		took, err := q.client.CheckLive(q.ctx, link, api.LiveWant{Size: h.Size, Hash: h.Hash, Head: head})
		if err != nil && !errors.Is(err, api.ErrNotLive) {
			return // the queue is closing: the check never finished
		}
		c := storage.LiveCheck{At: q.now(), Took: took}
		if err != nil {
			c.Error = err.Error()
		}
		q.mu.Lock()
		q.liveFound = append(q.liveFound, liveFound{j: j, jobID: h.JobID, check: c})
		q.mu.Unlock()
		q.liveSaver.signal()
	}()
}

// liveFound is a live check that finished, waiting for the live saver.
type liveFound struct {
	j     *job
	jobID string
	check storage.LiveCheck
}

// saveLive writes the live checks that finished, all that wait in one
// transaction (one per file cost a commit per upload), and then publishes
// them, so a LinkChecked event still comes after its check is recorded.
// Rounds start persistGap apart, so checks that finish close together
// share one. A failed write loses those checks, which the person can
// repeat; the events go out all the same, as before.
func (q *Queue) saveLive(bool) bool {
	for {
		start := time.Now()
		q.mu.Lock()
		found := q.liveFound
		q.liveFound = nil
		q.mu.Unlock()
		if len(found) == 0 {
			return true
		}
		checks := make([]storage.JobLive, len(found))
		for i, f := range found {
			checks[i] = storage.JobLive{JobID: f.jobID, Check: f.check}
		}
		_ = q.db.SetLiveOfJobs(checks)
		q.mu.Lock()
		for _, f := range found {
			f.j.live = f.check
			q.publish(LinkChecked, f.j, false)
		}
		q.mu.Unlock()
		q.liveSaver.settle(start)
	}
}

// LocalHead is the first bytes of an entry's local file and the version
// of the file they were read from (ReadLocalHead), for UnchangedHead.
type LocalHead struct {
	bytes []byte
	file  api.FileIdentity
	read  bool
}

// ReadLocalHead reads the first bytes of the local file of e
// (api.FileHead) that a live check of e's link made later compares
// ("Check again"). It reads the file only, never the history: on a drive
// that stopped answering the read may not return, and a caller that
// leaves it behind closes the history meanwhile.
func ReadLocalHead(e storage.HistoryEntry) LocalHead {
	if e.LocalPath == "" {
		return LocalHead{}
	}
	head, id, err := api.FileHead(e.LocalPath, e.AddedFolder)
	if err != nil {
		return LocalHead{}
	}
	return LocalHead{bytes: head, file: id, read: true}
}

// UnchangedHead is h's bytes when the file of e they were read from
// (ReadLocalHead) was a version uploaded as e.Hash — by the test that
// finds a file already uploaded (storage.Uploaded.Find: same path, place,
// size, modification and change times, file id); nil when it was not, or
// could not be read: the check then compares sizes only.
func UnchangedHead(db *storage.DB, e storage.HistoryEntry, h LocalHead) []byte {
	if !h.read {
		return nil
	}
	up, err := db.UploadedIn(e.Env, e.Account, e.LocalPath)
	if err != nil {
		return nil
	}
	found, ok := up.Find(storage.UploadedQuery{
		Env: e.Env, Account: e.Account, LocalPath: e.LocalPath,
		FolderPath: e.FolderPath, ParentID: e.ParentID, File: fileVersion(h.file),
	})
	if !ok || found.Hash != e.Hash {
		return nil
	}
	return h.bytes
}
