package ui

import (
	"slices"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The queue list in memory is a window, not the list.
//
// The list has a row for every job in the queue (Summary.Total), but the
// view holds only a window of them: the rows in view and a margin around
// them, read from the database a page at a time (Queue.JobsPage,
// Queue.JobsBefore) when the list asks for a row the window does not hold.
// A page next to the window is read from its first or last row, which costs
// O(log n) in the number of jobs; a jump far away skips rows by offset,
// from the window's end when the jump is forward. Events keep the window's
// rows up to date, append new jobs while the window reaches the end of the
// list, and move the window's place when a job before it leaves; a bulk
// change (cancel all, clear finished, …) reads the window again. The
// summary line and the buttons come from the events' Summary, the total
// speed from the uploads in flight. So a queue of 100,000 files costs the
// window what a queue of a few hundred does.
//
// A read that fails (a drive or a lock failing the database's reads) is no
// page: the window stays as it was, the rows it misses say they could not
// be read, and the window is read again listRetry later, not at once, so a
// failing database is not asked as fast as it fails.
//
// Jobs the database refused (there is no row to page through) are held
// apart, few as they are, and listed after the others.

// Sizes of the window, in rows.
const (
	// listPage is how many rows one read brings.
	listPage = 256
	// listMargin is how many rows above the one asked for a jump reads,
	// so scrolling back up a little needs no read.
	listMargin = 64
	// listCap is the most rows the window holds.
	listCap = 2 * listPage
)

// listRetry is how long the list waits, after a page could not be read,
// before it reads the window again: a drive or a lock that fails the
// reads is not asked again and again meanwhile.
const listRetry = 2 * time.Second

// pageRead is one read of the list, planned on the UI goroutine (plan) and
// run off it (run), then placed into the window (place).
type pageRead struct {
	// after reads the rows after the one with this Seq, skipping offset
	// of them (after 0: from the start of the list).
	after  int64
	offset int
	// before, when set, reads instead the rows just before the one with
	// this Seq: the page above the window.
	before int64
	// start is the position in the list of the first row read by an
	// after read that does not extend the window.
	start int
	// extend says the rows continue the window (after its last row, or
	// before its first) rather than replace it.
	extend bool
}

// readRows reads a page: pageRead.run, a variable so that a test can count
// the reads.
var readRows = pageRead.run

// run reads the page.
func (p pageRead) run(q *worker.Queue) ([]worker.Job, error) {
	if p.before > 0 {
		return q.JobsBefore(p.before, listPage)
	}
	rows, _, err := q.JobsPage(p.after, p.offset, listPage)
	return rows, err
}

// listLen is the number of rows in the list.
func (v *uploadView) listLen() int { return v.sum.Total }

// listed is how many rows of the list have a database row.
func (v *uploadView) listed() int { return max(v.sum.Total-len(v.unsaved), 0) }

// jobAt is row p of the list, when the window holds it.
func (v *uploadView) jobAt(p int) (worker.Job, bool) {
	if i := p - v.first; i >= 0 && i < len(v.jobs) {
		return v.jobs[i], true
	}
	if i := p - v.listed(); i >= 0 && i < len(v.unsaved) {
		return v.unsaved[i], true
	}
	return worker.Job{}, false
}

// jobByID is the job with this id, when the window holds it.
func (v *uploadView) jobByID(id string) (worker.Job, bool) {
	if i, ok := v.index[id]; ok {
		return v.jobs[i], true
	}
	if i := slices.IndexFunc(v.unsaved, func(j worker.Job) bool { return j.ID == id }); i >= 0 {
		return v.unsaved[i], true
	}
	return worker.Job{}, false
}

// resetWindow empties the window (no session, or a new one).
func (v *uploadView) resetWindow() {
	v.jobs, v.first, v.atEnd = nil, 0, false
	v.unsaved, v.late, v.lateLost = nil, nil, false
	v.index = map[string]int{}
	v.sending = map[string]float64{}
	v.listGen++
	v.listVer++
	v.loading, v.reread = false, false
	v.tried = [3]int{-1}
	v.readErr, v.retryDue = nil, false
}

// want asks for row p of the list, which the window does not hold: a page
// around it is read off the UI goroutine, and the list drawn again once it
// is in. One read at a time; the list asks again for what is still missing
// when it is drawn again, or after a failed read once it is read again.
func (v *uploadView) want(p int) {
	if v.sess == nil || v.loading || v.retryDue || p < 0 || p >= v.listed() {
		return
	}
	key := [3]int{p, int(v.listGen), v.sum.Total}
	if key == v.tried {
		return // read for p already, and the list has not changed since
	}
	v.tried = key
	v.read(v.plan(p))
}

// plan chooses the cheapest read that brings row p into the window.
func (v *uploadView) plan(p int) pageRead {
	n := len(v.jobs)
	end := v.first + n
	switch {
	case n > 0 && p >= end:
		gap := max(p-listMargin-end, 0)
		return pageRead{after: v.jobs[n-1].Seq, offset: gap, start: end + gap, extend: gap == 0}
	case n > 0 && p < v.first && v.first-p <= listPage-listMargin:
		return pageRead{before: v.jobs[0].Seq, extend: true}
	}
	s := max(p-listMargin, 0)
	return pageRead{offset: s, start: s}
}

// reload reads the window again where it is, after a bulk change.
func (v *uploadView) reload() {
	v.listGen++
	if v.sess == nil {
		return
	}
	if v.loading {
		v.reread = true // once the read under way is in
		return
	}
	s := min(v.first, max(v.listed()-listPage, 0))
	v.read(pageRead{offset: s, start: s})
}

// read runs p off the UI goroutine and places its rows, unless the list's
// positions changed meanwhile (then the list asks again). A read that
// fails leaves the window as it was and is tried again later (retryLater).
func (v *uploadView) read(p pageRead) {
	s, gen, a := v.sess, v.listGen, v.a
	v.loading = true
	v.late, v.lateLost = nil, false
	ok := a.goBg(func() {
		rows, err := readRows(p, s.queue)
		a.do(func() {
			if v.sess != s {
				return
			}
			v.loading = false
			v.listVer++ // drawn again, the list asks for the rows it still misses
			v.readErr = err
			if err != nil {
				v.late, v.lateLost = nil, false
				v.reread = false // the retry reads the window again
				v.retryLater(s)
			} else {
				v.retryDue = false
				if gen == v.listGen {
					v.place(p, rows)
				}
			}
			if v.reread {
				v.reread = false
				v.reload()
			}
			v.render()
		})
	})
	if !ok {
		v.loading = false
	}
}

// retryLater reads the window again listRetry from now, while s is shown,
// after a read failed; the list then asks again for the rows it misses.
// The wait ends with the session, or the App.
func (v *uploadView) retryLater(s *activeSession) {
	if v.retryDue {
		return
	}
	v.retryDue = true
	v.retryGen++
	a, gen, ended := v.a, v.retryGen, s.pumpDone
	a.goBg(func() {
		wait := time.NewTimer(listRetry)
		defer wait.Stop()
		select {
		case <-wait.C:
		case <-ended:
			return
		case <-a.stop:
			return
		}
		a.do(func() {
			if v.sess == s && v.retryDue && v.retryGen == gen {
				v.retryDue = false
				v.reload()
			}
		})
	})
}

// place puts the rows read by p into the window.
func (v *uploadView) place(p pageRead, rows []worker.Job) {
	switch {
	case p.before > 0:
		v.first -= len(rows)
		switch {
		case len(rows) < listPage:
			v.first = 0 // read to the top: the positions are exact
		case v.first < 0:
			// More rows above than the window's place says (a job removed
			// while a page was read can leave it off): read it again.
			v.first, v.reread = 0, true
		}
		v.jobs = append(rows, v.jobs...)
		if over := len(v.jobs) - listCap; over > 0 {
			v.jobs = v.jobs[:listCap]
			v.atEnd = false
		}
	case p.extend:
		v.jobs = append(v.jobs, newerThan(rows, v.jobs)...)
		v.atEnd = len(rows) < listPage
		if over := len(v.jobs) - listCap; over > 0 {
			v.jobs = slices.Clone(v.jobs[over:])
			v.first += over
		}
	default:
		v.jobs, v.first = rows, p.start
		v.atEnd = len(rows) < listPage
	}
	if v.atEnd {
		v.jobs = append(v.jobs, newerThan(v.late, v.jobs)...)
		v.atEnd = !v.lateLost && len(v.jobs) <= listCap
	}
	v.late, v.lateLost = nil, false
	v.reindex()
}

// newerThan are the jobs of rows added after the last of window.
func newerThan(rows, window []worker.Job) []worker.Job {
	if len(window) == 0 {
		return rows
	}
	last := window[len(window)-1].Seq
	i := slices.IndexFunc(rows, func(j worker.Job) bool { return j.Seq > last })
	if i < 0 {
		return nil
	}
	return rows[i:]
}

// upsert applies a JobAdded or JobChanged event's job to the window and
// reacts to its transition.
func (v *uploadView) upsert(kind worker.EventKind, j worker.Job) {
	v.noteSending(j)
	prev := storage.JobState("")
	if i, ok := v.index[j.ID]; ok {
		prev = v.jobs[i].State
		v.changeRow(&v.jobs[i], j)
	} else if i := slices.IndexFunc(v.unsaved, func(u worker.Job) bool { return u.ID == j.ID }); i >= 0 {
		prev = v.unsaved[i].State
		v.changeRow(&v.unsaved[i], j)
	} else if kind == worker.JobAdded {
		v.appendNew(j)
	}
	v.onTransition(prev, j)
}

// changeRow puts j in the place of the row's job, as it is now.
func (v *uploadView) changeRow(row *worker.Job, j worker.Job) {
	if *row != j {
		*row = j
		v.listVer++
	}
}

// appendNew adds a job new to the list: to the window when it reaches the
// end of the list, to the jobs without a row when it has none.
func (v *uploadView) appendNew(j worker.Job) {
	if j.Seq == 0 {
		v.unsaved = append(v.unsaved, j)
		v.listVer++
		return
	}
	if v.loading { // the page being read may end before it
		if len(v.late) < listCap {
			v.late = append(v.late, j)
		} else {
			v.lateLost = true
		}
	}
	if !v.atEnd {
		return
	}
	if len(v.jobs) >= listCap {
		v.atEnd = false // the list asks for the rows past the window when it shows them
		return
	}
	i, _ := slices.BinarySearchFunc(v.jobs, j.Seq, func(w worker.Job, seq int64) int { return int(w.Seq - seq) })
	v.jobs = slices.Insert(v.jobs, i, j)
	v.listVer++
	if i < len(v.jobs)-1 {
		v.reindex()
	} else {
		v.index[j.ID] = i
	}
}

// drop takes a job that left the list out of the window, or moves the
// window up one row when the job was above it. It reports whether rows of
// the window were marked for compact.
func (v *uploadView) drop(j worker.Job) bool {
	delete(v.sending, j.ID)
	v.listVer++ // the rows after it move up
	if j.Seq == 0 {
		v.unsaved = slices.DeleteFunc(v.unsaved, func(u worker.Job) bool { return u.ID == j.ID })
		return false
	}
	v.listGen++ // a page being read may have the old positions
	if i, ok := v.index[j.ID]; ok {
		v.jobs[i].ID = ""
		delete(v.index, j.ID)
		return true
	}
	if len(v.jobs) > 0 && j.Seq < v.jobs[0].Seq && v.first > 0 {
		v.first--
	}
	return false
}

// compact removes the rows drop marked.
func (v *uploadView) compact() {
	v.jobs = slices.DeleteFunc(v.jobs, func(j worker.Job) bool { return j.ID == "" })
	v.reindex()
}

func (v *uploadView) reindex() {
	v.index = make(map[string]int, len(v.jobs))
	for i, j := range v.jobs {
		v.index[j.ID] = i
	}
}

// noteSending keeps the speeds of the uploads in flight up to date with j.
func (v *uploadView) noteSending(j worker.Job) {
	if j.State == storage.JobUploading {
		v.sending[j.ID] = j.Speed
	} else {
		delete(v.sending, j.ID)
	}
}

// totalSpeed is the speed of every upload in flight.
func (v *uploadView) totalSpeed() float64 {
	if v.sum.Uploading == 0 {
		clear(v.sending) // left by a bulk change: none is uploading
		return 0
	}
	var sp float64
	for _, s := range v.sending {
		sp += s
	}
	return sp
}
