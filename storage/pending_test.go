package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPendingOfOthers counts, per other account and environment, the
// uploads still to do (queued, interrupted, waiting for a sign-in) and the
// folders still to list: not the account asking (on its environment), not
// what is finished or failed, not the window's files of no account.
func TestPendingOfOthers(t *testing.T) {
	d := openTestDB(t)
	job := func(id, env, account string) JobRow {
		return JobRow{ID: id, BatchID: "b", Env: env, Account: account, LocalPath: "/f/" + id, Name: id}
	}
	rows := []JobRow{
		job("a1", "testnet", "a@example.com"), // the account asking
		job("b1", "testnet", "b@example.com"),
		job("b2", "testnet", "b@example.com"),
		job("b3", "testnet", "b@example.com"),
		job("b4", "testnet", "b@example.com"),
		job("k1", "testnet", "key-account-id"),
		job("p1", "production", "b@example.com"), // another environment
		job("p2", "production", "a@example.com"), // the asking account, elsewhere
		job("n1", "testnet", ""),                 // before any sign-in
	}
	require.NoError(t, d.InsertJobs(rows))
	for _, c := range []struct {
		id    string
		state JobState
	}{{"b2", JobWaitingSignIn}, {"b3", JobFailed}, {"b4", JobDone}, {"k1", JobUploading}} {
		require.NoError(t, d.UpdateJob(c.id, c.state, 1, ""))
	}
	require.NoError(t, d.InsertWalks([]WalkRow{
		{BatchID: "w", Env: "testnet", Account: "c@example.com", Path: "/c"},
		{BatchID: "w", Env: "testnet", Account: "c@example.com", Path: "/c2"},
		{BatchID: "w", Env: "testnet", Account: "b@example.com", Path: "/b"},
		{BatchID: "w", Env: "testnet", Account: "a@example.com", Path: "/a"},
		{BatchID: "w", Env: "testnet", Account: "", Path: "/n"},
	}))

	got, err := d.PendingOfOthers("testnet", "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, []AccountPending{
		{Env: "production", Account: "a@example.com", Jobs: 1},
		{Env: "production", Account: "b@example.com", Jobs: 1},
		{Env: "testnet", Account: "b@example.com", Jobs: 2, Walks: 1},
		{Env: "testnet", Account: "c@example.com", Jobs: 0, Walks: 2},
		{Env: "testnet", Account: "key-account-id", Jobs: 1, Walks: 0},
	}, got)

	got, err = d.PendingOfOthers("production", "b@example.com")
	require.NoError(t, err)
	assert.NotContains(t, got, AccountPending{Env: "production", Account: "b@example.com", Jobs: 1}, "its own are not another's")
	assert.Len(t, got, 5)
}

// TestBatchLeftOf counts what one Add call has not uploaded of a folder:
// its files still to upload (queued, interrupted, waiting for a sign-in),
// those that failed, and whether it is still listing a folder; not its
// finished, canceled, skipped or already uploaded files, nor another
// batch's, nor those of another path named in the same call (a file
// named beside the folder, another folder). Of the folder's files, those
// canceled or skipped (for a reason that is no choice of the app's) are
// not uploaded all the same: the share counts them apart, as files it
// lacks for good (FolderLeftOf's Dropped).
func TestBatchLeftOf(t *testing.T) {
	d := openTestDB(t)
	job := func(id, batch, beneath string) JobRow {
		return JobRow{ID: id, BatchID: batch, Env: "testnet", Account: "a@example.com", LocalPath: "/dir/" + id, Name: id, Beneath: beneath}
	}
	var rows []JobRow
	states := map[string]JobState{"q": JobQueued, "u": JobUploading, "w": JobWaitingSignIn, "f": JobFailed,
		"d": JobDone, "c": JobCanceled, "s": JobSkipped, "a": JobAlready}
	for id := range states {
		rows = append(rows, job(id, "share", "/dir"))
	}
	rows = append(rows, job("other", "another", "/dir"), job("named", "share", ""), job("beside", "share", "/beside"))
	require.NoError(t, d.InsertJobs(rows))
	for id, st := range states {
		if st != JobQueued {
			require.NoError(t, d.UpdateJob(id, st, 1, ""))
		}
	}
	require.NoError(t, d.UpdateJob("named", JobFailed, 1, "does not exist"))
	left, err := d.BatchLeftOf(FolderKey{Folder: "/dir", BatchID: "share"})
	require.NoError(t, err)
	assert.Equal(t, BatchLeft{Pending: 3, Failed: 1}, left)
	assert.True(t, left.Any())
	share, err := d.FolderLeftOf(FolderKey{Folder: "/dir", BatchID: "share"})
	require.NoError(t, err)
	assert.Equal(t, FolderLeft{BatchLeft: left, Dropped: 2}, share, "its canceled and skipped files, apart")
	left, err = d.BatchLeftOf(FolderKey{Folder: "/beside", BatchID: "share"})
	require.NoError(t, err)
	assert.Equal(t, BatchLeft{Pending: 1}, left, "the other folder of the call: its own job alone")

	require.NoError(t, d.InsertWalks([]WalkRow{{BatchID: "listing", Env: "testnet", Account: "a@example.com", Path: "/dir"}}))
	left, err = d.BatchLeftOf(FolderKey{Folder: "/dir", BatchID: "listing"})
	require.NoError(t, err)
	assert.Equal(t, BatchLeft{Listing: true}, left)

	left, err = d.BatchLeftOf(FolderKey{Folder: "/dir", BatchID: "done"})
	require.NoError(t, err)
	assert.False(t, left.Any(), "nothing of a batch without jobs")
}
