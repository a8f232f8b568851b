package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// heldOutput is a stdout that takes its first write, then waits until
// released before taking the rest, as a pager paused on its first page
// does; first is closed at that first write.
type heldOutput struct {
	bytes.Buffer
	mu       sync.Mutex
	first    chan struct{}
	released chan struct{}
	once     sync.Once
}

func newHeldOutput() *heldOutput {
	return &heldOutput{first: make(chan struct{}), released: make(chan struct{})}
}

func (w *heldOutput) Write(p []byte) (int, error) {
	select {
	case <-w.first:
		<-w.released
	default:
		close(w.first)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.Buffer.Write(p)
}

func (w *heldOutput) release() { w.once.Do(func() { close(w.released) }) }

func (w *heldOutput) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.Buffer.String()
}

// TestHeldOutputDoesNotHoldTheHistoryRead: history --folder read the
// share in one read transaction while it printed, so a pager paused on
// its first page (`| less`) held it open, and the window's writes
// meanwhile could not be checkpointed out of the WAL, which grew for as
// long as the pager waited. The list now passes through a spool: the
// read ends however slowly stdout takes it (a checkpoint of a write made
// meanwhile completes while stdout is still held), and stdout gets the
// same bytes as a run whose stdout never waits, with the same status.
func TestHeldOutputDoesNotHoldTheHistoryRead(t *testing.T) {
	const n = 3000 // about 1 MB of lines: more than the spool keeps in memory
	dir, _ := largeShare(t, n)
	home := os.Getenv(storage.HomeEnv)
	wantCode, want, wantErr := runCLI(t, "", "history", "--folder", dir)
	require.Equal(t, 0, wantCode, wantErr)

	out := newHeldOutput()
	t.Cleanup(out.release)
	var errOut bytes.Buffer
	exited := make(chan int, 1)
	go func() {
		exited <- Run(context.Background(), []string{"history", "--folder", dir}, IO{In: strings.NewReader(""), Out: out, Err: &errOut})
	}()
	select {
	case <-out.first:
	case <-time.After(30 * time.Second):
		t.Fatal("history printed nothing within 30 s")
	}

	db, err := storage.Open(home)
	require.NoError(t, err)
	_, err = db.AddHistory(storage.HistoryEntry{JobID: "meanwhile", Env: "production", Account: "someone@example.com",
		LocalPath: filepath.Join(t.TempDir(), "other.jpg"), Name: "other.jpg", Size: 1,
		Hash: fmt.Sprintf("bafkrei%052d", n+1), StartedAt: time.Now(), FinishedAt: time.Now()})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	awaitCheckpoint(t, filepath.Join(home, storage.DBFileName))

	out.release()
	select {
	case code := <-exited:
		assert.Equal(t, wantCode, code, errOut.String())
	case <-time.After(2 * time.Minute):
		t.Fatal("history did not end once stdout took the rest")
	}
	assert.Equal(t, want, out.String(), "the same bytes as when stdout never waits")
	assert.Equal(t, wantErr, errOut.String())
}

// awaitCheckpoint waits until the WAL of the database at path can be
// checkpointed whole, which no read transaction begun before its last
// write then holds (30 s at most: it only stops a hang).
func awaitCheckpoint(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer raw.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var busy, log, done int
		require.NoError(t, raw.QueryRow("PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &log, &done))
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WAL could not be checkpointed within 30 s (busy %d, %d frames, %d checkpointed): a read transaction is still open", busy, log, done)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSpoolPassesEverythingInOrder: what is written to a spool reaches
// its output whole and in order, also when the output waits long enough
// for most of it to go through the temporary file, or, where no file can
// be made, when the writer waits for the output; a write after the output
// failed fails with the output's error.
func TestSpoolPassesEverythingInOrder(t *testing.T) {
	for _, noFile := range []bool{false, true} {
		t.Run(map[bool]string{false: "through a file", true: "no file to be made"}[noFile], func(t *testing.T) {
			if noFile {
				spoolFile = func() (*os.File, error) { return nil, fmt.Errorf("no space left on device") }
				t.Cleanup(func() { spoolFile = defaultSpoolFile })
			}
			out := newHeldOutput()
			t.Cleanup(out.release)
			s := newSpool(out)
			var want bytes.Buffer
			wrote := make(chan error, 1)
			go func() {
				for i := range 20000 {
					line := fmt.Sprintf("line %05d %s\n", i, strings.Repeat("x", i%97))
					want.WriteString(line)
					if _, err := s.Write([]byte(line)); err != nil {
						wrote <- err
						return
					}
				}
				wrote <- nil
			}()
			if noFile {
				<-out.first // the writer waits for the output from here on
			} else {
				require.NoError(t, <-wrote, "written without waiting for the output")
			}
			out.release()
			if noFile {
				require.NoError(t, <-wrote)
			}
			require.NoError(t, s.Close())
			assert.Greater(t, want.Len(), 2*spoolMemory, "more than memory keeps")
			assert.Equal(t, want.String(), out.String())
		})
	}

	failing := newSpool(failingOutput{})
	_, _ = failing.Write([]byte("a"))
	assert.ErrorIs(t, failing.Close(), errStdoutGone)
	_, err := failing.Write([]byte("b"))
	assert.ErrorIs(t, err, errStdoutGone)
}

var errStdoutGone = fmt.Errorf("write |1: broken pipe")

var defaultSpoolFile = spoolFile

type failingOutput struct{}

func (failingOutput) Write([]byte) (int, error) { return 0, errStdoutGone }
