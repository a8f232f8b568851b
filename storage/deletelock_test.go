package storage

import (
	"bufio"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/race"
)

// deletedRows counts the entries the trigger entry_delete_held
// (heldDeletes) has seen deleted, in this process.
var deletedRows atomic.Int64

// entryDeleteHeld is how long each deleted entry holds its transaction in
// the tests that make entries as slow to delete as at a million entries
// (about 1 ms each, README, History at a million entries).
const entryDeleteHeld = time.Millisecond

func init() {
	// test_deleted() counts a deleted entry (deletedRows) and holds the
	// transaction that deletes it entryDeleteHeld.
	sqlite.MustRegisterScalarFunction("test_deleted", 0, func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error) {
		deletedRows.Add(1)
		time.Sleep(entryDeleteHeld)
		if holdForKill.Load() {
			fmt.Println("in batch")
			time.Sleep(time.Minute) // killed meanwhile
		}
		return nil, nil
	})
}

// heldDeletes makes each entry deleted from d's history hold its
// transaction entryDeleteHeld and count in deletedRows, from now on.
func heldDeletes(t *testing.T, d *DB) {
	t.Helper()
	deletedRows.Store(0)
	_, err := d.w.Exec(`CREATE TRIGGER entry_delete_held AFTER DELETE ON history BEGIN SELECT test_deleted(); END`)
	require.NoError(t, err)
}

// TestCommandOpensDuringDeleteSelected: while the window deletes a large
// selection (DeleteHistoryIDs), a command opened on the same data folder
// gets in within its open's wait (openBusyTimeout) and records an upload.
// Before, the whole selection was one transaction: 12.3 s for 10,000
// entries of a million, and the command failed after 2 s, "another
// program is using the upload history … keeps it locked".
func TestCommandOpensDuringDeleteSelected(t *testing.T) {
	n := 4000 // a transaction of them all holds the history 4 s and more
	// Batches that each hold the history well under the open's wait, as
	// the app's do at a million entries; under the race detector SQLite
	// is about thirty times slower.
	withDeleteBatch(t, 100)
	if race.Enabled {
		n = 1000
		withDeleteBatch(t, 20)
	}
	dir := t.TempDir()
	window, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = window.Close() })
	fillHistory(t, window, n)
	// Indexed before, as a large history is: else the window's indexer
	// wakes indexQuiet after the fill and indexes indexBatch entries in
	// one transaction, seconds under the race detector on a loaded
	// machine, during which neither the delete nor the command gets in.
	indexWhole(t, window)
	heldDeletes(t, window)
	ids := make([]int64, 0, n)
	for id := int64(n); id > 0; id-- {
		ids = append(ids, id)
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		k, err := window.DeleteHistoryIDs(t.Context(), ids)
		done <- result{k, err}
	}()
	require.Eventually(t, func() bool { return deletedRows.Load() > 0 }, time.Minute, time.Millisecond, "the window deletes")
	began, from := time.Now(), deletedRows.Load()
	command, err := Open(dir)
	require.NoError(t, err, "the command opens the history while the window deletes (tried after %d entries deleted, failed after %s and %d more)",
		from, time.Since(began).Round(time.Millisecond), deletedRows.Load()-from)
	t.Cleanup(func() { _ = command.Close() })
	t.Logf("the command opened in %s, %d entries deleted", time.Since(began).Round(time.Millisecond), deletedRows.Load())
	_, err = command.AddHistory(sampleEntry(n + 1))
	require.NoError(t, err, "the command records an upload while the window deletes")
	r := <-done
	require.NoError(t, r.err)
	assert.Equal(t, n, r.n, "every entry selected deleted")
	assertHistoryCount(t, window, "", 1, "the command's entry stays")
}

// indexWhole indexes every entry of d's history for search now, a batch
// at a time, so that its background upkeep has nothing left to do.
func indexWhole(t *testing.T, d *DB) {
	t.Helper()
	for more := true; more; {
		var err error
		more, err = d.searchUpkeepBatch()
		require.NoError(t, err)
	}
}

// deleteKillEnv tells the re-executed test binary to act as the window
// killed in TestDeleteSelectedKilledMidwayKeepsWholeBatches: its value
// is the data folder; deleteKillArgs holds the selection, the batch size
// and the batch to be killed in, as JSON.
const (
	deleteKillEnv  = "DSTOR_STORAGE_DELETE_KILL_DIR"
	deleteKillArgs = "DSTOR_STORAGE_DELETE_KILL_ARGS"
)

// deleteKill is what the killed child is told (deleteKillArgs).
type deleteKill struct {
	IDs   []int64
	Batch int // deleteBatch
	In    int // the batch (from 0) whose first entry it stops in
}

