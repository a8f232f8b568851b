package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// refreshInterval is how often queue events are applied to the window:
// fast enough to look live, slow enough that 10,000 jobs cost nothing.
const refreshInterval = 250 * time.Millisecond

// attach shows a session's queue and starts applying its events.
func (v *uploadView) attach(s *activeSession) {
	v.sess = s
	events, unsub := s.queue.Subscribe(256)
	s.unsub = unsub
	s.pumpDone = make(chan struct{})
	v.resetWindow()
	v.sum = s.queue.Summary()
	v.wasBusy = v.busy()
	v.batchDone, v.batchFailed = 0, 0
	a := v.a
	done := s.pumpDone
	if !a.goBg(func() { defer close(done); v.pump(s, events) }) {
		close(done)
	}
	v.reload() // the first window
	v.render()
}

// detach forgets the session's queue (its goroutines are stopped by
// session.close).
func (v *uploadView) detach() {
	v.sess = nil
	v.locked = 0
	v.resetWindow()
	v.sum = worker.Summary{}
	v.wasBusy = false
	v.setNotice("")
	v.render()
}

// pump collects queue events and applies them in batches every
// refreshInterval, so a 10,000-file drop costs a few UI updates. A batch
// carries at most maxBatch events: the rest of a bigger one follows as soon
// as the window has applied it, so the window draws frames in between.
func (v *uploadView) pump(s *activeSession, events <-chan worker.Event) {
	ticker := time.NewTicker(refreshInterval)
	defer ticker.Stop()
	var p pendingEvents
	applied := make(chan struct{}, 1)
	// inFlight says a batch (or an owed draw of the list) is with the UI
	// goroutine; owed that the next one goes as soon as it is applied (a
	// batch was cut, or a tick came).
	inFlight, owed := false, false
	// post runs f on the UI goroutine while the session is shown, and
	// says when it has.
	post := func(f func()) {
		v.a.do(func() {
			if v.sess == s {
				f()
			}
			select {
			case applied <- struct{}{}:
			default:
			}
		})
	}
	flush := func() {
		if inFlight {
			owed = true
			return
		}
		switch {
		case !p.empty():
			batch := p.take()
			inFlight = true
			post(func() { v.apply(batch) })
			owed = !p.empty()
		case v.listOwed.Load(): // the list's length, held back by drawList
			inFlight = true
			post(func() { v.drawList(true) })
		}
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				for !p.empty() {
					batch := p.take()
					post(func() { v.apply(batch) })
				}
				return
			}
			p.add(ev)
		case <-applied:
			inFlight = false
			if owed {
				owed = false
				flush()
			}
		case <-ticker.C:
			flush()
		case <-v.a.stop:
			return
		}
	}
}

// maxBatch is the most events (each one job's change, or one bulk change)
// the window applies at once: a list of 100,000 files dropped arrives as
// many batches, each drawn in a frame of ordinary length, not as one.
const maxBatch = 512

// pendingEvents are the queue events waiting to be applied, in order; a
// job's JobChanged that only moves its progress replaces the one before it
// that is still waiting.
type pendingEvents struct {
	evs []worker.Event
	// taken counts the events taken since the list was last empty; last
	// maps a job id to the number (taken included) of its latest
	// JobChanged, which is waiting when the number is taken or more.
	taken int
	last  map[string]int
}

func (p *pendingEvents) empty() bool { return len(p.evs) == 0 }

// add puts ev at the end, or in the place of its job's waiting JobChanged
// of the same state.
func (p *pendingEvents) add(ev worker.Event) {
	if p.last == nil {
		p.last = map[string]int{}
	}
	if ev.Kind == worker.JobChanged {
		if n, ok := p.last[ev.Job.ID]; ok && n >= p.taken && p.evs[n-p.taken].Job.State == ev.Job.State {
			p.evs[n-p.taken] = ev // only progress moved: keep the newest
			return
		}
		p.last[ev.Job.ID] = p.taken + len(p.evs)
	} else {
		delete(p.last, ev.Job.ID)
	}
	p.evs = append(p.evs, ev)
}

