package storage

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shareFixture builds the shares of one folder for
// TestAFolderAddWhoseFilesAreAllDeletedIsNoLongerItsLatest.
type shareFixture struct {
	t      *testing.T
	d      *DB
	folder string
	n      int // entries made so far
}

// listed records that the Add call batch listed the folder, saving rows.
func (f *shareFixture) listed(batch string, rows ...JobRow) {
	for i := range rows {
		rows[i].BatchID, rows[i].Env, rows[i].Account, rows[i].Beneath = batch, "testnet", "someone@example.com", f.folder
	}
	require.NoError(f.t, f.d.InsertListing(rows, nil, FolderKey{Folder: f.folder, BatchID: batch}))
}

// uploaded records an upload of file name by the Add call batch.
func (f *shareFixture) uploaded(batch, name string) int64 {
	f.n++
	e := sampleEntry(f.n)
	e.LocalPath, e.AddedFolder, e.BatchID = filepath.Join(f.folder, name), f.folder, batch
	id, err := f.d.AddHistory(e)
	require.NoError(f.t, err)
	return id
}

// TestAFolderAddWhoseFilesAreAllDeletedIsNoLongerItsLatest: an Add call
// of a folder whose every file is deleted from the history (its own
// uploads, and the earlier uploads it found) is no longer the folder's
// latest upload: the one before it is, or none. It held files, so it is
// not an add that found none to upload (d0e4b19), which history --folder
// says of the folder's latest share holding no file: that the folder was
// empty, with exit 0. An add that still lacks a file (failed, or left to
// a job still waiting) stays the latest, saying what it lacks, as does an
// add that found no file.
func TestAFolderAddWhoseFilesAreAllDeletedIsNoLongerItsLatest(t *testing.T) {
	tests := []struct {
		name   string
		build  func(f *shareFixture) (deleted []int64)
		newest string // "": none
		left   FolderLeft
	}{
		{"its only add's uploads deleted", func(f *shareFixture) []int64 {
			f.listed("b1")
			return []int64{f.uploaded("b1", "a.jpg"), f.uploaded("b1", "b.jpg")}
		}, "", FolderLeft{}},
		{"a later add's uploads deleted", func(f *shareFixture) []int64 {
			f.listed("b1")
			f.uploaded("b1", "a.jpg")
			f.listed("b2")
			return []int64{f.uploaded("b2", "a.jpg"), f.uploaded("b2", "c.jpg")}
		}, "b1", FolderLeft{}},
		{"the uploads a later add found deleted", func(f *shareFixture) []int64 {
			f.listed("b1")
			a := f.uploaded("b1", "a.jpg")
			f.listed("b2", JobRow{LocalPath: filepath.Join(f.folder, "a.jpg"), State: JobAlready, Hash: "Qm", Verified: true, Found: a})
			return []int64{a}
		}, "", FolderLeft{}},
		{"a later add's upload deleted, its other file failed", func(f *shareFixture) []int64 {
			f.listed("b1")
			f.uploaded("b1", "a.jpg")
			f.listed("b2", JobRow{LocalPath: filepath.Join(f.folder, "d.jpg"), State: JobFailed})
			return []int64{f.uploaded("b2", "c.jpg")}
		}, "b2", FolderLeft{BatchLeft: BatchLeft{Failed: 1}}},
		{"a later add's upload deleted, its other file left to a job still queued", func(f *shareFixture) []int64 {
			f.listed("b1", JobRow{ID: "j1", LocalPath: filepath.Join(f.folder, "e.jpg")})
			f.uploaded("b1", "a.jpg")
			require.NoError(t, f.d.InsertListing(nil, []LeftFile{{JobID: "j1", Folder: f.folder, BatchID: "b2"}}))
			return []int64{f.uploaded("b2", "c.jpg")}
		}, "b2", FolderLeft{Waiting: 1}},
		{"a later add's upload deleted, its other file could not be read", func(f *shareFixture) []int64 {
			f.listed("b1")
			f.uploaded("b1", "a.jpg")
			f.listed("b2", JobRow{LocalPath: filepath.Join(f.folder, "d.jpg"), State: JobSkipped, Reason: "file-denied"})
			return []int64{f.uploaded("b2", "c.jpg")}
		}, "b2", FolderLeft{Dropped: 1}},
		{"a later add's upload deleted, its other entry a link, skipped", func(f *shareFixture) []int64 {
			f.listed("b1")
			f.uploaded("b1", "a.jpg")
			f.listed("b2", JobRow{LocalPath: filepath.Join(f.folder, "l.jpg"), State: JobSkipped, Reason: "symlink"})
			return []int64{f.uploaded("b2", "c.jpg")}
		}, "b1", FolderLeft{}},
		{"an earlier add's uploads deleted, a later add found no file", func(f *shareFixture) []int64 {
			f.listed("b1")
			a := f.uploaded("b1", "a.jpg")
			f.listed("b2")
			return []int64{a}
		}, "b2", FolderLeft{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, one := range []bool{false, true} {
				f := &shareFixture{t: t, d: openTestDB(t), folder: filepath.FromSlash("/home/someone/trip")}
				deleted := tt.build(f)
				if one { // DeleteHistory, one at a time
					for _, id := range deleted {
						require.NoError(t, f.d.DeleteHistory(id))
					}
				} else {
					n, err := f.d.DeleteHistoryIDs(t.Context(), deleted)
					require.NoError(t, err)
					require.Equal(t, len(deleted), n, "entries deleted")
				}
				k, err := f.d.NewestFolderShare(f.folder)
				if tt.newest == "" {
					require.ErrorIs(t, err, ErrNotFound, "one at a time: %v; newest: %+v", one, k)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, FolderKey{Folder: f.folder, BatchID: tt.newest}, k, "one at a time: %v", one)
				left, err := f.d.FolderLeftOf(k)
				require.NoError(t, err)
				assert.Equal(t, tt.left, left, "one at a time: %v", one)
			}
		})
	}
}
