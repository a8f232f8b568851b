package storage

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// refold1MName is entry i's name in TestRefoldBatchTimes1M's history: one
// in ten non-ASCII and changed by the fold (mixed forms, NFD, full-width,
// a ligature), the rest sampleEntry's.
func refold1MName(i int) string {
	if i%10 != 0 {
		return sampleEntry(i).Name
	}
	return fmt.Sprintf([]string{
		"caf\u00e9-Zoe\u0308 %07d.txt",
		norm.NFD.String("R\u00e9sum\u00e9 M\u00fcller %07d.pdf"),
		"\uff29\uff2d\uff27_%07d.jpg",
		"\ufb01le %07d.doc",
	}[i/10%4], i)
}

// TestRefoldBatchTimes1M measures the refold of a history of 1,000,000
// entries at schema 21 (README, History at a million entries), when
// DSTOR_REFOLD_1M_DIR names a folder; skipped otherwise. Its first run
// fills DIR/template as that version wrote and indexed it (5,000 entries
// a transaction; about 6 minutes), each run refolds a copy of it,
// DIR/run: batch after batch, each timed (DSTOR_REFOLD_1M_PROFILE: a CPU
// profile to that file), or with DSTOR_REFOLD_1M_LOOP set as the app
// does, the background loop with its pauses, timed from the open.
//
//	DSTOR_REFOLD_1M_DIR=/tmp/r1m go test ./storage -run TestRefoldBatchTimes1M -v -timeout 60m
func TestRefoldBatchTimes1M(t *testing.T) {
	root, tmpl := oneOff1M(t, "DSTOR_REFOLD_1M_DIR")
	dir := copyToRun(t, root, tmpl)

	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	if os.Getenv("DSTOR_REFOLD_1M_LOOP") != "" {
		// As the app runs it: the background loop, its pauses, after
		// indexQuiet.
		start := time.Now()
		require.Eventually(t, func() bool { return refoldTo(t, d) == 0 }, 30*time.Minute, 50*time.Millisecond, "refolded")
		t.Logf("refolded by the background loop in %s (from the open; load average %s)", time.Since(start), loadAverage())
		return
	}
	// The background loop is stopped: the batches run here, one after the
	// other, timed.
	stopUpkeep(d)
	if p := os.Getenv("DSTOR_REFOLD_1M_PROFILE"); p != "" {
		f, err := os.Create(p)
		require.NoError(t, err)
		require.NoError(t, pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	var took []time.Duration
	start := time.Now()
	for {
		began := time.Now()
		more, err := d.refoldHistoryBatch()
		require.NoError(t, err)
		took = append(took, time.Since(began))
		if len(took)%20 == 0 || took[len(took)-1] > time.Second {
			t.Logf("batch %d: %s (refold_to %d)", len(took), took[len(took)-1], refoldTo(t, d))
		}
		if !more {
			break
		}
	}
	all := time.Since(start)
	sorted := slices.Clone(took)
	slices.Sort(sorted)
	t.Logf("%d batches in %s; median %s, p90 %s, p99 %s, longest %s", len(took), all,
		sorted[len(sorted)/2], sorted[len(sorted)*9/10], sorted[len(sorted)*99/100], sorted[len(sorted)-1])
	t.Logf("load average: %s", loadAverage())
}

// loadAverage is the machine's load average, where it says it, for a
// measurement's log.
func loadAverage() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

// million is the size of the histories the one-off measurements below
// (README, History at a million entries) run on.
const million = 1_000_000

// oneOff1M is the folder the environment variable env names for a one-off
// measurement at a million entries, and in it the template history
// (refold1MTemplate), filled on the first run; with env unset the test is
// skipped, as such a run takes minutes.
func oneOff1M(t *testing.T, env string) (root, tmpl string) {
	root = os.Getenv(env)
	if root == "" {
		t.Skip("a one-off measurement: set " + env)
	}
	return root, refold1MTemplate(t, root)
}

// copyToRun copies the history folder from to root/run, replacing what an
// earlier run left there, so a measurement changes a copy and not what
// took minutes to fill.
func copyToRun(t *testing.T, root, from string) string {
	dir := filepath.Join(root, "run")
	require.NoError(t, os.RemoveAll(dir))
	require.NoError(t, exec.Command("cp", "-a", from, dir).Run())
	return dir
}

// stopUpkeep stops d's background upkeep (the refold and index loop), so
// a measurement times only the work it runs itself.
func stopUpkeep(d *DB) {
	close(d.indexStop)
	<-d.indexDone
	d.indexStop = nil
}

// refold1MTemplate is root/template, a history of a million entries at
// schema 21 (refold1MName) as that version wrote and indexed it, filled on
// the first call (about 6 minutes).
func refold1MTemplate(t *testing.T, root string) string {
	tmpl := filepath.Join(root, "template")
	if _, err := os.Stat(filepath.Join(tmpl, DBFileName)); err == nil {
		return tmpl
	}
	start := time.Now()
	require.NoError(t, os.MkdirAll(tmpl, 0o700))
	olderSchemaIn(t, tmpl, 21)
	raw, err := sql.Open("sqlite", filepath.Join(tmpl, DBFileName))
	require.NoError(t, err)
	raw.SetMaxOpenConns(1)
	_, err = raw.Exec(`PRAGMA journal_mode = WAL`)
	require.NoError(t, err)
	fillSchema21(t, raw)
	t.Logf("filled in %s", time.Since(start))
	indexSchema21(t, raw)
	_, err = raw.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	t.Logf("filled and indexed in %s", time.Since(start))
	return tmpl
}

// fillSchema21 inserts a million entries into raw's schema-21 history, ten
// thousand to a transaction.
func fillSchema21(t *testing.T, raw *sql.DB) {
	for lo := 0; lo < million; lo += 10_000 {
		tx, err := raw.Begin()
		require.NoError(t, err)
		st, err := tx.Prepare(`INSERT INTO history (job_id, name, hash, comment, folder_path, finished_at, search_text) VALUES (?, ?, ?, ?, ?, ?, ?)`)
		require.NoError(t, err)
		for i := lo; i < lo+10_000; i++ {
			e := sampleEntry(i)
			name := refold1MName(i)
			_, err := st.Exec(e.JobID, name, e.Hash, e.Comment, e.FolderPath, i+1, recordedSearchText(name, e.Hash, e.Comment, e.FolderPath))
			require.NoError(t, err)
		}
		require.NoError(t, st.Close())
		require.NoError(t, tx.Commit())
	}
}

// indexSchema21 indexes raw's schema-21 history for search, five thousand
// entries to a transaction, as that version's indexHistory did.
func indexSchema21(t *testing.T, raw *sql.DB) {
	for lo := 0; lo < million; lo += 5_000 {
		tx, err := raw.Begin()
		require.NoError(t, err)
		_, err = tx.Exec(`INSERT INTO history_fts (rowid, search_text) SELECT id, search_text FROM history WHERE id > ? AND id <= ?`, lo, lo+5000)
		require.NoError(t, err)
		_, err = tx.Exec(`UPDATE history_stats SET indexed_to = ? WHERE id = 1`, lo+5000)
		require.NoError(t, err)
		require.NoError(t, tx.Commit())
	}
}
