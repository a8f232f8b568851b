package storage

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shmRestarterFirst is the sampleEntry number of B's first entry.
const shmRestarterFirst = 50000

// TestCloseCarryingOverAfterTheSharedMemoryIsDeletedAndTheWALRestarted:
// the window (A) has the history open; its -shm is deleted; a process
// started since (B) records entries, moves the -wal into the file and
// writes it again from its first frame, then more. A's next write is
// refused (the -shm's *ReplacedError): the window keeps that upload
// (lost) and, at quit, calls CloseCarryingOver, which reads A's queue
// through A's writer, so through A's index of a -wal B rewrote. What it
// returns, and what the history at the path holds after, is checked.
func TestCloseCarryingOverAfterTheSharedMemoryIsDeletedAndTheWALRestarted(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	for _, tc := range []struct {
		name          string
		jobs          int  // A's queue
		finished      int  // of them finished (FinishJob) after the listing, before the -shm goes
		coldCache     bool // A's writer's page cache emptied before the close (as once it read or wrote 2 MB since)
		walToo        bool // the -wal deleted with the -shm (control: A's -wal is then its own)
		bBefore, bAft int
	}{
		{"small queue", 40, 10, false, false, 300, 300},
		{"small queue, cold cache", 40, 10, true, false, 300, 300},
		{"large queue", 20000, 200, false, false, 300, 1500},
		{"large queue, cold cache", 20000, 200, true, false, 300, 1500},
		{"small queue, B's next write only", 40, 10, false, false, 300, 1},
		{"small queue, cold cache, B's next write only", 40, 10, true, false, 300, 1},
		{"small queue, B rewrites a random part", 40, 10, false, false, 300, 1 + rng.IntN(60)},
		{"small queue, cold cache, B rewrites a random part", 40, 10, true, false, 300, 1 + rng.IntN(60)},
		{"large queue, B rewrites a random part", 20000, 200, false, false, 300, 1 + rng.IntN(300)},
		{"small queue, cold cache, -wal deleted too", 40, 10, true, true, 300, 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			d, err := Open(dir)
			require.NoError(t, err)
			defer d.Close()
			path := filepath.Join(dir, DBFileName)
			rows := make([]JobRow, tc.jobs)
			for i := range rows {
				rows[i] = JobRow{ID: fmt.Sprintf("job-a-%06d", i), BatchID: "b", Env: "testnet", Account: "a@example.com",
					LocalPath: fmt.Sprintf("/home/someone/Pictures/2026/trip/IMG_%06d.jpg", i), Name: fmt.Sprintf("IMG_%06d.jpg", i),
					Size: int64(i + 1), State: []JobState{JobQueued, JobFailed, JobQueued, JobCanceled}[i%4]}
			}
			insertPlainJobs(t, d, rows)
			for _, i := range rng.Perm(tc.jobs)[:tc.finished] {
				if rows[i].State != JobQueued {
					continue
				}
				e := sampleEntry(i)
				e.JobID = rows[i].ID
				fin := rows[i]
				fin.State, fin.Hash = JobDone, e.Hash
				require.NoError(t, d.FinishJob(fin, e))
				rows[i].State = JobDone
			}
			require.NoError(t, d.InsertWalks([]WalkRow{{ID: "walk-a", BatchID: "b", Env: "testnet", Account: "a@example.com", Path: "/home/someone/Pictures/2026"}}))
			want := carriedJobs(t, d)
			t.Logf("A's queue not uploaded before: %d jobs", len(want))

			if tc.walToo {
				skipIfHeldOpen(t, os.Remove(path+"-wal"))
			}
			skipIfHeldOpen(t, os.Remove(path+"-shm"))
			out := runShmChild(t, shmChild{Dir: dir, First: shmRestarterFirst, Before: tc.bBefore, After: tc.bAft, Checkpoint: "RESTART"})
			t.Logf("B: %d entries, %s, %d more", tc.bBefore, strings.Fields(out)[0:4], tc.bAft)

			// The window's next upload, refused: kept as lost.
			var lostRow JobRow
			for _, r := range rows {
				if r.State == JobQueued {
					lostRow = r
					break
				}
			}
			lostEntry := sampleEntry(90000)
			lostEntry.JobID = lostRow.ID
			lostRow.State, lostRow.Hash = JobDone, lostEntry.Hash
			lost := JobFinish{Row: lostRow, History: lostEntry}
			_, finErrs := d.WriteJobs(nil, []JobFinish{lost})
			var gone *ReplacedError
			require.ErrorAs(t, finErrs[0], &gone)
			require.True(t, gone.SharedMemory)

			if tc.coldCache {
				_, err := d.w.Exec("PRAGMA shrink_memory")
				require.NoError(t, err)
			}
			read, rerr := tryCarriedJobs(d)
			switch {
			case rerr != nil:
				t.Logf("A's read of its queue through its index: error %v", rerr)
			case jobsEqual(read, want):
				t.Logf("A's read of its queue through its index: the %d rows as before", len(read))
			default:
				t.Logf("A's read of its queue through its index: %d rows, %s", len(read), jobsDiff(read, want))
			}

			n, err := d.CloseCarryingOver([]JobFinish{lost}, nil)
			t.Logf("CloseCarryingOver: %+v, err %v", n, err)
			assert.NoError(t, err, "the lost upload must be recorded")

			at, err := Open(dir)
			require.NoError(t, err)
			defer at.Close()
			var check string
			require.NoError(t, at.r.QueryRow("PRAGMA integrity_check").Scan(&check))
			assert.Equal(t, "ok", check)
			assertHistoryCount(t, at, strings.TrimPrefix(lostEntry.Name, "IMG_"), 1, "the lost upload, once")
			for _, i := range []int{shmRestarterFirst, shmRestarterFirst + tc.bBefore + tc.bAft - 1} {
				assertHistoryCount(t, at, strings.TrimPrefix(sampleEntry(i).Name, "IMG_"), 1, "B's entry %d", i)
			}
			after := carriedJobs(t, at)
			var wantAfter []JobRow
			for _, r := range want {
				if r.ID != lostRow.ID {
					wantAfter = append(wantAfter, r)
				}
			}
			if tc.walToo {
				// What A recorded before is in the -wal deleted: left out
				// once B wrote (685ac33), so only what carrying over wrote.
				assert.Equal(t, len(wantAfter), len(after), "A's queue, carried over")
			}
			assert.True(t, jobsEqual(after, wantAfter), "A's queue at the path: %s", jobsDiff(after, wantAfter))
		})
	}
}

