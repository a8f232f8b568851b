package storage

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// v2Schema is a frozen copy of the version-2 schema (version 1 plus
// history.search_text and the indexes), written out by hand like v1Schema.
const v2Schema = `
CREATE TABLE history (` + v1HistoryColumns + `, search_text TEXT NOT NULL DEFAULT '');
` + v1JobsAndSettings + `CREATE INDEX history_newest ON history (finished_at, id, search_text);
CREATE INDEX jobs_state ON jobs (state, seq);
CREATE INDEX jobs_batch ON jobs (batch_id);
PRAGMA user_version = 2;
`

func TestMigrateFromVersion2KeepsDataAndAddsWalks(t *testing.T) {
	d := openMigrated(t, v2Schema,
		`INSERT INTO history (job_id, name, hash, comment, folder_path, finished_at, verified, parent_id, search_text)
		VALUES ('old-job', 'Report.pdf', 'QmOldHash', 'Quarterly', '/Docs/2024', 100, 1, 7, 'report.pdf qmoldhash quarterly /docs/2024')`,
		`INSERT INTO jobs (id, batch_id, env, account, local_path, state, name, created_at, updated_at)
		VALUES ('old-job', 'b1', 'testnet', 'a@example.com', '/d/Report.pdf', 'done', 'Report.pdf', 1, 2),
		       ('pending', 'b1', 'testnet', 'a@example.com', '/d/big.iso', 'uploading', 'big.iso', 3, 3)`,
		`INSERT INTO settings (key, value) VALUES ('app', '{"concurrency": 5}')`)

	page, err := d.HistoryPage(HistoryQuery{Search: "quarterly"})
	require.NoError(t, err)
	require.Len(t, page, 1, "history kept, still searchable (the trigram index was built for it)")
	assertHistoryCount(t, d, "", 1, "the stored count starts from the rows already there")
	assert.Equal(t, "old-job", page[0].JobID)
	assert.Empty(t, page[0].ServerName, "entries from before version 4 have no server name")

	jobs, err := d.Jobs()
	require.NoError(t, err)
	require.Len(t, jobs, 2)
	assert.Equal(t, []string{"old-job", "pending"}, []string{jobs[0].ID, jobs[1].ID})
	assert.Equal(t, "b1", jobs[1].BatchID)

	s, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, 5, s.Concurrency)

	// The new table starts empty and works.
	walks, err := d.Walks("testnet", "a@example.com")
	require.NoError(t, err)
	assert.Empty(t, walks)
	require.NoError(t, d.InsertWalks([]WalkRow{{BatchID: "b1", Env: "testnet", Account: "a@example.com", Path: "/d"}}))
	walks, err = d.Walks("testnet", "a@example.com")
	require.NoError(t, err)
	require.Len(t, walks, 1)
	assert.Equal(t, "/d", walks[0].Path)
}

func TestWalksRoundTripInOrderPerAccount(t *testing.T) {
	d := openTestDB(t)
	parent := int64(42)
	given := time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC)
	rows := []WalkRow{
		{BatchID: "b1", Env: "testnet", Account: "a@example.com", Path: "/home/a/photos", FolderPath: "/backup/", Comment: "trip"},
		{ID: "fixed", BatchID: "b1", Env: "testnet", Account: "a@example.com", Path: "/home/a/x.txt", ParentID: &parent, CreatedAt: given},
		{BatchID: "b2", Env: "production", Account: "a@example.com", Path: "/elsewhere"},
		{BatchID: "b3", Env: "testnet", Account: "b@example.com", Path: "/other-account"},
	}
	require.NoError(t, d.InsertWalks(rows))
	for _, r := range rows {
		if r.ID != "fixed" {
			_, err := uuid.Parse(r.ID)
			assert.NoError(t, err, "a UUID was filled in, in place")
		}
		assert.False(t, r.CreatedAt.IsZero())
	}
	// A later batch of the first account comes after the first.
	later := []WalkRow{{BatchID: "b4", Env: "testnet", Account: "a@example.com", Path: "/later"}}
	require.NoError(t, d.InsertWalks(later))

	got, err := d.Walks("testnet", "a@example.com")
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, rows[0], got[0], "round trip")
	assert.Equal(t, rows[1], got[1])
	assert.Equal(t, given, got[1].CreatedAt)
	require.NotNil(t, got[1].ParentID)
	assert.Equal(t, int64(42), *got[1].ParentID)
	assert.Equal(t, later[0], got[2], "in the order saved")

	other, err := d.Walks("testnet", "b@example.com")
	require.NoError(t, err)
	require.Len(t, other, 1, "only the account's own walks")
	assert.Equal(t, "/other-account", other[0].Path)

	n, err := d.DeleteWalks(rows[0].ID, "fixed", "no-such-walk")
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	n, err = d.DeleteWalks(rows[0].ID)
	require.NoError(t, err)
	assert.Zero(t, n, "deleting twice is harmless")
	n, err = d.DeleteWalks()
	require.NoError(t, err)
	assert.Zero(t, n)
	got, err = d.Walks("testnet", "a@example.com")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, "/later", got[0].Path)
}

func TestInsertWalksIsAllOrNothing(t *testing.T) {
	d := openTestDB(t)
	require.NoError(t, d.InsertWalks([]WalkRow{{ID: "dup", BatchID: "b", Path: "/a"}}))
	err := d.InsertWalks([]WalkRow{{BatchID: "b", Path: "/b"}, {ID: "dup", BatchID: "b", Path: "/c"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dup")
	got, err := d.Walks("", "")
	require.NoError(t, err)
	require.Len(t, got, 1, "the failed call stored nothing")

	var inv *InvalidArgumentError
	require.ErrorAs(t, d.InsertWalks([]WalkRow{{Path: "/no-batch"}}), &inv)
	require.NoError(t, d.InsertWalks(nil))
}

func TestWalksSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	rows := make([]WalkRow, 3)
	for i := range rows {
		rows[i] = WalkRow{BatchID: "b", Env: "e", Account: "a", Path: fmt.Sprintf("/p%d", i)}
	}
	require.NoError(t, d.InsertWalks(rows))
	require.NoError(t, d.Close())

	d, err = Open(dir)
	require.NoError(t, err)
	defer d.Close()
	got, err := d.Walks("e", "a")
	require.NoError(t, err)
	assert.Equal(t, rows, got)
}

// Walks added before any sign-in (no account) are listed on their own, in
// order and whatever environment their launch named, and never among an
// account's.
func TestWalksBeforeSignIn(t *testing.T) {
	d := openTestDB(t)
	rows := []WalkRow{
		{BatchID: "b1", Path: "/dropped"},
		{BatchID: "b2", Env: "testnet", Account: "a@example.com", Path: "/queued"},
		{BatchID: "b3", Env: "sandbox", Path: "/opened-with"},
	}
	require.NoError(t, d.InsertWalks(rows))
	got, err := d.WalksBeforeSignIn()
	require.NoError(t, err)
	assert.Equal(t, []WalkRow{rows[0], rows[2]}, got)
	acct, err := d.Walks("sandbox", "")
	require.NoError(t, err)
	assert.Equal(t, []WalkRow{rows[2]}, acct, "Walks is by environment and account, as before")

	_, err = d.DeleteWalks(rows[0].ID)
	require.NoError(t, err)
	got, err = d.WalksBeforeSignIn()
	require.NoError(t, err)
	assert.Equal(t, []WalkRow{rows[2]}, got)
}
