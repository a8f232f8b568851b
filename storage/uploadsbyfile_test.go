package storage

import (
	"testing"

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
