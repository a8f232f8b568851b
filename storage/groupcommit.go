package storage

import (
	"database/sql"
	"sync"
)

// Group commit for the per-file writes of the upload queue.
//
// With several uploads running, their state changes and finishes arrive at
// the same moments, and each used to be its own transaction: BEGIN
// IMMEDIATE, one or two statements, COMMIT (a WAL append). withTxGrouped
// lets the writes that arrive while a transaction is running share the next
// one. The first caller runs at once, as withTx would (no added latency);
// callers arriving meanwhile queue, and the caller that ran first commits
// all of them in one transaction before it returns. Every caller still
// returns only after its own writes are committed (or failed), so the
// crash-safety contract of each method is unchanged.
//
// When any write of a batch fails, the whole batch is rolled back and each
// write runs again alone in its own transaction, so a failure (ErrNotFound,
// ErrJobDone, a constraint) reaches exactly its caller and never another's.
// The functions must therefore be safe to run twice: they only read their
// arguments and write through tx.

type groupReq struct {
	what string
	fn   func(tx *sql.Tx) error
	err  error
	done chan struct{} // closed when committed (or failed)
	lead chan struct{} // closed when this caller must commit the next batch
}

type groupCommitter struct {
	mu      sync.Mutex
	pending []*groupReq
	leading bool // a caller is committing a batch
}

// maxGroup bounds one batch, so a burst cannot make one transaction (and
// the wait of its first caller) arbitrarily long.
const maxGroup = 64

// withTxGrouped is withTx for writes that may share a transaction with
// concurrent ones (see above). The caller that finds no transaction running
// commits the pending batch (its own write first); when it is done, the
// oldest caller still waiting, if any, commits the next batch, so no caller
// commits for others more than once.
func (d *DB) withTxGrouped(what string, fn func(tx *sql.Tx) error) error {
	g := &d.group
	req := &groupReq{what: what, fn: fn, done: make(chan struct{}), lead: make(chan struct{})}
	g.mu.Lock()
	g.pending = append(g.pending, req)
	if g.leading {
		g.mu.Unlock()
		select {
		case <-req.done:
			return req.err
		case <-req.lead: // promoted: req is first in pending
		}
		g.mu.Lock()
	}
	g.leading = true
	if beforeGroup != nil {
		g.mu.Unlock()
		beforeGroup()
		g.mu.Lock()
	}
	n := min(len(g.pending), maxGroup)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.mu.Unlock()

	d.commitGroup(batch)

	g.mu.Lock()
	if len(g.pending) > 0 {
		close(g.pending[0].lead) // leading stays true: handed over
	} else {
		g.leading = false
		g.pending = nil
	}
	g.mu.Unlock()
	<-req.done
	return req.err
}

// beforeGroup, when set by a test, runs before a batch is formed, so the
// test can let writes pile up.
var beforeGroup func()

// commitGroup runs batch in one transaction, or each alone when any fails.
func (d *DB) commitGroup(batch []*groupReq) {
	finish := func() {
		for _, r := range batch {
			close(r.done)
		}
	}
	defer finish()
	if len(batch) == 1 {
		batch[0].err = d.withTx(batch[0].what, batch[0].fn)
		return
	}
	if d.tryGroup(batch) {
		return
	}
	for _, r := range batch {
		r.err = d.withTx(r.what, r.fn)
	}
}

// tryGroup commits every write of batch in one transaction; false (with
// nothing written) when any of them, or the commit, fails.
func (d *DB) tryGroup(batch []*groupReq) bool {
	tx, err := d.w.Begin()
	if err != nil {
		return false
	}
	for _, r := range batch {
		if err := r.fn(tx); err != nil {
			_ = tx.Rollback()
			return false
		}
	}
	if err := tx.Commit(); err != nil {
		return false
	}
	return true
}
