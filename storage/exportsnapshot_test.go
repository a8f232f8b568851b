package storage

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deleteOnFirstWrite is the export's file: at its first write (the first
// 512 rows are written by then) it deletes every entry, as a "Delete
// selected" of everything begun while the export runs does.
type deleteOnFirstWrite struct {
	t       *testing.T
	d       *DB
	ids     []int64
	deleted int
	buf     bytes.Buffer
}

func (w *deleteOnFirstWrite) Write(p []byte) (int, error) {
	if w.ids != nil {
		n, err := w.d.DeleteHistoryIDs(w.t.Context(), w.ids)
		require.NoError(w.t, err)
		w.deleted, w.ids = n, nil
	}
	return w.buf.Write(p)
}

// TestExportReadsOneSnapshot: an export already writing when a delete
// starts writes the history as it was when the export began, whole: it
// reads in one read transaction, so it never writes a history half
// deleted (why the window refuses only exports begun during a delete).
func TestExportReadsOneSnapshot(t *testing.T) {
	const n = 1200 // more than the CSV export's flush of 512 rows and the delete's batch of 250
	d := openTestDB(t)
	fillHistory(t, d, n)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	w := &deleteOnFirstWrite{t: t, d: d, ids: ids}
	k, err := d.ExportHistoryCSV(w, ExportOptions{})
	require.NoError(t, err)
	require.Equal(t, n, w.deleted, "the delete ran during the export")
	assert.Equal(t, n, k, "the export counts every entry")
	rows, err := csv.NewReader(&w.buf).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, n+1, "the header and every entry of the history the export began on")
	assertHistoryCount(t, d, "", 0)
}
