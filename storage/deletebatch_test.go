package storage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeleteSelectedFlushesTheIndexOnce: deleting a selection
// (DeleteHistoryIDs) takes its entries out of the search index in one
// statement, so FTS5 flushes its in-memory table once, at the commit, not
// once per entry: FTS5 flushes at the start of every statement that
// writes to it (4d51381), and one flush per entry is one new segment and
// its automerge work each, which at a million entries held the history
// longer than another process waits to open it.
func TestDeleteSelectedFlushesTheIndexOnce(t *testing.T) {
	const n = 2000
	d := openTestDB(t)
	fillHistory(t, d, n)
	// Indexed here, not waited for from the background indexer: under
	// the race detector at a load average of 15 that took over a minute.
	require.NoError(t, d.indexHistory())
	var to int64
	require.NoError(t, d.r.QueryRow(historyIndexedSQL).Scan(&to))
	require.EqualValues(t, n, to, "indexed up to the last entry")
	ids := make([]int64, 0, n/2)
	for id := int64(n); id > 0; id -= 2 { // a spread selection, newest first as the list shows it
		ids = append(ids, id)
	}
	flushed := ftsPagesFlushed(t, d)
	k, err := d.DeleteHistoryIDs(t.Context(), ids)
	require.NoError(t, err)
	require.Equal(t, len(ids), k)
	pages := ftsPagesFlushed(t, d) - flushed
	t.Logf("deleting %d of %d entries: %d leaf pages flushed to the index", len(ids), n, pages)
	assert.Less(t, pages, uint64(len(ids)/4), "FTS5 flushes the %d deletes once, not once each", len(ids))
	assertHistoryCount(t, d, "", n-len(ids))
	_, err = d.w.Exec(`INSERT INTO history_fts (history_fts, rank) VALUES ('integrity-check', 1)`)
	require.NoError(t, err)
	page, err := d.HistoryPage(HistoryQuery{Search: "IMG_00295"})
	require.NoError(t, err)
	assert.Empty(t, page, "a deleted entry is not found")
	page, err = d.HistoryPage(HistoryQuery{Search: "IMG_00296"})
	require.NoError(t, err)
	assert.Len(t, page, 1, "a kept entry is found")
}

// deleteEntriesOneByOne is deleteEntries as it was before 2026-12-07,
// one statement per entry, for TestDeleteSelectedAsOneByOne: before each
// entry is deleted, the shares holding it and nothing else forget it.
func deleteEntriesOneByOne(t *testing.T, d *DB, ids []int64) int {
	holdsNothingElse := `s.listing_end <= 0 AND NOT EXISTS (SELECT 1 FROM history h WHERE h.added_folder = s.added_folder AND h.added_folder != ''
		AND h.batch_id = s.batch_id AND h.id != ?1)
	AND NOT EXISTS (SELECT 1 FROM folder_members m WHERE m.added_folder = s.added_folder
		AND m.batch_id = s.batch_id AND m.history_id >= 0 AND m.history_id != ?1)
	AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.batch_id = s.batch_id
		AND jobs.beneath = s.added_folder AND ` + droppedSQL + `)`
	forget := `DELETE FROM folder_shares WHERE seq IN (
	SELECT s.seq FROM history e JOIN folder_shares s ON s.added_folder = e.added_folder AND s.batch_id = e.batch_id
		WHERE e.id = ?1 AND e.added_folder != '' AND ` + holdsNothingElse + `
	UNION ALL SELECT s.seq FROM folder_members f JOIN folder_shares s ON s.added_folder = f.added_folder AND s.batch_id = f.batch_id
		WHERE f.history_id = ?1 AND ` + holdsNothingElse + `)`
	tx, err := d.w.Begin()
	require.NoError(t, err)
	var n int64
	for _, id := range ids {
		_, err := tx.Exec(forget, id)
		require.NoError(t, err)
		k, err := rowsTouched(tx.Exec(`DELETE FROM history WHERE id = ?`, id))
		require.NoError(t, err)
		n += k
	}
	require.NoError(t, tx.Commit())
	return int(n)
}

