package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// largeShare records a share of n uploads of the folder dir (a new
// temporary folder) in a data folder of the test's own, with long paths
// (an entry held in memory costs about 1 KB), every third pair finished
// at the same instant (the id then orders them). It returns dir and the
// share's batch.
func largeShare(t *testing.T, n int) (dir, batch string) {
	t.Helper()
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	dir = mustEvalSymlinks(t, t.TempDir())
	batch = "large-share"
	db, err := storage.Open(home)
	require.NoError(t, err)
	defer db.Close()
	start := time.Date(2026, 12, 5, 18, 0, 0, 0, time.UTC)
	long := strings.Repeat("a long folder name ", 12)
	for i := range n {
		name := fmt.Sprintf("IMG_%06d.jpg", i)
		_, err := db.AddHistory(storage.HistoryEntry{
			JobID: fmt.Sprintf("job-%06d", i), Env: "production", Account: "someone@example.com",
			LocalPath: filepath.Join(dir, long, name), Name: name, Size: int64(i + 1),
			Hash: fmt.Sprintf("bafkrei%052d", i), StartedAt: start,
			FinishedAt:  start.Add(time.Duration(i/3) * time.Second),
			AddedFolder: dir, BatchID: batch,
		})
		require.NoError(t, err)
	}
	return dir, batch
}

// heapAtLine counts the lines written to it and, when its line number
// at is written, collects the garbage and notes the heap in use then.
type heapAtLine struct {
	at, lines int
	heap      uint64
}

func (w *heapAtLine) Write(p []byte) (int, error) {
	if w.lines += bytes.Count(p, []byte("\n")); w.lines >= w.at && w.heap == 0 {
		w.heap = heapInUse()
	}
	return len(p), nil
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestLargeFolderListIsNotHeldInMemory: history --folder DIR of a share
// of 4,000 files prints its list as it reads it: halfway through the
// list, the heap has grown by far less than the entries (about 1 KB each
// here, 4.2 MB in all), so 100,000 files cost no more than 10. Before,
// the whole share was read into memory (twice: its ids, then the entries
// again) first.
func TestLargeFolderListIsNotHeldInMemory(t *testing.T) {
	const n = 4000
	dir, _ := largeShare(t, n)
	// The heap is noted as the command writes its line n/2 (to the spool
	// that hands stdout the list), in its own goroutine: noted from the
	// output's, it counted what the command, not stopped, was making
	// meanwhile, garbage or not (2.2 to 5.2 MB: on Linux and under Wine).
	written := &heapAtLine{at: n / 2}
	spoolWrites = func(p []byte) { _, _ = written.Write(p) }
	t.Cleanup(func() { spoolWrites = nil })
	out := &heapAtLine{at: n + 1} // counts the lines only
	var errOut bytes.Buffer
	before := heapInUse()
	code := Run(context.Background(), []string{"history", "--folder", dir}, IO{In: strings.NewReader(""), Out: out, Err: &errOut})
	require.Equal(t, 0, code, errOut.String())
	require.Equal(t, n, out.lines)
	require.Equal(t, n, written.lines)
	grown := int64(written.heap) - int64(before)
	t.Logf("the heap grew by %d bytes halfway through the list of %d files", grown, n)
	// About 0.45 MB is the command's own (its flags, the database opened);
	// the entries held whole were 4.2 MB more.
	assert.Less(t, grown, int64(n*1000/2), "the heap grew by %d bytes halfway through the list of %d files", grown, n)
}

// TestLargeFolderListOrderAndVerdict: the list of a large share is newest
// finished first, then newest recorded, --limit keeps its first N, and
// it exits 1 while a file of the share is queued, saying so, then once
// that file failed.
func TestLargeFolderListOrderAndVerdict(t *testing.T) {
	const n = 3000
	dir, batch := largeShare(t, n)
	var want []string // newest first: finished at i/3 seconds, then the id
	for i := n - 1; i >= 0; i-- {
		want = append(want, fmt.Sprintf("bafkrei%052d", i))
	}
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, want, strings.Fields(out), "newest first")
	assert.Empty(t, errOut, "the whole folder")
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid", "--limit", "7")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, want[:7], strings.Fields(out))

	db, err := storage.Open(os.Getenv(storage.HomeEnv))
	require.NoError(t, err)
	require.NoError(t, db.InsertJobs([]storage.JobRow{{ID: "late", BatchID: batch, Env: "production",
		Account: "someone@example.com", LocalPath: filepath.Join(dir, "late.jpg"), Name: "late.jpg", Beneath: dir}}))
	require.NoError(t, db.Close())
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, "a file still queued: %s", errOut)
	assert.Equal(t, want, strings.Fields(out))
	assert.Contains(t, errOut, "1 file(s) of this upload of "+dir+" are not uploaded yet")

	db, err = storage.Open(os.Getenv(storage.HomeEnv))
	require.NoError(t, err)
	require.NoError(t, db.UpdateJob("late", storage.JobFailed, 1, "refused"))
	require.NoError(t, db.Close())
	code, _, errOut = runCLI(t, "", "history", "--folder", dir, "--json")
	assert.Equal(t, 1, code, "a file failed: %s", errOut)
	assert.Contains(t, errOut, "1 file(s) of this upload of "+dir+" failed")
}
