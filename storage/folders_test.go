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
}