// buildRandomShares fills d with a random history of folder shares (seed
// rng): uploads, files found already uploaded, failed, unreadable,
// skipped links, files left to a job still queued, plain uploads; it
// returns every entry's id.
func buildRandomShares(t *testing.T, d *DB, rng *rand.Rand) []int64 {
	var ids []int64
	jobs := 0
	for fi, folder := range []string{"/home/someone/trip", "/home/someone/work", "/srv/x"} {
		f := &shareFixture{t: t, d: d, folder: filepath.FromSlash(folder), n: fi * 1000}
		var mine []int64
		var queued []string
		for b := range 2 + rng.IntN(4) {
			batch := fmt.Sprintf("b%d-%d", fi, b)
			var rows []JobRow
			for range rng.IntN(4) {
				jobs++
				name := filepath.Join(f.folder, fmt.Sprintf("f%d.jpg", jobs))
				id := fmt.Sprintf("job-%d", jobs)
				switch rng.IntN(5) {
				case 0:
					if len(mine) > 0 {
						rows = append(rows, JobRow{ID: id, LocalPath: name, State: JobAlready, Hash: "Qm", Verified: true, Found: mine[rng.IntN(len(mine))]})
					}
				case 1:
					rows = append(rows, JobRow{ID: id, LocalPath: name, State: JobFailed})
				case 2:
					rows = append(rows, JobRow{ID: id, LocalPath: name, State: JobSkipped, Reason: "file-denied"})
				case 3:
					rows = append(rows, JobRow{ID: id, LocalPath: name, State: JobSkipped, Reason: "symlink"})
				case 4:
					rows = append(rows, JobRow{ID: id, LocalPath: name})
					queued = append(queued, id)
				}
			}
			f.listed(batch, rows...)
			if len(queued) > 0 && rng.IntN(3) == 0 {
				require.NoError(t, d.InsertListing(nil, []LeftFile{{JobID: queued[rng.IntN(len(queued))], Folder: f.folder, BatchID: batch}}))
			}
			for range rng.IntN(4) {
				id := f.uploaded(batch, fmt.Sprintf("u%d.jpg", f.n))
				mine = append(mine, id)
				ids = append(ids, id)
			}
		}
	}
	for i := range rng.IntN(5) {
		id, err := d.AddHistory(sampleEntry(5000 + i))
		require.NoError(t, err)
		ids = append(ids, id)
	}
	return ids
}

// tablesOf is every row of the tables a delete touches, as text.
func tablesOf(t *testing.T, d *DB) []string {
	var out []string
	for _, q := range []string{
		`SELECT 'history', id, added_folder, batch_id FROM history ORDER BY id`,
		`SELECT 'share', seq, added_folder, batch_id, listing_end FROM folder_shares ORDER BY seq`,
		`SELECT 'member', seq, job_id, added_folder, batch_id, history_id FROM folder_members ORDER BY seq`,
		`SELECT 'jobs', id, batch_id, state FROM jobs ORDER BY id`,
		`SELECT 'stats', entries FROM history_stats`,
	} {
		rows, err := d.r.Query(q)
		require.NoError(t, err, q)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			require.NoError(t, rows.Scan(p...))
			out = append(out, fmt.Sprint(v...))
		}
		require.NoError(t, rows.Err())
		require.NoError(t, rows.Close())
	}
	return out
}

// withDeleteBatch makes DeleteHistoryIDs delete n entries a transaction
// until the test ends.
func withDeleteBatch(t *testing.T, n int) {
	was := deleteBatch
	deleteBatch = n
	t.Cleanup(func() { deleteBatch = was })
}

// TestDeleteSelectedAsOneByOne: DeleteHistoryIDs, in batches of a
// statement for their entries and one for the shares they empty, leaves
// every table as deleting them one at a time did (deleteEntriesOneByOne):
// random histories of folder shares, random selections (in any order, an
// id twice, an id not there), in batches of 1 to 4 entries or all at
// once, so a share's entries span batches: it is forgotten at the batch
// that empties it, not before, not never.
func TestDeleteSelectedAsOneByOne(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	for round := range 16 {
		rng := rand.New(rand.NewPCG(uint64(seed), uint64(round)))
		withDeleteBatch(t, []int{1, 2, 3, 4, 1000}[rng.IntN(5)])
		old, now := openTestDB(t), openTestDB(t)
		picked := randomSelection(t, old, now, uint64(seed), round, rng)
		if len(picked) > 0 && rng.IntN(2) == 0 {
			picked = append(picked, picked[0], 999_999)
		}
		want := deleteEntriesOneByOne(t, old, picked)
		got, err := now.DeleteHistoryIDs(t.Context(), picked)
		require.NoError(t, err)
		assert.Equal(t, want, got, "round %d: entries deleted", round)
		assert.Equal(t, tablesOf(t, old), tablesOf(t, now), "round %d: deleting %v, %d a transaction", round, picked, deleteBatch)
	}
}

// randomSelection builds alike a random history of folder shares in old
// and now (buildRandomShares of seed and round, and plain entries up to 8
// at least), and picks a random selection of it (rng), shuffled, every id
// there.
func randomSelection(t *testing.T, old, now *DB, seed uint64, round int, rng *rand.Rand) []int64 {
	var ids []int64
	for _, d := range []*DB{old, now} {
		got := buildRandomShares(t, d, rand.New(rand.NewPCG(seed, uint64(round)+1000)))
		for i := len(got); i < 8; i++ {
			id, err := d.AddHistory(sampleEntry(6000 + i))
			require.NoError(t, err)
			got = append(got, id)
		}
		require.True(t, ids == nil || slices.Equal(ids, got), "built alike")
		ids = got
	}
	require.Equal(t, tablesOf(t, old), tablesOf(t, now), "built alike")
	var picked []int64
	for _, id := range ids {
		if rng.IntN(3) > 0 {
			picked = append(picked, id)
		}
	}
	rng.Shuffle(len(picked), func(i, j int) { picked[i], picked[j] = picked[j], picked[i] })
	return picked
}

