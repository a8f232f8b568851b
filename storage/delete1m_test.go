package storage

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDeleteSelectedTimes1M measures DeleteHistoryIDs (the window's
// "Delete selected") on a history of 1,000,000 entries, refolded and
// indexed, when DSTOR_DELETE_1M_DIR names a folder; skipped otherwise. It
// fills DIR/template as TestRefoldBatchTimes1M does, refolds it once into
// DIR/current, then for each size deletes that many entries spread over
// the history (every k-th id) from a copy: the time in all, its
// transactions (deleteBatch entries each) and the longest, the index pages
// it writes, and how long another DB (a command) took to open the history
// when it tried in the middle of the second transaction. With DSTOR_DELETE_1M_CLI naming
// a built dstor-uploader, it also runs "history --limit 3" on the copy
// then, as a person would.
//
//	DSTOR_DELETE_1M_DIR=/tmp/d1m go test ./storage -run TestDeleteSelectedTimes1M -v -timeout 60m
func TestDeleteSelectedTimes1M(t *testing.T) {
	root, tmpl := oneOff1M(t, "DSTOR_DELETE_1M_DIR")
	current := filepath.Join(root, "current")
	if _, err := os.Stat(filepath.Join(current, DBFileName)); err != nil {
		start := time.Now()
		require.NoError(t, exec.Command("cp", "-a", tmpl, current+".tmp").Run())
		d, err := Open(current + ".tmp")
		require.NoError(t, err)
		require.Eventually(t, func() bool { return refoldTo(t, d) == 0 }, 30*time.Minute, 50*time.Millisecond, "refolded")
		require.NoError(t, d.Close())
		require.NoError(t, os.Rename(current+".tmp", current))
		t.Logf("refolded the template in %s", time.Since(start))
	}
	for _, n := range []int{1_000, 10_000, 100_000} {
		dir := copyToRun(t, root, current)
		d, err := Open(dir)
		require.NoError(t, err)
		stopUpkeep(d)
		ids := make([]int64, 0, n)
		for id := int64(million); len(ids) < n; id -= million / int64(n) {
			ids = append(ids, id)
		}
		flushed := ftsPagesFlushed(t, d)
		var tooks []time.Duration
		first := make(chan time.Duration, 1)
		afterDeleteBatch = func(_ int, took time.Duration) {
			if tooks = append(tooks, took); len(tooks) == 1 {
				first <- took
			}
		}
		opened := make(chan string, 1)
		go func() { // ends when the command's open and the CLI's run end
			// Half a batch after the first: in the second.
			time.Sleep(<-first / 2)
			began := time.Now()
			command, err := Open(dir)
			said := fmt.Sprintf("a command's open took %s (error: %v)", time.Since(began).Round(time.Millisecond), err)
			if err == nil {
				_ = command.Close()
			}
			if cli := os.Getenv("DSTOR_DELETE_1M_CLI"); cli != "" {
				cmd := exec.Command(cli, "history", "--limit", "3")
				cmd.Env = append(os.Environ(), HomeEnv+"="+dir)
				began = time.Now()
				out, err := cmd.CombinedOutput()
				said += fmt.Sprintf("; dstor-uploader history --limit 3 took %s (error: %v), %d lines: %q", time.Since(began).Round(time.Millisecond), err,
					strings.Count(string(out), "\n"), strings.SplitN(string(out), "\n", 2)[0])
			}
			opened <- said
		}()
		began := time.Now()
		k, err := d.DeleteHistoryIDs(t.Context(), ids)
		took := time.Since(began)
		afterDeleteBatch = nil
		require.NoError(t, err)
		require.Equal(t, n, k)
		slices.Sort(tooks)
		t.Logf("deleted %d of %d entries (every %d-th, newest first) in %s, %d transactions of %d: %s median, %s at 9 in 10, %s the longest; %d index pages flushed; load average %s",
			n, million, million/n, took, len(tooks), deleteBatch, tooks[len(tooks)/2], tooks[len(tooks)*9/10], tooks[len(tooks)-1], ftsPagesFlushed(t, d)-flushed, loadAverage())
		t.Logf("during it, %s", <-opened)
		require.NoError(t, d.Close())
	}
	require.NoError(t, os.RemoveAll(filepath.Join(root, "run")))
}