// holdForKill, when set, makes the next entry deleted (test_deleted) say
// "in batch" and wait for the kill, in its transaction.
var holdForKill atomic.Bool

// TestHelperDeleteKilled is not a test: run as a child process by
// TestDeleteSelectedKilledMidwayKeepsWholeBatches, it deletes the
// selection it is given, says "deleted N" after each batch, and stops in
// the first entry of the batch it is told, where it is killed.
func TestHelperDeleteKilled(t *testing.T) {
	dir := os.Getenv(deleteKillEnv)
	if dir == "" {
		return // not the child
	}
	var args deleteKill
	if err := json.Unmarshal([]byte(os.Getenv(deleteKillArgs)), &args); err != nil {
		fmt.Println("args:", err)
		os.Exit(2)
	}
	deleteBatch = args.Batch
	d, err := Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	batches := 0
	afterDeleteBatch = func(deleted int, _ time.Duration) {
		fmt.Printf("deleted %d\n", deleted)
		if batches++; batches == args.In {
			holdForKill.Store(true)
		}
	}
	n, err := d.DeleteHistoryIDs(t.Context(), args.IDs)
	fmt.Println("not killed:", n, err)
	os.Exit(2)
}

// TestDeleteSelectedKilledMidwayKeepsWholeBatches SIGKILLs a process in
// the middle of a batch of DeleteHistoryIDs (a transaction that has
// deleted an entry): the history opens after it, the batches committed
// before are deleted, with their shares forgotten as deleting those
// entries one at a time did, the killed batch and the rest are all there,
// the search index agrees, and the process had said no more deleted than
// that. Deleting the selection again deletes the rest.
func TestDeleteSelectedKilledMidwayKeepsWholeBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	withDeleteBatch(t, 2)
	dir := t.TempDir()
	now, err := Open(dir)
	require.NoError(t, err)
	old := openTestDB(t)
	picked := randomSelection(t, old, now, uint64(seed), 0, rand.New(rand.NewPCG(uint64(seed), 0)))
	heldDeletes(t, now)
	require.NoError(t, now.Close())
	batches := deleteBatches(picked)
	require.GreaterOrEqual(t, len(batches), 2, "a selection of several batches")
	in := 1 + rand.New(rand.NewPCG(uint64(seed), 1)).IntN(len(batches)-1)
	args, err := json.Marshal(deleteKill{IDs: picked, Batch: deleteBatch, In: in})
	require.NoError(t, err)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDeleteKilled$", "-test.count=1")
	cmd.Env = append(os.Environ(), deleteKillEnv+"="+dir, deleteKillArgs+"="+string(args))
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	deadline := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() }) // only against a hang
	said := -1
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if n, ok := strings.CutPrefix(sc.Text(), "deleted "); ok {
			said, err = strconv.Atoi(n)
			require.NoError(t, err)
			continue
		}
		if sc.Text() == "in batch" {
			require.NoError(t, cmd.Process.Kill()) // SIGKILL on Unix
			break
		}
		t.Logf("child: %s", sc.Text())
	}
	deadline.Stop()
	_ = cmd.Wait()

	want := deleteEntriesOneByOne(t, old, slices.Concat(batches[:in]...))
	t.Logf("killed in batch %d of %d (%d a batch), %d entries said deleted", in+1, len(batches), deleteBatch, said)
	assert.Equal(t, want, said, "the child said it deleted the entries of the batches before the kill")
	now, err = Open(dir)
	require.NoError(t, err, "the history opens after a kill")
	t.Cleanup(func() { _ = now.Close() })
	_, err = now.w.Exec(`DROP TRIGGER entry_delete_held`)
	require.NoError(t, err)
	var integrity string
	require.NoError(t, now.w.QueryRow(`PRAGMA integrity_check`).Scan(&integrity))
	assert.Equal(t, "ok", integrity)
	require.NoError(t, now.indexHistory()) // what was not yet: the check reads the whole index
	_, err = now.w.Exec(`INSERT INTO history_fts (history_fts, rank) VALUES ('integrity-check', 1)`)
	require.NoError(t, err, "the search index agrees with the history")
	assert.Equal(t, tablesOf(t, old), tablesOf(t, now), "the batches before the kill deleted, the rest there")

	want = deleteEntriesOneByOne(t, old, slices.Concat(batches[in:]...))
	got, err := now.DeleteHistoryIDs(t.Context(), picked)
	require.NoError(t, err)
	assert.Equal(t, want, got, "deleted again, the rest")
	assert.Equal(t, tablesOf(t, old), tablesOf(t, now), "deleted again")
}
