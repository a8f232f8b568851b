package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpenCreatesPrivateFilesInWALMode(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	d, err := Open(dir)
	require.NoError(t, err)
	defer func() { require.NoError(t, d.Close()) }()
	_, err = d.AddHistory(sampleEntry(1)) // make sure -wal has content
	require.NoError(t, err)

	assert.Equal(t, filepath.Join(dir, DBFileName), d.Path())
	assertPrivate(t, dir)
	for _, name := range []string{DBFileName, DBFileName + "-wal", DBFileName + "-shm"} {
		assertPrivate(t, filepath.Join(dir, name))
	}

	pragmas := []struct {
		pool *sql.DB
		name string
		want string
	}{
		{d.w, "journal_mode", "wal"},
		{d.w, "foreign_keys", "1"},
		{d.w, "synchronous", "1"}, // NORMAL
		{d.w, "busy_timeout", fmt.Sprint(busyTimeout.Milliseconds())},
		{d.w, "query_only", "0"},
		{d.r, "journal_mode", "wal"},
		{d.r, "foreign_keys", "1"},
		{d.r, "query_only", "1"},
		{d.r, "busy_timeout", fmt.Sprint(busyTimeout.Milliseconds())},
	}
	for _, p := range pragmas {
		var got string
		require.NoError(t, p.pool.QueryRow("PRAGMA "+p.name).Scan(&got), p.name)
		assert.Equal(t, p.want, got, p.name)
	}
	assert.Equal(t, 1, d.w.Stats().MaxOpenConnections, "one writer")

	// Readers cannot write, even by mistake.
	_, err = d.r.Exec(`DELETE FROM history`)
	assert.Error(t, err)
}

func TestOpenPathsThatNeedEscaping(t *testing.T) {
	for _, name := range []string{"with space", "what?#frag", "hash#frag", "100%", "ünï"} {
		t.Run(name, func(t *testing.T) {
			if runtime.GOOS == "windows" && strings.Contains(name, "?") {
				t.Skip("Windows file names cannot contain '?'")
			}
			dir := filepath.Join(t.TempDir(), name)
			d, err := Open(dir)
			require.NoError(t, err)
			_, err = d.AddHistory(sampleEntry(1))
			require.NoError(t, err)
			require.NoError(t, d.Close())
			_, err = os.Stat(filepath.Join(dir, DBFileName))
			require.NoError(t, err, "the database is where it was asked to be")
		})
	}
}

func TestOpenRejectsNonDatabase(t *testing.T) {
	dir := t.TempDir()
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i * 7)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, DBFileName), garbage, 0o600))
	_, err := Open(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), DBFileName)
}

func TestCloseTwice(t *testing.T) {
	d, err := Open(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, d.Close())
	require.NoError(t, d.Close())
}

