package cli

import (
	"sync"
	"time"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Results printed are marked as printed in the database (so the next run
// prints only what this one could not) in batches rather than one
// transaction per file: on small files that transaction was a tenth of the
// CLI's CPU. A batch is written at most markDelay after its first result
// was printed, or as soon as it holds markBatchMax results, and whatever is
// left when the run ends. Only a run killed outright (SIGKILL, a crash, a
// power cut) leaves printed results unmarked, and the next run prints those
// again: at most markDelay's worth more than one transaction per file
// would.
const (
	markDelay    = 20 * time.Millisecond
	markBatchMax = 256
)

// reportMarks collects the jobs whose results were printed and marks them
// printed in the database, in batches. Its methods are safe for concurrent
// use; the timer's goroutine is stopped by stop.
type reportMarks struct {
	db *storage.DB

	mu      sync.Mutex
	pending []string    // printed, not marked yet (kept when a mark fails)
	timer   *time.Timer // armed while pending is not empty; nil otherwise
	stopped bool
}

// add notes that id's result was printed.
func (m *reportMarks) add(id string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pending = append(m.pending, id)
	switch {
	case m.stopped || len(m.pending) >= markBatchMax:
		_ = m.writeLocked()
	case m.timer == nil:
		m.timer = time.AfterFunc(markDelay, m.flush)
	}
}

// flush marks what is pending now.
func (m *reportMarks) flush() {
	m.mu.Lock()
	defer m.mu.Unlock()
	_ = m.writeLocked()
}

// writeLocked marks the pending results in one transaction; a failed mark
// (a full disk) keeps them for the next batch.
func (m *reportMarks) writeLocked() error {
	if m.timer != nil {
		m.timer.Stop()
		m.timer = nil
	}
	if len(m.pending) == 0 {
		return nil
	}
	if err := m.db.MarkReported(m.pending...); err != nil {
		return err
	}
	m.pending = m.pending[:0]
	return nil
}

// unmarked is the set of results printed but not marked yet.
func (m *reportMarks) unmarked() map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	set := make(map[string]bool, len(m.pending))
	for _, id := range m.pending {
		set[id] = true
	}
	return set
}

// stop writes what is pending, stops the timer, and makes later marks
// immediate. It returns how many results it could not mark, and why.
func (m *reportMarks) stop() (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopped = true
	err := m.writeLocked()
	return len(m.pending), err
}
