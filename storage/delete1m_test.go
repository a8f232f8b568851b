package storage

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDeleteSelectedTimes1M measures DeleteHistoryIDs (the window's
// "Delete selected") on a history of 1,000,000 entries, refolded and
// indexed, when DSTOR_DELETE_1M_DIR names a folder; skipped otherwise. It
// fills DIR/template as TestRefoldBatchTimes1M does, refolds it once into
// DIR/current, then for each size deletes that many entries spread over
// the history (every k-th id) from a copy: the time it holds the history
// (one transaction) and the index pages it writes.
//
//	DSTOR_DELETE_1M_DIR=/tmp/d1m go test ./storage -run TestDeleteSelectedTimes1M -v -timeout 60m
func TestDeleteSelectedTimes1M(t *testing.T) {
	root := os.Getenv("DSTOR_DELETE_1M_DIR")
	if root == "" {
		t.Skip("a one-off measurement")
	}
	const rows = 1_000_000
	tmpl := refold1MTemplate(t, root, rows)
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
		dir := filepath.Join(root, "run")
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, exec.Command("cp", "-a", current, dir).Run())
		d, err := Open(dir)
		require.NoError(t, err)
		close(d.indexStop)
		<-d.indexDone
		d.indexStop = nil
		ids := make([]int64, 0, n)
		for id := int64(rows); len(ids) < n; id -= rows / int64(n) {
			ids = append(ids, id)
		}
		flushed := ftsPagesFlushed(t, d)
		began := time.Now()
		k, err := d.DeleteHistoryIDs(ids)
		took := time.Since(began)
		require.NoError(t, err)
		require.Equal(t, n, k)
		t.Logf("deleted %d of %d entries (every %d-th, newest first) in %s, one transaction; %d index pages flushed; load average %s",
			n, rows, rows/n, took, ftsPagesFlushed(t, d)-flushed, loadAverage())
		require.NoError(t, d.Close())
	}
	require.NoError(t, os.RemoveAll(filepath.Join(root, "run")))
}
