package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// blockPartWrites makes a save's writes to its part wait until release
// is called, as writes to a network share that stopped answering do;
// started gets a value as the first one begins.
func blockPartWrites(t *testing.T) (started <-chan struct{}, release func()) {
	t.Helper()
	begun := make(chan struct{}, 1)
	held := holdLooks(t)
	replaceForTest(t, &partWriter, func(part *os.File) io.Writer {
		return writerFunc(func(p []byte) (int, error) {
			select {
			case begun <- struct{}{}:
			default:
			}
			held.wait()
			return part.Write(p)
		})
	})
	return begun, held.release
}

// writerFunc is a function as an io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestCloseWhileASaveWritesToADriveThatDoesNotAnswer: History's Export…
// (and a QR code's Save as PNG…) to a file on a network share that
// stopped answering: the write never returned, Close waited for it for
// good (the process never ended), and the export kept reading the
// history meanwhile. Close now returns while the write is blocked, the
// history then closes, and the file chosen is never left torn: what was
// there stays as it was, and the save's part is removed once the write
// returns.
func TestCloseWhileASaveWritesToADriveThatDoesNotAnswer(t *testing.T) {
	for _, tc := range []struct {
		name string
		save func(e *testEnv, path string)
	}{
		{"export", func(e *testEnv, path string) {
			e.ui(func() { e.a.history.exportToPath(path, "csv", storage.ExportOptions{}) })
		}},
		{"QR code", func(e *testEnv, path string) {
			e.ui(func() { e.a.saveQRTo(path, make([]byte, 64<<10)) })
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stall := saveStallAtClose
			t.Cleanup(func() { saveStallAtClose = stall })
			saveStallAtClose = 100 * time.Millisecond // it stopped: no write returns
			e := newTestEnv(t)
			for i := range 300 { // an export of several writes
				_, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("job-", i), Name: fmt.Sprintf("photo-%03d.jpg", i),
					Size: 1000, Hash: fmt.Sprintf("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8f%03d", i), Verified: true})
				require.NoError(t, err)
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "saved")
			require.NoError(t, os.WriteFile(out, []byte("the earlier file"), 0o600))
			started, release := blockPartWrites(t)
			tc.save(e, out)
			waitOrFail(t, started, "the save's first write")

			require.True(t, returnsWhileBlocked(e.a.Close, release), "the window closes while the save's write is blocked")
			require.NoError(t, e.db.Close(), "the history closes while the save's write is blocked")
			release()
			require.Eventually(t, func() bool {
				entries, err := os.ReadDir(dir)
				return err == nil && len(entries) == 1
			}, hangBound, 10*time.Millisecond, "the save left behind removes its part once its write returns")
			kept, err := os.ReadFile(out)
			require.NoError(t, err)
			assert.Equal(t, "the earlier file", string(kept), "the file chosen is not replaced by a torn save")
		})
	}
}

// TestCloseWhileASaveIsSlowButMovingWaitsForIt: History's Export… of
// many uploads to a slow USB stick, then the window closed before it was
// done: Close left the save behind at once and the quit ended the
// process, so the export was lost, though its writes went on, and nothing
// said so. Close now waits for a save whose writes go on, and the file
// is saved whole.
func TestCloseWhileASaveIsSlowButMovingWaitsForIt(t *testing.T) {
	stall := saveStallAtClose
	t.Cleanup(func() { saveStallAtClose = stall })
	// Shorter than the save, and 27 times a write's pace: a write held up
	// by a loaded machine must not pass for a stalled save (at 2 s, 13
	// times the pace, a CI run at a load average near 30 once saw no
	// write for that long, and the save was given up).
	saveStallAtClose = 4 * time.Second
	e := newTestEnv(t)
	const rows = 1500 // an export of some 46 writes, longer than saveStallAtClose at the stick's pace
	for i := range rows {
		_, err := e.db.AddHistory(storage.HistoryEntry{JobID: fmt.Sprint("job-", i), Name: fmt.Sprintf("photo-%03d.jpg", i),
			Size: 1000, Hash: fmt.Sprintf("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8f%03d", i), Verified: true})
		require.NoError(t, err)
	}
	out := filepath.Join(t.TempDir(), "saved.csv")
	require.NoError(t, os.WriteFile(out, []byte("the earlier file"), 0o600))
	next, begun := make(chan struct{}), make(chan struct{}, 1)
	old := partWriter
	t.Cleanup(func() { partWriter = old })
	partWriter = func(part *os.File) io.Writer {
		return writerFunc(func(p []byte) (int, error) {
			select {
			case begun <- struct{}{}:
			default:
			}
			<-next // a slow stick: each write waits its turn
			return part.Write(p)
		})
	}
	e.ui(func() { e.a.history.exportToPath(out, "csv", storage.ExportOptions{}) })
	waitOrFail(t, begun, "the export's first write")

	closed := make(chan struct{})
	go func() {
		defer close(closed)
		e.a.Close()
	}()
	writes := 0
	pace := time.NewTicker(150 * time.Millisecond) // the stick's speed: the save outlasts saveStallAtClose
	defer pace.Stop()
	for fed := true; fed; {
		select {
		case <-pace.C:
			select {
			case next <- struct{}{}: // the stick takes one more write
				writes++
			case <-closed:
				fed = false
			}
		case <-closed:
			fed = false
		case <-time.After(hangBound):
			t.Fatalf("Close neither returned nor let the save write, after %d writes", writes)
		}
	}
	saved, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, rows+1, strings.Count(string(saved), "\n"), "the export saved whole (a header, a line an upload), after %d writes", writes)
	assert.Greater(t, time.Duration(writes)*150*time.Millisecond, saveStallAtClose, "the save outlasted the wait for a stalled one")
	t.Logf("the save took %d writes", writes)
}