func TestMigrateFromEmpty(t *testing.T) {
	d := openNewTestDB(t)
	v, err := d.SchemaVersion()
	require.NoError(t, err)
	assert.Equal(t, CurrentSchemaVersion, v)
	assert.Len(t, migrations, CurrentSchemaVersion, "one step per version")

	var objects []string
	rows, err := d.r.Query(`SELECT name FROM sqlite_schema WHERE type IN ('table','index') AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	require.NoError(t, err)
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		objects = append(objects, n)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"accounts", "accounts_by_id", "folder_members", "folder_members_entry", "folder_members_share", "folder_shares", "history", "history_added_folder", "history_fts", "history_fts_config", "history_fts_data", "history_fts_idx",
		"history_hash", "history_newest", "history_stats", "history_uploaded", "jobs", "jobs_batch", "jobs_file", "jobs_list", "jobs_queue", "settings", "walks"}, objects)
}

// v1HistoryColumns is the version-1 schema's history columns, which
// version 2 kept and added search_text to (v2Schema).
const v1HistoryColumns = `
	id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT UNIQUE,
	env TEXT NOT NULL DEFAULT '', account TEXT NOT NULL DEFAULT '',
	local_path TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL DEFAULT 0, hash TEXT NOT NULL DEFAULT '',
	verified INTEGER NOT NULL DEFAULT 0, folder_path TEXT NOT NULL DEFAULT '',
	parent_id INTEGER, comment TEXT NOT NULL DEFAULT '',
	started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0,
	attempts INTEGER NOT NULL DEFAULT 0`

// v1JobsAndSettings is the version-1 schema's jobs and settings tables,
// which version 2 left as they were (v2Schema holds them too).
const v1JobsAndSettings = `
CREATE TABLE jobs (
	seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, batch_id TEXT NOT NULL DEFAULT '',
	env TEXT NOT NULL DEFAULT '', account TEXT NOT NULL DEFAULT '',
	local_path TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL DEFAULT 0, folder_path TEXT NOT NULL DEFAULT '',
	parent_id INTEGER, comment TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '',
	hash TEXT NOT NULL DEFAULT '', verified INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL DEFAULT 0, updated_at INTEGER NOT NULL DEFAULT 0);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`

// v1Schema is a frozen copy of the version-1 schema, written out by hand so
// that an accidental edit of migrateV1 cannot make this test pass vacuously.
const v1Schema = `
CREATE TABLE history (` + v1HistoryColumns + `);
` + v1JobsAndSettings + `PRAGMA user_version = 1;
`

// openMigrated makes a database of an older version from statements (its
// schema, then its rows), opens it with Open, which migrates it, and checks
// that it reached the current version. The database closes with the test.
func openMigrated(t *testing.T, statements ...string) *DB {
	t.Helper()
	dir := t.TempDir()
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	for _, st := range statements {
		_, err = raw.Exec(st)
		require.NoError(t, err)
	}
	require.NoError(t, raw.Close())
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	v, err := d.SchemaVersion()
	require.NoError(t, err)
	require.Equal(t, CurrentSchemaVersion, v)
	return d
}

func TestMigrateFromVersion1KeepsData(t *testing.T) {
	d := openMigrated(t, v1Schema,
		`INSERT INTO history (job_id, name, hash, comment, folder_path, finished_at, verified, parent_id)
		VALUES ('old-job', 'ÄPFEL Report.PDF', 'QmOldHash', 'Quarterly', '/Docs/2024', 100, 1, 7),
		       (NULL, 'second.txt', 'QmSecond', '', '', 200, 0, NULL)`,
		`INSERT INTO jobs (id, state, name, created_at, updated_at) VALUES ('old-job', 'done', 'ÄPFEL Report.PDF', 1, 2),
		('pending', 'uploading', 'big.iso', 3, 3)`,
		`INSERT INTO jobs (id, state, name, error, created_at, updated_at) VALUES ('old-fail', 'failed', 'x.bin', 'folder is empty', 4, 4)`,
		`INSERT INTO settings (key, value) VALUES ('app', '{"concurrency": 5}')`)

	assertHistoryCount(t, d, "", 2, "history rows kept")

	// search_text was backfilled, with Unicode case folding.
	for _, q := range []string{"äpfel", "report.pdf", "qmoldhash", "quarterly", "/docs/2024"} {
		page, err := d.HistoryPage(HistoryQuery{Search: q})
		require.NoError(t, err)
		require.Len(t, page, 1, q)
		assert.Equal(t, "old-job", page[0].JobID)
		assert.True(t, page[0].Verified)
		require.NotNil(t, page[0].ParentID)
		assert.Equal(t, int64(7), *page[0].ParentID)
	}

	// Idempotency survives the migration.
	id, err := d.AddHistory(HistoryEntry{JobID: "old-job", Name: "other"})
	require.NoError(t, err)
	e, err := d.HistoryByID(id)
	require.NoError(t, err)
	assert.Equal(t, "ÄPFEL Report.PDF", e.Name)

	jobs, err := d.Jobs()
	require.NoError(t, err)
	require.Len(t, jobs, 3)
	assert.Equal(t, []string{"old-job", "pending", "old-fail"}, []string{jobs[0].ID, jobs[1].ID, jobs[2].ID})
	// A reason from before codes existed keeps its English sentence alone.
	assert.Equal(t, "folder is empty", jobs[2].Error)
	assert.Empty(t, jobs[2].Reason)
	assert.Empty(t, jobs[2].ReasonArg)
	requeued, err := d.RequeueInterrupted()
	require.NoError(t, err)
	assert.Equal(t, 1, requeued)

	s, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, 5, s.Concurrency)
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	_, err = raw.Exec(`PRAGMA user_version = 99`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	_, err = Open(dir)
	require.ErrorIs(t, err, ErrSchemaTooNew)
}

func TestMigrationStepIsAtomic(t *testing.T) {
	raw, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "m.db"))
	require.NoError(t, err)
	defer raw.Close()
	raw.SetMaxOpenConns(1)

	boom := errors.New("boom")
	steps := []migration{
		{"one", func(tx *sql.Tx) error { _, err := tx.Exec(`CREATE TABLE a (x)`); return err }},
		{"two", func(tx *sql.Tx) error {
			if _, err := tx.Exec(`CREATE TABLE b (x)`); err != nil {
				return err
			}
			return boom
		}},
	}
	err = migrate(raw, steps)
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "version 2 (two)")

	v, err := userVersion(raw)
	require.NoError(t, err)
	assert.Equal(t, 1, v, "step one committed, step two rolled back")
	var n int
	require.NoError(t, raw.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'b'`).Scan(&n))
	assert.Zero(t, n, "table b of the failed step does not exist")

	// Fixed step: migrate resumes from version 1.
	steps[1].up = func(tx *sql.Tx) error { _, err := tx.Exec(`CREATE TABLE b (x)`); return err }
	require.NoError(t, migrate(raw, steps))
	v, err = userVersion(raw)
	require.NoError(t, err)
	assert.Equal(t, 2, v)
}

