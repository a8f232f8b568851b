package worker

import (
	"fmt"
	"sync"
)

// EventKind says what an Event reports, so a view can add, update or remove
// one row instead of reloading the whole list.
type EventKind int

// The event kinds. The zero value is not a kind, so a forgotten field shows.
const (
	// JobAdded: a new job is in the list (after it was persisted).
	JobAdded EventKind = iota + 1
	// JobChanged: a job's state or progress changed.
	JobChanged
	// JobRemoved: a job left the list (Remove, ClearFinished).
	JobRemoved
	// LinkChecked: a done job's link was checked (Config.LiveLink); Job
	// holds the result in Live.
	LinkChecked
	// QueueChanged: the queue as a whole changed — paused, resumed, waiting
	// for sign-in or not, walking folders or not, concurrency; Job is empty.
	QueueChanged
	// JobsChanged: many jobs changed at once (cancel all, retry failed,
	// clear finished, sign-in), most of them not in memory, so there is
	// one event, not one per job: reread what is shown. Job is empty.
	JobsChanged
	// AlreadyQueued: files added were left out because they were already
	// waiting in the queue for the same place (queued, uploading or
	// waiting for sign-in, from this Add call or an earlier one, an
	// interrupted run's included), so each is uploaded once. One event
	// per Add call once it is listed: Count says how many files, Job
	// describes the first of them (its LocalPath and Name; no ID).
	AlreadyQueued
)

// String names the kind, for logs and test failures.
func (k EventKind) String() string {
	switch k {
	case JobAdded:
		return "JobAdded"
	case JobChanged:
		return "JobChanged"
	case JobRemoved:
		return "JobRemoved"
	case QueueChanged:
		return "QueueChanged"
	case LinkChecked:
		return "LinkChecked"
	case JobsChanged:
		return "JobsChanged"
	case AlreadyQueued:
		return "AlreadyQueued"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event tells a subscriber what changed, with a snapshot of the job and of
// the whole queue, so it never has to call back into the queue to render.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Job is the job after the change (zero for QueueChanged).
	Job Job
	// Summary is the queue's summary after the change.
	Summary Summary
	// Count is, for AlreadyQueued, how many files were left out.
	Count int
	// Serial numbers the queue's events in the order they happened (from
	// 1), so a subscriber can tell it has seen every event up to
	// Queue.LastEvent.
	Serial uint64
}

// maxPending bounds the events a subscriber holds for its reader. A reader
// that falls that far behind (a command whose output is not being read)
// holds the queue up until it reads again: its memory stays bounded, and it
// still gets every state change. Progress events coalesce long before that.
const maxPending = 8192

// subscriber buffers events for one Subscribe call. State changes are all
// kept, in order; a progress event replaces the same job's progress event
// that the subscriber has not taken yet. At most maxPending events wait.
type subscriber struct {
	ch     chan Event
	notify chan struct{} // capacity 1: "items changed"
	room   chan struct{} // capacity 1: "an item was taken"
	stop   chan struct{}
	once   sync.Once

	mu       sync.Mutex
	items    []Event
	head     int            // items[head:] are pending
	progress map[string]int // job id → index in items of its pending progress event
}

func newSubscriber(buffer int) *subscriber {
	if buffer < 0 {
		buffer = 0
	}
	return &subscriber{
		ch:       make(chan Event, buffer),
		notify:   make(chan struct{}, 1),
		room:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		progress: make(map[string]int),
	}
}

// push queues ev; progress events coalesce per job. When maxPending events
// wait already it waits for the reader to take one, or for the
// subscription (stop) or the queue (quit) to end, which drop ev.
func (s *subscriber) push(ev Event, isProgress bool, quit <-chan struct{}) {
	s.mu.Lock()
	for {
		id := ev.Job.ID
		if i, ok := s.progress[id]; ok && isProgress {
			s.items[i] = ev
			s.mu.Unlock()
			return
		}
		if len(s.items)-s.head < maxPending {
			break
		}
		s.mu.Unlock()
		select {
		case <-s.room:
		case <-s.stop:
			return
		case <-quit:
			return
		}
		s.mu.Lock()
	}
	if isProgress {
		s.progress[ev.Job.ID] = len(s.items)
	} else if ev.Job.ID != "" {
		// A later progress event must come after this one, not replace
		// an earlier one in front of it.
		delete(s.progress, ev.Job.ID)
	}
	s.items = append(s.items, ev)
	s.mu.Unlock()
	select {
	case s.notify <- struct{}{}:
	default:
	}
}

// pop takes the oldest pending event.
func (s *subscriber) pop() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.head == len(s.items) {
		return Event{}, false
	}
	ev := s.items[s.head]
	s.items[s.head] = Event{}
	if i, ok := s.progress[ev.Job.ID]; ok && i == s.head {
		delete(s.progress, ev.Job.ID)
	}
	s.head++
	switch {
	case s.head == len(s.items):
		s.items, s.head = s.items[:0], 0
	case s.head >= 1024 && s.head*2 >= len(s.items):
		n := copy(s.items, s.items[s.head:])
		clear(s.items[n:])
		s.items = s.items[:n]
		for id, i := range s.progress {
			s.progress[id] = i - s.head
		}
		s.head = 0
	}
	select {
	case s.room <- struct{}{}:
	default:
	}
	return ev, true
}

