package cli

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// doneJobs makes a database holding n done jobs, none marked printed, and
// returns it with their ids.
func doneJobs(t *testing.T, n int) (*storage.DB, []string) {
	t.Helper()
	db, err := storage.Open(t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("job-%04d", i)
		row := storage.JobRow{ID: ids[i], BatchID: "b", Env: "env", Account: "acct",
			LocalPath: "/f/" + ids[i], Name: ids[i], Size: 1}
		require.NoError(t, db.InsertJobs([]storage.JobRow{row}))
		row.Hash, row.Verified = fmt.Sprintf("Qm%044d", i), true
		require.NoError(t, db.FinishJob(row, storage.HistoryEntry{Env: "env", Account: "acct", Name: row.Name, Hash: row.Hash, Verified: true}))
	}
	return db, ids
}

// unreported is how many done jobs no run has marked printed yet.
func unreported(t *testing.T, db *storage.DB) int {
	t.Helper()
	rows, err := db.UnreportedDone("env", "acct")
	require.NoError(t, err)
	return len(rows)
}

// TestReportMarksBatches: printed results are marked in one write once
// markDelay has passed after the first of a batch, at once when a batch is
// full, and at stop whatever is left; after stop each mark is immediate.
func TestReportMarksBatches(t *testing.T) {
	db, ids := doneJobs(t, markBatchMax+3)
	m := &reportMarks{db: db}

	m.add(ids[0])
	m.add(ids[1])
	assert.Len(t, m.unmarked(), 2, "a batch waits for its delay")
	require.Eventually(t, func() bool { return len(m.unmarked()) == 0 }, time.Minute, markDelay/4,
		"the timer writes the batch")
	assert.Equal(t, len(ids)-2, unreported(t, db))

	for _, id := range ids[2 : 2+markBatchMax] {
		m.add(id)
	}
	assert.Empty(t, m.unmarked(), "a full batch is written at once")
	assert.Equal(t, 1, unreported(t, db))

	n, err := m.stop()
	require.NoError(t, err)
	assert.Zero(t, n)
	m.add(ids[len(ids)-1])
	assert.Empty(t, m.unmarked(), "after stop a mark is written at once")
	assert.Zero(t, unreported(t, db))
}

// TestReportMarksKeepFailedMarks: a mark that cannot be written (the
// database is gone) stays pending, and stop says how many are left.
func TestReportMarksKeepFailedMarks(t *testing.T) {
	db, ids := doneJobs(t, 2)
	m := &reportMarks{db: db}
	require.NoError(t, db.Close())
	m.add(ids[0])
	m.add(ids[1])
	n, err := m.stop()
	require.Error(t, err)
	assert.Equal(t, 2, n)
	assert.Len(t, m.unmarked(), 2)
}