func TestReopenKeepsData(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	_, err = d.AddHistory(sampleEntry(1))
	require.NoError(t, err)
	require.NoError(t, d.InsertJobs([]JobRow{{Name: "a"}}))
	require.NoError(t, d.Close())

	d, err = Open(dir)
	require.NoError(t, err)
	defer d.Close()
	assertHistoryCount(t, d, "", 1)
	jobs, err := d.Jobs()
	require.NoError(t, err)
	assert.Len(t, jobs, 1)
}

// TestTwoHandlesShareTheFile stands for the window and the CLI open at the
// same time: two DBs (two writers) on one file must both succeed.
func TestTwoHandlesShareTheFile(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(dir)
	require.NoError(t, err)
	defer a.Close()
	b, err := Open(dir)
	require.NoError(t, err)
	defer b.Close()

	var wg sync.WaitGroup
	for w, d := range []*DB{a, b} {
		wg.Go(func() {
			for i := range 50 {
				_, err := d.AddHistory(sampleEntry(w*1000 + i))
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	for _, d := range []*DB{a, b} {
		assertHistoryCount(t, d, "", 100)
	}
}

// TestConcurrentUse hammers one DB from many goroutines; run with -race.
func TestConcurrentUse(t *testing.T) {
	d := openTestDB(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				n := g*100 + i
				jobs := []JobRow{{Name: fmt.Sprintf("f%d", n)}}
				if !assert.NoError(t, d.InsertJobs(jobs)) {
					return
				}
				assert.NoError(t, d.UpdateJob(jobs[0].ID, JobUploading, 1, ""))
				e := sampleEntry(n)
				e.JobID = "" // FinishJob sets it to the job's id
				assert.NoError(t, d.FinishJob(JobRow{ID: jobs[0].ID, Hash: e.Hash, Verified: true, Attempts: 1}, e))
				_, err := d.HistoryPage(HistoryQuery{Search: "img", Limit: 10})
				assert.NoError(t, err)
				_, err = d.Jobs(JobQueued, JobUploading)
				assert.NoError(t, err)
				assert.NoError(t, d.SaveSettings(Settings{Concurrency: 1 + n%16}))
				_, err = d.LoadSettings()
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	assertHistoryCount(t, d, "", 200)
	done, err := d.Jobs(JobDone)
	require.NoError(t, err)
	assert.Len(t, done, 200)
}