// take removes the first maxBatch events (or all, when fewer wait) and
// returns them. add never writes to what take returned.
func (p *pendingEvents) take() []worker.Event {
	n := min(len(p.evs), maxBatch)
	batch := p.evs[:n:n]
	p.evs = p.evs[n:]
	p.taken += n
	if len(p.evs) == 0 {
		p.evs, p.taken = nil, 0
		clear(p.last)
	}
	return batch
}

// apply updates the window from a batch of events, then redraws once.
func (v *uploadView) apply(batch []worker.Event) {
	removed := false
	for _, ev := range batch {
		v.sum = ev.Summary
		switch ev.Kind {
		case worker.JobsChanged:
			v.reload()
		case worker.JobAdded, worker.JobChanged:
			v.upsert(ev.Kind, ev.Job)
		case worker.LinkChecked:
			v.a.history.markDirty()
		case worker.JobRemoved:
			removed = v.drop(ev.Job) || removed
		case worker.AlreadyQueued:
			v.a.showNote(alreadyQueuedText(ev))
		}
	}
	if removed {
		v.compact()
	}
	v.checkIdle()
	v.render()
}

// alreadyQueuedText says that files added were left out because they were
// already waiting in the queue (the worker uploads each file once), so
// adding a folder again never quietly adds fewer files than it holds.
func alreadyQueuedText(ev worker.Event) string {
	if ev.Count == 1 {
		return tr("“{{.Name}}” is already in the queue, so it was not added again.", map[string]any{"Name": sentenceName(quotedNameText(ev.Job.Name))})
	}
	return trn("{{.Count}} files were already in the queue, so they were not added again.", ev.Count)
}

// onTransition reacts to a job reaching a final state: the last link,
// auto-copy, the batch counts and the history.
func (v *uploadView) onTransition(prev storage.JobState, j worker.Job) {
	if prev == j.State {
		return
	}
	switch j.State {
	case storage.JobDone:
		v.batchDone++
		link := v.a.links().Link(v.a.sessionEnvKey(), j.Hash, j.Name)
		v.a.lastLink = link
		if v.a.currentSettings().CopyLinkAfterUpload && link != "" {
			v.a.fyne.Clipboard().SetContent(link)
			v.a.showToast(tr("Link to {{.Name}} copied to the clipboard", map[string]any{"Name": sentenceName(nameText(j.Name))}))
		}
		v.a.history.markDirty()
	case storage.JobFailed:
		v.batchFailed++
	}
}

// checkIdle sends the "batch finished" notification when the queue goes
// from busy to idle.
func (v *uploadView) checkIdle() {
	busy := v.busy()
	if busy {
		v.wasBusy = true
		return
	}
	if !v.wasBusy {
		return
	}
	v.wasBusy = false
	done, failed := v.batchDone, v.batchFailed
	v.batchDone, v.batchFailed = 0, 0
	if done+failed == 0 || !v.a.currentSettings().Notifications {
		return
	}
	n := &fyne.Notification{Title: tr("Uploads finished")}
	switch {
	case failed == 0:
		n.Content = trn("{{.Count}} files uploaded to dStor.", done)
	case done == 0:
		n.Title = tr("Uploads failed")
		n.Content = trn("{{.Count}} files could not be uploaded. Open dStor Uploader to retry.", failed)
	default:
		n.Title = tr("Some uploads failed")
		n.Content = tr("{{.Done}} uploaded, {{.Failed}} failed. Open dStor Uploader to retry.",
			map[string]any{"Done": formatCount(done), "Failed": formatCount(failed)})
	}
	v.a.fyne.SendNotification(n)
}

// busy reports whether uploads are queued, running or being listed.
func (v *uploadView) busy() bool {
	return v.sum.Queued+v.sum.Uploading > 0 || v.sum.Walking
}
