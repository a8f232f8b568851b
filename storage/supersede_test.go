package storage

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// supersedeLeftBeforeSQL is supersedeLeftSQL as it was before b55eab7
// (each key built from a CTE of its own, the job told apart by its id),
// kept as the reference TestSupersedeLeftAgreesWithItsFormerQuery holds
// the statement to.
const supersedeLeftBeforeSQL = `WITH o AS (SELECT o.id || '/' || j.batch_id AS k, j.beneath AS folder FROM jobs j
		JOIN jobs o ON o.env = j.env AND o.account = j.account AND o.local_path = j.local_path
		WHERE j.id = ? AND j.beneath != '' AND o.id != j.id)
	UPDATE folder_members SET history_id = -1, size = 0
	WHERE job_id IN (SELECT k FROM o UNION ALL SELECT k || '/' || folder FROM o)`

// TestSupersedeLeftAgreesWithItsFormerQuery: on a random queue (files
// queued by several Add calls, of two accounts, beneath several folders
// or none) with random rows of files left to other jobs (keyed as this
// version keys them and as a version before 2026-12-05 did) and of files
// found already uploaded, supersedeLeftSQL changes for every job exactly
// the rows the statement it replaced changed. The rows are those a
// listing can leave (api/worker leaveTo): never to a job of the share's
// own Add call and folder, and, keyed the older way, never to a job of
// the share's own call (that version left files to other calls only).
func TestSupersedeLeftAgreesWithItsFormerQuery(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	d := openTestDB(t)
	folders := []string{"", "/home/someone/trip", "/home/someone/trip/day1", "/home/someone/other"}
	batches := []string{"b0", "b1", "b2", "b3", "b4"}
	jobs := make([]JobRow, 240)
	for i := range jobs {
		e := sampleEntry(rng.IntN(12)) // 12 files: many jobs of each
		jobs[i] = JobRow{ID: fmt.Sprintf("j%03d", i), BatchID: batches[rng.IntN(len(batches))], Env: e.Env,
			Account: []string{e.Account, "other@example.com"}[rng.IntN(2)], LocalPath: e.LocalPath, Name: e.Name,
			Size: e.Size, Beneath: folders[rng.IntN(len(folders))], State: JobQueued}
	}
	require.NoError(t, d.InsertJobs(jobs))
	ins, err := d.w.Prepare(`INSERT INTO folder_members (job_id, added_folder, batch_id, history_id, size) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (job_id) DO NOTHING`)
	require.NoError(t, err)
	defer func() { _ = ins.Close() }()
	for range 900 {
		x := jobs[rng.IntN(len(jobs))]
		f := folders[1+rng.IntN(len(folders)-1)]
		b := batches[rng.IntN(len(batches))]
		key := LeftFile{JobID: x.ID, Folder: f, BatchID: b}.key()
		switch {
		case rng.IntN(8) == 0:
			key = x.ID // a file the share of x found already uploaded
		case rng.IntN(3) == 0 && b != x.BatchID:
			key = x.ID + "/" + b // a version before 2026-12-05
		case b == x.BatchID && f == x.Beneath:
			continue // no listing leaves a file to a job of its own share
		}
		_, err := ins.Exec(key, f, b, rng.IntN(3), 1+rng.IntN(5000))
		require.NoError(t, err)
	}

	changed := 0
	for _, j := range jobs {
		before := rowsAfter(t, d, supersedeLeftBeforeSQL, j.ID)
		after := rowsAfter(t, d, supersedeLeftSQL, j.ID)
		require.Equal(t, before, after, "job %s (%s, beneath %q): seed %d", j.ID, j.BatchID, j.Beneath, seed)
		if after != "" {
			changed++
		}
	}
	t.Logf("%d of %d jobs changed rows", changed, len(jobs))
	require.Positive(t, changed, "the random rows left no file to another job: the test compares nothing")
}

// rowsAfter runs query with id in a transaction rolled back after, and
// returns the keys of the rows of folder_members it left holding no file
// (history_id -1: the test writes none so).
func rowsAfter(t *testing.T, d *DB, query, id string) string {
	t.Helper()
	tx, err := d.w.Begin()
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.Exec(query, id)
	require.NoError(t, err, query)
	var rows sql.NullString
	require.NoError(t, tx.QueryRow(`SELECT group_concat(job_id, ', ') FROM
		(SELECT job_id FROM folder_members WHERE history_id = -1 AND size = 0 ORDER BY job_id)`).Scan(&rows))
	return rows.String
}
