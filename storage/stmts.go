package storage

import (
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache holds statements prepared once on the writer connection, for the
// writes the upload queue makes for every file (a state change, the finish
// and its history row). Without it database/sql has SQLite parse and plan
// each statement again on every call, which was about a tenth of the CLI's
// CPU when uploading many small files.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// writeStmt returns query prepared on the writer connection. It must be
// called outside a write transaction (the writer pool has one connection,
// which the transaction holds); use it inside one through tx.Stmt, which
// reuses the same prepared statement on that connection.
func (d *DB) writeStmt(query string) (*sql.Stmt, error) {
	c := &d.stmts
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := d.w.Prepare(query)
	if err != nil {
		return nil, fmt.Errorf("prepare statement: %w", err)
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*sql.Stmt)
	}
	c.stmts[query] = st
	return st, nil
}

// close closes every cached statement (before the connection is closed).
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, st := range c.stmts {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.stmts, q)
	}
	return first
}
