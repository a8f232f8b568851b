package testutil

import (
	"database/sql"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// HoldWriteLock takes the write lock of the database in dir from a
// connection of its own, as another program would, and returns what lets
// it go: until then every write of the app's storage.DB on that file waits
// (up to its busy timeout), while its reads still see what was committed.
// A test's way to hold a write the code offers no hook for. The test's
// cleanup lets it go too.
func HoldWriteLock(t testing.TB, dir string) (release func()) {
	t.Helper()
	release, err := holdWriteLock(dir)
	require.NoError(t, err, "take the database's write lock")
	t.Cleanup(release)
	return release
}

// holdWriteLock is HoldWriteLock without the test: its error says why the
// lock could not be taken.
func holdWriteLock(dir string) (release func(), err error) {
	// Waits for a write in progress (the app's, the last test's) as the
	// app's own connections do, instead of failing at once as SQLITE_BUSY.
	other, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName)+"?_busy_timeout=60000")
	if err != nil {
		return nil, err
	}
	other.SetMaxOpenConns(1)
	tx, err := other.Begin()
	if err != nil {
		_ = other.Close()
		return nil, err
	}
	// A write takes the lock: a deferred transaction takes none until then.
	if _, err := tx.Exec(`INSERT INTO settings (key, value) VALUES ('held by a test', '')`); err != nil {
		_ = tx.Rollback()
		_ = other.Close()
		return nil, err
	}
	released := false
	return func() {
		if released {
			return
		}
		released = true
		_ = tx.Rollback()
		_ = other.Close()
	}, nil
}

// HideJobs makes every read of the job rows in the database in dir fail
// ("no such table"), as a flaky drive or another program renaming the
// table does, until the function it returns puts the table back: a
// test's way to fail the queue's reads, which the code offers no hook for.
// Nothing else about the database changes. The restore runs once however
// often it is called, from any goroutine (it asserts, never stops the
// test); the test's cleanup closes the connection.
func HideJobs(t testing.TB, dir string) (restore func()) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName)+"?_pragma=busy_timeout(60000)")
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	_, err = raw.Exec(`ALTER TABLE jobs RENAME TO jobs_hidden`)
	require.NoError(t, err, "hide the job rows")
	var once sync.Once
	return func() {
		once.Do(func() {
			_, err := raw.Exec(`ALTER TABLE jobs_hidden RENAME TO jobs`)
			assert.NoError(t, err, "put the job rows back")
		})
	}
}

// GoroutineIn reports whether some goroutine's stack holds fn (e.g.
// "storage.(*DB).InsertWalks"): a test's proof that another goroutine
// reached a blocking point the code offers no event for.
func GoroutineIn(fn string) bool {
	return strings.Contains(stacks(), fn+"(")
}

// ParkedIn counts the goroutines blocked in a select with fn (e.g.
// "worker.(*renewingTokens).Token") on their stack: a test's proof that
// callers reached a wait the code offers no event for.
func ParkedIn(fn string) int {
	count := 0
	for _, g := range strings.Split(stacks(), "\n\n") {
		header, _, _ := strings.Cut(g, "\n")
		if strings.Contains(header, "[select") && strings.Contains(g, fn+"(") {
			count++
		}
	}
	return count
}

// stacks is the stack of every goroutine (runtime.Stack).
func stacks() string {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}
