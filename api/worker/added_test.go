package worker

import (
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// inDatabase reports whether the database holds path for the test account:
// as a walk row (saved, not listed yet) or as a job row (listed).
func inDatabase(t *testing.T, db *storage.DB, path string) bool {
	t.Helper()
	if slices.ContainsFunc(walksLeft(t, db), func(w storage.WalkRow) bool { return w.Path == path }) {
		return true
	}
	rows, err := db.Jobs()
	require.NoError(t, err)
	return slices.ContainsFunc(rows, func(r storage.JobRow) bool { return r.LocalPath == path })
}

// isClosed reports whether ch is closed now.
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestAddTellsWhenItsFilesAreSaved: Add returns before its requests are in
// the database (the walk saver writes them a moment later); the channel it
// returns closes only once they are, so a window that tells a later launch
// its files are taken, or forgets its own copy of them, does so only when a
// kill can no longer lose them. Add returning was taken for that, and a
// kill in the gap lost the files.
func TestAddTellsWhenItsFilesAreSaved(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	q := e.queue(e.tokenless()) // nothing uploads: the rows stay
	f := e.write("held.txt", testutil.Content("held", 100))

	release := testutil.HoldWriteLock(t, e.dbDir)
	saved := q.Add(Request{Path: f})
	eventually(t, 0, func() bool { return testutil.GoroutineIn("storage.(*DB).InsertWalks") },
		"the walk saver is writing the request")
	assert.False(t, isClosed(saved.Done()), "told saved while its walk row waits for the database")
	assert.False(t, inDatabase(t, e.db, f))

	release()
	select {
	case <-saved.Done():
	case <-time.After(hangGuard):
		t.Fatal("not told saved once the database was free")
	}
	require.NoError(t, saved.Err())
	assert.True(t, inDatabase(t, e.db, f), "in the database when told saved")
}

// TestAddAndCloseTellWhatIsSaved: Close saves what was added before it and
// says so; what is added to a closed queue is never saved, and its channel
// never closes; nothing to add is saved at once.
func TestAddAndCloseTellWhatIsSaved(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	q, err := New(e.tokenless())
	require.NoError(t, err)
	f := e.write("before.txt", testutil.Content("before", 100))
	saved := q.Add(Request{Path: f})
	require.NoError(t, q.Close())
	assert.True(t, isClosed(saved.Done()), "saved by Close at the latest")
	assert.NoError(t, saved.Err())
	assert.True(t, inDatabase(t, e.db, f))

	late := e.write("late.txt", testutil.Content("late", 100))
	assert.False(t, isClosed(q.Add(Request{Path: late}).Done()), "a closed queue saves nothing")
	assert.False(t, inDatabase(t, e.db, late))

	assert.True(t, isClosed(q.Add().Done()), "nothing to save")
	assert.NoError(t, q.Add().Err())
}

// TestAddTellsWhenItsFilesCannotBeSaved: requests whose walk rows the
// database refuses (here: its file was moved away, so no write counts)
// are told so, with the database's reason, so that whoever handed them
// over is not left waiting for an answer that never comes. They were
// told nothing.
func TestAddTellsWhenItsFilesCannotBeSaved(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete or replace a database file SQLite holds open")
	}
	e := newTestEnv(t, sandbox.Config{})
	q, err := New(e.tokenless())
	require.NoError(t, err)
	f := e.write("unsaved.txt", testutil.Content("unsaved", 100))
	require.NoError(t, os.Rename(e.db.Path(), e.db.Path()+".moved"))
	saved := q.Add(Request{Path: f})
	select {
	case <-saved.Done():
	case <-time.After(hangGuard):
		t.Fatal("not told the files could not be saved")
	}
	require.ErrorIs(t, saved.Err(), storage.ErrDatabaseReplaced)
	assert.ErrorIs(t, q.Close(), storage.ErrDatabaseReplaced, "Close reports it too")
}
