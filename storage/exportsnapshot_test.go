package storage

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pausingWriter runs pause once, at the first write that reaches it (an
// export flushes its first 64 KiB mid-read), then keeps what is written.
type pausingWriter struct {
	bytes.Buffer
	once  sync.Once
	pause func()
}

func (w *pausingWriter) Write(p []byte) (int, error) {
	w.once.Do(w.pause)
	return w.Buffer.Write(p)
}

// TestExportIsOneSnapshotWhileAnotherProcessWrites: a history export (the
// command line's history --json, the window's Export) streams from one
// read of the database while another process on the same data folder (a
// window or an upload run: here a second DB on the same folder) records
// uploads, deletes one and indexes the history for search. The export
// holds exactly the entries there were when it began, each once, newest
// first: for a search too, whose export reads the entries not indexed yet
// and then the index, and would list twice an entry indexed in between.
func TestExportIsOneSnapshotWhileAnotherProcessWrites(t *testing.T) {
	for _, search := range []string{"", "img_"} {
		t.Run("search "+search, func(t *testing.T) {
			dir := t.TempDir()
			other, err := Open(dir) // the other process
			require.NoError(t, err)
			t.Cleanup(func() { _ = other.Close() })
			var before []HistoryEntry
			for i := range 600 {
				before = append(before, sampleEntry(i))
			}
			// The first half indexed, the second not yet (as after a run
			// that ended less than indexQuiet after its last upload).
			require.NoError(t, other.insertHistoryBatch(before[:300]))
			require.NoError(t, other.indexHistory())
			require.NoError(t, other.insertHistoryBatch(before[300:]))

			d, err := Open(dir)
			require.NoError(t, err)
			t.Cleanup(func() { _ = d.Close() })
			var want []int64
			require.NoError(t, d.EachHistory(HistoryQuery{Search: search}, func(e HistoryEntry) error {
				want = append(want, e.ID)
				return nil
			}))
			require.Len(t, want, 600)

			w := &pausingWriter{pause: func() {
				// Meanwhile, in the other process:
				for i := 600; i < 610; i++ {
					_, err := other.AddHistory(sampleEntry(i))
					assert.NoError(t, err)
				}
				assert.NoError(t, other.DeleteHistory(want[len(want)-1])) // the oldest, read last
				assert.NoError(t, other.indexHistory())
			}}
			n, err := d.ExportHistoryJSON(w, ExportOptions{Search: search})
			require.NoError(t, err)
			var got []struct {
				ID int64 `json:"id"`
			}
			require.NoError(t, json.Unmarshal(w.Bytes(), &got), "one whole JSON array")
			ids := make([]int64, len(got))
			for i, e := range got {
				ids[i] = e.ID
			}
			assert.Equal(t, want, ids, "the entries there were when it began, each once, in order")
			assert.Equal(t, len(want), n)

			after, err := d.HistoryCount(search)
			require.NoError(t, err)
			assert.Equal(t, 609, after, "the other process's writes are there for the next read")
		})
	}
}
