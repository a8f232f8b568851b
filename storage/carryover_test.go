package storage

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseCarryingOver: the database file is deleted, or a backup put in
// its place, while the window uses it; an upload finishes that cannot be
// recorded. Closing with CloseCarryingOver writes that upload (hash, name,
// size, destination, comment) into the history at the path, and the jobs
// not uploaded and the folders not listed into its queue, once each; the
// restored file keeps what it held. A file still at its path is only
// closed.
func TestCloseCarryingOver(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete or replace a database file SQLite holds open")
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, path string)
		before int // history entries the file at the path had
	}{
		{"deleted", func(t *testing.T, path string) {
			require.NoError(t, os.Remove(path))
		}, 0},
		{"replaced", func(t *testing.T, path string) {
			backup := t.TempDir()
			b, err := Open(backup)
			require.NoError(t, err)
			_, err = b.AddHistory(HistoryEntry{Name: "old.txt", Hash: "QmOld", Size: 3})
			require.NoError(t, err)
			require.NoError(t, b.Close())
			data, err := os.ReadFile(filepath.Join(backup, DBFileName))
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(path+".restored", data, 0o600))
			require.NoError(t, os.Rename(path+".restored", path))
		}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := Open(dir)
			require.NoError(t, err)
			defer d.Close()
			jobs := []JobRow{
				{ID: "queued", LocalPath: "/f/q", Name: "q", Env: "e", Account: "a"},
				{ID: "sending", LocalPath: "/f/s", Name: "s", Env: "e", Account: "a", State: JobUploading},
				{ID: "failed", LocalPath: "/f/x", Name: "x", Env: "e", Account: "a", State: JobFailed, Error: "no"},
				{ID: "canceled", LocalPath: "/f/c", Name: "c", Env: "e", Account: "a", State: JobCanceled},
				{ID: "done", LocalPath: "/f/d", Name: "d", Env: "e", Account: "a", State: JobUploading},
				{ID: "lost", LocalPath: "/f/l", Name: "l.txt", Env: "e", Account: "a", State: JobUploading,
					FolderPath: "/kept/", Comment: "trip", BatchID: "b"},
			}
			require.NoError(t, d.InsertJobs(jobs))
			require.NoError(t, d.FinishJob(JobRow{ID: "done", Hash: "QmDone"}, HistoryEntry{Name: "d", Hash: "QmDone"}))
			require.NoError(t, d.InsertWalks([]WalkRow{{ID: "walk", BatchID: "b", Env: "e", Account: "a", Path: "/f/dir", Comment: "trip"}}))

			tc.change(t, d.Path())
			lost := JobFinish{Row: jobs[5], History: HistoryEntry{Env: "e", Account: "a", LocalPath: "/f/l", Name: "l.txt",
				Size: 5, Hash: "QmLost", Verified: true, FolderPath: "/kept/", Comment: "trip"}}
			lost.Row.State, lost.Row.Hash, lost.Row.Verified, lost.Row.Size = JobDone, "QmLost", true, 5
			_, finErrs := d.WriteJobs(nil, []JobFinish{lost})
			require.ErrorIs(t, finErrs[0], ErrDatabaseReplaced)

			n, err := d.CloseCarryingOver([]JobFinish{lost}, nil)
			require.NoError(t, err)
			assert.Equal(t, CarriedOver{Uploads: 1, Jobs: 3, Walks: 1}, n)

			at, err := Open(dir)
			require.NoError(t, err)
			defer at.Close()
			hist, err := at.HistoryPage(HistoryQuery{Limit: 10})
			require.NoError(t, err)
			require.Len(t, hist, tc.before+1, "the file there keeps its own history")
			h := hist[0]
			assert.Equal(t, "lost", h.JobID)
			assert.Equal(t, "QmLost", h.Hash)
			assert.Equal(t, "l.txt", h.Name)
			assert.Equal(t, int64(5), h.Size)
			assert.Equal(t, "/kept/", h.FolderPath)
			assert.Equal(t, "trip", h.Comment)
			rows, err := at.Jobs()
			require.NoError(t, err)
			states := map[string]JobState{}
			for _, r := range rows {
				states[r.ID] = r.State
			}
			assert.Equal(t, map[string]JobState{"queued": JobQueued, "sending": JobUploading, "failed": JobFailed, "lost": JobDone}, states)
			walks, err := at.Walks("e", "a")
			require.NoError(t, err)
			require.Len(t, walks, 1)
			assert.Equal(t, "/f/dir", walks[0].Path)
			require.NoError(t, at.Close())

			// Carried over to a file that has it all already (a copy of
			// itself put in its place): nothing is written twice.
			again, err := Open(dir)
			require.NoError(t, err)
			data, err := os.ReadFile(again.Path())
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(again.Path()+".copy", data, 0o600))
			require.NoError(t, os.Rename(again.Path()+".copy", again.Path()))
			n, err = again.CloseCarryingOver([]JobFinish{lost}, nil)
			require.NoError(t, err)
			assert.Equal(t, CarriedOver{Uploads: 1}, n, "the upload is in the history there; no job or folder is added twice")
			at, err = Open(dir)
			require.NoError(t, err)
			defer at.Close()
			hist, err = at.HistoryPage(HistoryQuery{Limit: 10})
			require.NoError(t, err)
			assert.Len(t, hist, tc.before+1, "recorded once")
			rows, err = at.Jobs()
			require.NoError(t, err)
			assert.Len(t, rows, 4)
		})
	}

	t.Run("still there", func(t *testing.T) {
		dir := t.TempDir()
		d, err := Open(dir)
		require.NoError(t, err)
		require.NoError(t, d.InsertJobs([]JobRow{{ID: "queued", LocalPath: "/f/q"}}))
		n, err := d.CloseCarryingOver([]JobFinish{{Row: JobRow{ID: "x"}, History: HistoryEntry{Hash: "QmX"}}}, nil)
		require.NoError(t, err)
		assert.Zero(t, n)
		at, err := Open(dir)
		require.NoError(t, err)
		defer at.Close()
		hist, err := at.HistoryPage(HistoryQuery{Limit: 10})
		require.NoError(t, err)
		assert.Empty(t, hist, "the history at the path is the one used: nothing is carried")
	})
}
