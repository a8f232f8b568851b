package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderShares records two uploads of one folder, another folder and a
// file added on its own, and reads each share back whole: its own files,
// newest first, and the folder's newest share.
func TestFolderShares(t *testing.T) {
	d := openTestDB(t)
	var entries []HistoryEntry
	add := func(folder, batch string) HistoryEntry {
		e := sampleEntry(len(entries))
		e.AddedFolder, e.BatchID = folder, batch
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		e.ID = id
		entries = append(entries, e)
		return e
	}
	first := []HistoryEntry{add("/home/someone/Pictures", "b1"), add("/home/someone/Pictures", "b1")}
	add("/home/someone/Other", "b1")
	alone := add("", "b1")
	second := []HistoryEntry{add("/home/someone/Pictures", "b2")}
	first = append(first, add("/home/someone/Pictures", "b1")) // a retry finished late

	got, err := d.HistoryOfFolder(FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"})
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, want := range []HistoryEntry{first[2], first[1], first[0]} {
		assert.Equal(t, want.ID, got[i].ID, "newest first")
		k, ok := got[i].Folder()
		assert.True(t, ok)
		assert.Equal(t, FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}, k)
	}
	got, err = d.HistoryOfFolder(FolderKey{Folder: "/home/someone/Pictures", BatchID: "b2"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, second[0].ID, got[0].ID)

	back, err := d.HistoryByID(alone.ID)
	require.NoError(t, err)
	_, ok := back.Folder()
	assert.False(t, ok, "a file added on its own is in no folder share")

	k, err := d.NewestFolderShare("/home/someone/Pictures")
	require.NoError(t, err)
	assert.Equal(t, "b1", k.BatchID, "b1's late retry is the newest entry of the folder")
	_, err = d.NewestFolderShare("/home/someone/Nothing")
	assert.ErrorIs(t, err, ErrNotFound)

	pictures := FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}
	total, err := d.FolderTotalAfter(pictures, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, total.Files)
	assert.Equal(t, first[0].Size+first[1].Size+first[2].Size, total.Size)
	assert.True(t, first[2].FinishedAt.Equal(total.Newest), "the late retry finished last")
	assert.Equal(t, first[2].ID, total.LastID)
	more, err := d.FolderTotalAfter(pictures, first[0].ID)
	require.NoError(t, err)
	assert.Equal(t, 2, more.Files, "counted on after the first")
	assert.Equal(t, total, FolderTotal{Files: 1, Size: first[0].Size, Newest: first[0].FinishedAt, LastID: first[0].ID}.Plus(more).withUTC(total))
	total, err = d.FolderTotalAfter(FolderKey{Folder: "/home/someone/Nothing", BatchID: "b1"}, 0)
	require.NoError(t, err)
	assert.Equal(t, FolderTotal{}, total, "no upload: zero")
	total, err = d.FolderTotalAfter(FolderKey{BatchID: "b1"}, 0)
	require.NoError(t, err)
	assert.Equal(t, FolderTotal{}, total, "files added on their own are no folder share")
}

// withUTC is t with Newest in like's location, to compare the two.
func (t FolderTotal) withUTC(like FolderTotal) FolderTotal {
	t.Newest = t.Newest.In(like.Newest.Location())
	return t
}

// BenchmarkFolderTotal100k counts a folder share of 100,000 uploads:
// whole (a window's first page that shows it), and on from its last count
// after 100 more (each page after uploads finished).
func BenchmarkFolderTotal100k(b *testing.B) {
	d := openTestDB(b)
	const n = 100_000
	k := FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}
	es := make([]HistoryEntry, 0, 10_000)
	for i := range n {
		e := sampleEntry(i)
		e.AddedFolder, e.BatchID = k.Folder, k.BatchID
		if es = append(es, e); len(es) == cap(es) {
			require.NoError(b, d.insertHistoryBatch(es))
			es = es[:0]
		}
	}
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if total, err := d.FolderTotalAfter(k, 0); err != nil || total.Files != n {
				b.Fatal(total, err)
			}
		}
	})
	b.Run("100 more", func(b *testing.B) {
		for b.Loop() {
			if total, err := d.FolderTotalAfter(k, n-100); err != nil || total.Files != 100 {
				b.Fatal(total, err)
			}
		}
	})
}
