package worker

import (
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestSharedMemoryGoneAfterTheJournalEndsTheCommandLinesQueue: a cleanup
// deletes the history's -wal while the command line's queue uploads six
// files one at a time; the first upload's record finds it gone, and the
// run goes on (what the -wal held is in the file now). Then the -shm is
// deleted while the second upload is held: the processes' indexes diverge
// as when the -shm goes first, so the second upload must be the last, as
// in TestSharedMemoryGoneEndsTheCommandLinesQueue. The queue kept the
// -wal's finding and looked no more, and storage kept its first finding
// for good: all six were uploaded.
func TestSharedMemoryGoneAfterTheJournalEndsTheCommandLinesQueue(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a -wal or -shm SQLite holds open")
	}
	e := newTestEnv(t, sandbox.Config{})
	second := testutil.NewUploadHold(e.srv, 1) // the second upload held
	second.Arm()
	first := testutil.NewUploadHold(second, 0) // the first upload held
	first.Arm()
	ts := httptest.NewServer(first)
	t.Cleanup(ts.Close)
	t.Cleanup(second.Release)
	t.Cleanup(first.Release) // run before ts.Close
	q := queueSixSaved(t, e, clientFor(t, ts.URL, nil), 0)
	select {
	case <-first.Started():
	case <-time.After(hangGuard):
		t.Fatal("no upload started")
	}
	require.NoError(t, os.Remove(e.db.Path()+"-wal"))
	first.Release()
	select {
	case <-second.Started():
	case <-time.After(hangGuard):
		t.Fatal("the second upload did not start")
	}
	eventually(t, hangGuard, func() bool { return q.Summary().HistoryGone != nil }, "the first upload's record finds the -wal gone")
	require.False(t, q.Summary().HistoryGone.SharedMemory, "the -wal, not the -shm, went first")
	require.NoError(t, os.Remove(e.db.Path()+"-shm"))
	second.Release()
	awaitStoppedByTheShm(t, e, q, 2)
}