// tryCarriedJobs reads, through d's writer, the jobs CloseCarryingOver
// carries over (carriedStates), as it reads them.
func tryCarriedJobs(d *DB) ([]JobRow, error) {
	states, args, err := statesClause(carriedStates)
	if err != nil {
		return nil, err
	}
	return queryAll(d.w, scanJob, "SELECT "+jobSelect+" FROM jobs WHERE cleared = 0 AND "+states+" ORDER BY seq", args...)
}

// carriedJobs is tryCarriedJobs, which must not fail.
func carriedJobs(t *testing.T, d *DB) []JobRow {
	t.Helper()
	rows, err := tryCarriedJobs(d)
	require.NoError(t, err)
	return rows
}

// jobsEqual tells whether a and b are the same jobs (id, state, path, size), in order.
func jobsEqual(a, b []JobRow) bool { return jobsDiff(a, b) == "" }

// jobsDiff says how a differs from b: counts and the first row that differs.
func jobsDiff(a, b []JobRow) string {
	if len(a) != len(b) {
		known := map[string]JobRow{}
		for _, r := range b {
			known[r.ID] = r
		}
		var unknown, changed int
		for _, r := range a {
			k, ok := known[r.ID]
			switch {
			case !ok:
				unknown++
			case k.State != r.State || k.LocalPath != r.LocalPath || k.Size != r.Size:
				changed++
			}
		}
		return fmt.Sprintf("%d rows, want %d (%d not among them, %d of them changed)", len(a), len(b), unknown, changed)
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ID != y.ID || x.State != y.State || x.LocalPath != y.LocalPath || x.Size != y.Size {
			return fmt.Sprintf("row %d is %q %s %q %d, want %q %s %q %d", i, x.ID, x.State, x.LocalPath, x.Size, y.ID, y.State, y.LocalPath, y.Size)
		}
	}
	return ""
}

// insertPlainJobs stores rows, of which only ID, BatchID, Env, Account,
// LocalPath, Name, Size and State are set, in one transaction, as
// InsertJobs does (CreatedAt, UpdatedAt now, Seq set), but many rows a
// statement (insertRows): InsertJobs, a statement a row, took 70 s or
// more for each large queue here, where the queue is the test's setup,
// not what it tests (InsertJobs of many rows is TestInsertTenThousandJobs).
func insertPlainJobs(t *testing.T, d *DB, rows []JobRow) {
	t.Helper()
	now := time.Now().UTC()
	tx, err := d.w.Begin()
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	insertRows(t, tx, `INSERT INTO jobs (id, batch_id, env, account, local_path, name, size, state, created_at, updated_at) VALUES`, len(rows), func(i int) []any {
		r := &rows[i]
		plain := JobRow{ID: r.ID, BatchID: r.BatchID, Env: r.Env, Account: r.Account, LocalPath: r.LocalPath, Name: r.Name, Size: r.Size, State: r.State}
		require.Equal(t, plain, *r, "a row insertPlainJobs stores has only these fields set")
		r.CreatedAt, r.UpdatedAt = now, now
		return []any{r.ID, r.BatchID, r.Env, r.Account, r.LocalPath, r.Name, r.Size, string(r.State), nanos(now), nanos(now)}
	})
	require.NoError(t, tx.Commit())
	seqs, err := d.r.Query(`SELECT id, seq FROM jobs`)
	require.NoError(t, err)
	defer seqs.Close()
	seqOf := map[string]int64{}
	for seqs.Next() {
		var id string
		var seq int64
		require.NoError(t, seqs.Scan(&id, &seq))
		seqOf[id] = seq
	}
	require.NoError(t, seqs.Err())
	for i := range rows {
		rows[i].Seq = seqOf[rows[i].ID]
	}
}
