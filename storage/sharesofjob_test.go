package storage

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestSharesOfJobSaysWhenTheShareWritesChangeARow: in random states of
// jobs and folder_members (ids that are prefixes of one another, both keys
// of a left row, rows of jobs gone, both environments and accounts, files
// with and without a folder), whenever one of finishJobTx's three share
// writes of a job changes a row, sharesOfJobSQL (shareStmts.mayTouch) says
// it may. Each state's writes are rolled back.
func TestSharesOfJobSaysWhenTheShareWritesChangeARow(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 0))
	ids := []string{"a", "a0", "a-1", "ab", "b", "b.1"}
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	for round := range 40 {
		d := openTestDB(t)
		var jobs []JobRow
		for i, id := range ids {
			if r.IntN(5) == 0 {
				continue // a job gone: its rows stay
			}
			jobs = append(jobs, JobRow{ID: id, BatchID: pick("b1", "b2"), Env: pick("testnet", "mainnet"),
				Account: pick("someone@example.com", "other@example.com"), LocalPath: pick("/p/1.jpg", "/p/2.jpg"),
				Beneath: pick("", "/p"), State: JobUploading, Size: int64(i)})
			e := sampleEntry(round*10 + i)
			e.JobID = id
			_, err := d.AddHistory(e)
			require.NoError(t, err)
		}
		require.NoError(t, d.InsertJobs(jobs))
		for range 12 {
			key := pick(ids...)
			switch r.IntN(3) {
			case 1:
				key += "/" + pick("b1", "b2")
			case 2:
				key += "/" + pick("b1", "b2") + "/" + pick("/p", "/q")
			}
			_, err := d.w.Exec(`INSERT INTO folder_members (job_id, added_folder, batch_id, history_id, size, seen_after)
				VALUES (?, '/p', 'b1', ?, 1, 0) ON CONFLICT DO NOTHING`, key, r.IntN(4)-1)
			require.NoError(t, err)
		}
		for _, j := range jobs {
			tx, err := d.w.Begin()
			require.NoError(t, err)
			res, err := tx.Exec(sharesOfJobSQL, j.ID)
			require.NoError(t, err)
			may, err := res.RowsAffected()
			require.NoError(t, err)
			changed := int64(0)
			for _, w := range []struct {
				q    string
				args []any
			}{{dropFoundOfJobSQL, []any{j.ID}}, {supersedeLeftSQL, []any{j.ID}}, {joinLeftSQL, []any{j.ID}}} {
				res, err := tx.Exec(w.q, w.args...)
				require.NoError(t, err, "round %d job %s", round, j.ID)
				n, err := res.RowsAffected()
				require.NoError(t, err)
				changed += n
			}
			require.NoError(t, tx.Rollback())
			if changed > 0 {
				require.Positive(t, may, fmt.Sprintf("round %d (seed %d): job %s's writes changed %d rows, the look said none", round, seed, j.ID, changed))
			}
		}
	}
}