// TestDeleteSelectedStoppedByAnErrorKeepsTheBatchesBefore: an error in
// a batch of DeleteHistoryIDs (a trigger refuses to delete its first
// entry) leaves the batches before it deleted, with their shares
// forgotten as deleting those entries one at a time did, and the rest of
// the selection in the history; the count it returns is what was
// deleted, and deleting the selection again deletes the rest.
func TestDeleteSelectedStoppedByAnErrorKeepsTheBatchesBefore(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	withDeleteBatch(t, 2)
	for round := range 8 {
		old, now := openTestDB(t), openTestDB(t)
		picked := randomSelection(t, old, now, uint64(seed), round, rand.New(rand.NewPCG(uint64(seed), uint64(round))))
		batches := deleteBatches(picked)
		if len(batches) < 2 {
			continue
		}
		k := 1 + rand.New(rand.NewPCG(uint64(seed), uint64(round)+2000)).IntN(len(batches)-1)
		_, err := now.w.Exec(fmt.Sprintf(`CREATE TRIGGER delete_refused BEFORE DELETE ON history WHEN old.id = %d
			BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, batches[k][0]))
		require.NoError(t, err)

		want := deleteEntriesOneByOne(t, old, slices.Concat(batches[:k]...))
		got, err := now.DeleteHistoryIDs(t.Context(), picked)
		require.ErrorContains(t, err, "refused by the test", "round %d", round)
		assert.Equal(t, want, got, "round %d: the entries of the %d batches before the error are said deleted", round, k)
		assert.Equal(t, tablesOf(t, old), tablesOf(t, now), "round %d: deleting %v stopped at batch %d", round, picked, k+1)

		_, err = now.w.Exec(`DROP TRIGGER delete_refused`)
		require.NoError(t, err)
		want = deleteEntriesOneByOne(t, old, slices.Concat(batches[k:]...))
		got, err = now.DeleteHistoryIDs(t.Context(), picked)
		require.NoError(t, err)
		assert.Equal(t, want, got, "round %d: deleted again, the rest", round)
		assert.Equal(t, tablesOf(t, old), tablesOf(t, now), "round %d: deleted again", round)
	}
}

// TestDeleteSelectedStopsBetweenBatchesWhenCanceled: a quit (its context
// canceled) during DeleteHistoryIDs stops it after the batch in flight,
// instead of holding the quit until the whole selection is deleted: that
// batch stays deleted, the rest stays in the list, and the count says so.
func TestDeleteSelectedStopsBetweenBatchesWhenCanceled(t *testing.T) {
	const n = 40
	withDeleteBatch(t, 10)
	d := openTestDB(t)
	fillHistory(t, d, n)
	ids := make([]int64, 0, n)
	for id := int64(1); id <= n; id++ {
		ids = append(ids, id)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	batches := 0
	afterDeleteBatch = func(int, time.Duration) {
		if batches++; batches == 2 {
			cancel() // the quit, during the second batch
		}
	}
	t.Cleanup(func() { afterDeleteBatch = nil })
	got, err := d.DeleteHistoryIDs(ctx, ids)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, batches, "no batch after the quit")
	assert.Equal(t, 20, got, "the two batches deleted")
	assertHistoryCount(t, d, "", n-20, "the rest stays")
	page, err := d.HistoryPage(HistoryQuery{Limit: n})
	require.NoError(t, err)
	require.Len(t, page, n-20)
	assert.EqualValues(t, n-20, page[0].ID, "the newest went first")
}

// TestDeleteSelectedShowsEachBatch: DeleteHistoryIDsShowing tells its
// progress after each committed batch (entries deleted so far, ids to
// delete each once, an id no longer there counted in them but not
// deleted), and a stop asked for in it (the window's Stop) ends the
// delete before the next batch, whatever the pause between two.
func TestDeleteSelectedShowsEachBatch(t *testing.T) {
	const n = 45
	withDeleteBatch(t, 10)
	d := openTestDB(t)
	fillHistory(t, d, n)
	ids := []int64{999_999} // not there: the first batch deletes 9
	for id := int64(1); id <= n; id++ {
		ids = append(ids, id, id%3+1)
	}
	type step struct{ deleted, total int }
	var steps []step
	got, err := d.DeleteHistoryIDsShowing(t.Context(), ids, func(deleted, total int) {
		steps = append(steps, step{deleted, total})
	})
	require.NoError(t, err)
	assert.Equal(t, n, got)
	assert.Equal(t, []step{{9, 46}, {19, 46}, {29, 46}, {39, 46}, {45, 46}}, steps)
	assertHistoryCount(t, d, "", 0, "all deleted")

	fillHistory(t, d, n)
	page, err := d.HistoryPage(HistoryQuery{Limit: n})
	require.NoError(t, err)
	ids = ids[:0]
	for _, e := range page {
		ids = append(ids, e.ID)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	steps = nil
	got, err = d.DeleteHistoryIDsShowing(ctx, ids, func(deleted, total int) {
		steps = append(steps, step{deleted, total})
		cancel() // Stop, after the first batch
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 10, got)
	assert.Equal(t, []step{{10, n}}, steps, "no batch after the stop")
	assertHistoryCount(t, d, "", n-10, "the rest stays")
}
