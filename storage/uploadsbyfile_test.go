package storage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadsByFile: the uploads to one environment, by any account, are
// found by the file identity they recorded, with the path each recorded;
// those of another environment, and those that recorded no identity, are
// not. NewestOf picks the newest of some, leaving out one deleted.
func TestUploadsByFile(t *testing.T) {
	d := openTestDB(t)
	add := func(env, account, path, fileID string, finished int) int64 {
		e := sampleEntry(finished)
		e.JobID, e.Env, e.Account, e.LocalPath = "", env, account, path
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		_, err = d.w.Exec(`UPDATE history SET file_id = ? WHERE id = ?`, fileID, id)
		require.NoError(t, err)
		return id
	}
	old := add("testnet", "a@example.com", "/link/docs/a.txt", "1:7", 1)
	newer := add("testnet", "b@example.com", "/data/docs/a.txt", "1:7", 2)
	add("production", "a@example.com", "/link/docs/a.txt", "1:7", 3)
	add("testnet", "a@example.com", "/link/docs/b.txt", "1:8", 4)
	add("testnet", "a@example.com", "/old/a.txt", "", 5)

	by, err := d.UploadsByFile("testnet")
	require.NoError(t, err)
	assert.Equal(t, map[string][]FileUpload{
		"1:7": {{ID: old, LocalPath: "/link/docs/a.txt"}, {ID: newer, LocalPath: "/data/docs/a.txt"}},
		"1:8": {{ID: old + 3, LocalPath: "/link/docs/b.txt"}},
	}, by)

	for id, want := range by {
		got, err := d.UploadsOfFile("testnet", id)
		require.NoError(t, err)
		assert.Equal(t, want, got, id)
	}
	none, err := d.UploadsOfFile("testnet", "")
	require.NoError(t, err)
	assert.Empty(t, none, "no identity recorded is no file")

	e, ok, err := d.NewestOf(old, newer)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, newer, e.ID)
	require.NoError(t, d.DeleteHistory(newer))
	e, ok, err = d.NewestOf(old, newer)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, old, e.ID)
	_, ok, err = d.NewestOf()
	require.NoError(t, err)
	assert.False(t, ok)

	tie := sampleEntry(1)
	tie.JobID = ""
	same, err := d.AddHistory(tie)
	require.NoError(t, err)
	e, ok, err = d.NewestOf(same, old)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, same, e.ID, "finished at the same instant: the higher id, as newestFirst")
}

// BenchmarkUploadsByFile100k measures verify's two lookups by file
// identity on a history of 100,000 uploads, each with its identity: the
// map of all (UploadsByFile) and the uploads of one file (UploadsOfFile).
//
//	go test -run x -bench UploadsByFile100k -benchtime 10x ./storage/
func BenchmarkUploadsByFile100k(b *testing.B) {
	d := openTestDB(b)
	fillHistory(b, d, 100_000)
	_, err := d.w.Exec(`UPDATE history SET file_id = '2049:' || id`)
	require.NoError(b, err)
	b.Run("All", func(b *testing.B) {
		for b.Loop() {
			if by, err := d.UploadsByFile("testnet"); err != nil || len(by) != 100_000 {
				b.Fatal(err, len(by))
			}
		}
	})
	b.Run("One", func(b *testing.B) {
		for b.Loop() {
			if ups, err := d.UploadsOfFile("testnet", "2049:5000"); err != nil || len(ups) != 1 {
				b.Fatal(err, len(ups))
			}
		}
	})
}

// manyUploads is more uploads of one file than SQLite binds variables in
// one statement (SQLITE_MAX_VARIABLE_NUMBER, 32,766 as modernc.org/sqlite
// builds it): a file a script uploads every minute for a month.
const manyUploads = 40_000

// seedUploads adds n uploads in one transaction, the one at newest
// finished last, and returns their ids, shuffled by rng, with an id that
// is no entry's.
func seedUploads(tb testing.TB, d *DB, n, newest int, rng *rand.Rand) []int64 {
	tb.Helper()
	entries := make([]HistoryEntry, n)
	for i := range entries {
		entries[i] = sampleEntry(i)
	}
	entries[newest].FinishedAt = baseTime.Add(time.Duration(n) * time.Hour)
	require.NoError(tb, d.insertHistoryBatch(entries))
	var ids []int64
	require.NoError(tb, eachRow(d.r, func(sc rowScanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, func(id int64) error { ids = append(ids, id); return nil }, `SELECT id FROM history`))
	require.Len(tb, ids, n)
	ids = append(ids, slices.Max(ids)+1)
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	return ids
}

// TestNewestOfManyUploads: verify's pick among the uploads of one file
// (NewestOf) uploaded more times than one statement binds variables is
// the newest of them all, then the next once it is deleted; not "too
// many SQL variables", nor an error that names every id.
func TestNewestOfManyUploads(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	newest := rng.IntN(manyUploads)
	next := manyUploads - 1
	if newest == next {
		next--
	}
	d := openTestDB(t)
	ids := seedUploads(t, d, manyUploads, newest, rng)

	e, ok, err := d.NewestOf(ids...)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, sampleEntry(newest).JobID, e.JobID, "the newest of %d", len(ids))
	require.NoError(t, d.DeleteHistory(e.ID))
	e, ok, err = d.NewestOf(ids...)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, sampleEntry(next).JobID, e.JobID, "the newest left")

	require.NoError(t, d.Close())
	_, _, err = d.NewestOf(ids...)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200, "says how many, not each id: %.200s…", err)
}

// BenchmarkNewestOf measures verify's pick among the uploads of one file
// (NewestOf) of 10 uploads, and of 30,000 and 40,000 (about and over
// what one statement binds) in a history of 40,000.
//
//	go test -run x -bench NewestOf -benchtime 20x ./storage/
func BenchmarkNewestOf(b *testing.B) {
	seed := rand.Uint64()
	b.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	d := openTestDB(b)
	all := seedUploads(b, d, manyUploads, rng.IntN(manyUploads), rng)
	for _, n := range []int{10, 30_000, manyUploads} {
		b.Run(fmt.Sprintf("ids=%d", n), func(b *testing.B) {
			ids := all[:n]
			for b.Loop() {
				_, ok, err := d.NewestOf(ids...)
				if err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}
