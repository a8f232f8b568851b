package ui

import (
	"time"

	"fyne.io/fyne/v2"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
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

// pump collects queue events and applies them in one batch every
// refreshInterval, so a 10,000-file drop costs a few UI updates.
func (v *uploadView) pump(s *activeSession, events <-chan worker.Event) {
	ticker := time.NewTicker(refreshInterval)
	defer ticker.Stop()
	var pending []worker.Event
	last := map[string]int{} // job id → index in pending of its latest JobChanged
	flush := func() {
		if len(pending) == 0 {
			return
		}
		batch := pending
		pending = nil
		clear(last)
		v.a.do(func() {
			if v.sess == s {
				v.apply(batch)
			}
		})
	}
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				flush()
				return
			}
			if ev.Kind == worker.JobChanged {
				if i, ok := last[ev.Job.ID]; ok && pending[i].Job.State == ev.Job.State {
					pending[i] = ev // only progress moved: keep the newest
					continue
				}
				last[ev.Job.ID] = len(pending)
			} else {
				delete(last, ev.Job.ID)
			}
			pending = append(pending, ev)
		case <-ticker.C:
			flush()
		case <-v.a.stop:
			return
		}
	}
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
			v.a.showToast(alreadyQueuedText(ev))
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
		return tr("“{{.Name}}” is already in the queue, so it was not added again.", map[string]any{"Name": inert.Text(ev.Job.Name)})
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
			v.a.showToast(tr("Link to {{.Name}} copied to the clipboard", map[string]any{"Name": j.Name}))
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