// pump delivers events to ch until stopped, then closes ch. Events still
// pending when it stops are dropped: nobody is listening any more.
func (s *subscriber) pump() {
	defer close(s.ch)
	for {
		if ev, ok := s.pop(); ok {
			select {
			case s.ch <- ev:
			case <-s.stop:
				return
			}
			continue
		}
		select {
		case <-s.notify:
		case <-s.stop:
			return
		}
	}
}

func (s *subscriber) close() { s.once.Do(func() { close(s.stop) }) }

// Subscribe returns a channel of events and a function that ends the
// subscription (and closes the channel). Events come coalesced: at most one
// progress event per job per Config.ProgressInterval, and a subscriber that
// falls behind gets only each job's latest progress; state changes are never
// dropped and arrive in order. buffer is the channel's capacity. A
// subscriber that stops reading holds the queue up once maxPending events
// wait for it (so a reader that falls behind costs bounded memory and still
// misses nothing): read the channel until done, or end the subscription.
// Subscribe before reading the list (JobsPage) to miss nothing. The
// channel is closed by the returned function or by Close.
func (q *Queue) Subscribe(buffer int) (<-chan Event, func()) {
	s := newSubscriber(buffer)
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		close(s.ch)
		return s.ch, func() {}
	}
	q.subs[s] = struct{}{}
	q.subsWG.Add(1)
	q.mu.Unlock()
	go func() {
		defer q.subsWG.Done()
		s.pump()
	}()
	return s.ch, func() {
		s.close() // first: a publisher waiting for room holds q.mu
		q.mu.Lock()
		delete(q.subs, s)
		q.mu.Unlock()
	}
}

// LastEvent is the Serial of the last event published so far: a reader
// that has seen it has seen everything before it (Wait, then read up to
// LastEvent, and nothing is missed).
func (q *Queue) LastEvent() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.serial
}

// publish sends an event about j (nil for QueueChanged and JobsChanged) to
// every subscriber. Called with q.mu held, so subscribers see changes in the
// order they happened.
func (q *Queue) publish(kind EventKind, j *job, isProgress bool) {
	var snap Job
	if j != nil && len(q.subs) > 0 {
		snap = q.snapshot(j)
	}
	q.publishJob(kind, snap, isProgress)
}

// publishJob sends an event about the job snap (zero for none). Called with
// q.mu held.
func (q *Queue) publishJob(kind EventKind, snap Job, isProgress bool) {
	q.publishOne(Event{Kind: kind, Job: snap}, isProgress)
}

// publishEvent sends ev (a state change; Summary and Serial are filled
// in). Called with q.mu held.
func (q *Queue) publishEvent(ev Event) { q.publishOne(ev, false) }

// publishOne numbers ev, adds the summary and sends it to every
// subscriber. Called with q.mu held.
func (q *Queue) publishOne(ev Event, isProgress bool) {
	if !isProgress {
		q.broadcast()
	}
	q.serial++
	if len(q.subs) == 0 {
		return
	}
	ev.Summary, ev.Serial = q.summaryLocked(), q.serial
	for s := range q.subs {
		s.push(ev, isProgress, q.closing)
	}
}

// broadcast wakes every Wait call. Called with q.mu held.
func (q *Queue) broadcast() {
	close(q.changed)
	q.changed = make(chan struct{})
}
