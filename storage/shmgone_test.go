package storage

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shmChildEnv tells the re-executed test binary to act as the other
// process of a test of a history whose -shm was deleted; its value is the
// JSON of the shmChild to run.
const shmChildEnv = "DSTOR_STORAGE_SHM_CHILD"

// shmChild is what the other process does: it opens the history in Dir,
// records Before entries from sampleEntry(First) on, moves the WAL into
// the file (PRAGMA wal_checkpoint(Checkpoint)), so its next write starts
// the WAL again from its first frame, as SQLite does once the WAL is all
// in the file, records After more, and closes the history.
type shmChild struct {
	Dir                  string
	First, Before, After int
	Checkpoint           string // PASSIVE (as a run does every 1000 pages) or RESTART
}

// shmWriterFirst and shmWriterEntries are the first sampleEntry number
// and the count of the entries shmWriter records.
const (
	shmWriterEntries = 20
	shmWriterFirst   = 1000
)

// shmWriter is the other process of
// TestAnotherProcessAfterTheSharedMemoryIsDeletedLosesNothing: another
// upload, half its entries in the WAL before a checkpoint, half after.
func shmWriter(dir string) shmChild {
	return shmChild{Dir: dir, First: shmWriterFirst, Before: shmWriterEntries / 2, After: shmWriterEntries / 2, Checkpoint: "PASSIVE"}
}

// TestHelperShmChild is not a test: run as a child process by
// runShmChild, it does what the shmChild in shmChildEnv says, prints the
// checkpoint's result and "recorded N", and exits 2 at the first error.
func TestHelperShmChild(t *testing.T) {
	spec := os.Getenv(shmChildEnv)
	if spec == "" {
		return // not the child
	}
	fail := func(what string, err error) {
		fmt.Println(what+":", err)
		os.Exit(2)
	}
	var c shmChild
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fail("spec", err)
	}
	d, err := Open(c.Dir)
	if err != nil {
		fail("open", err)
	}
	add := func(from, n int) {
		for i := range n {
			if _, err := d.AddHistory(sampleEntry(c.First + from + i)); err != nil {
				fail("add", err)
			}
		}
	}
	add(0, c.Before)
	var busy, logFrames, done int
	if err := d.w.QueryRow("PRAGMA wal_checkpoint("+c.Checkpoint+")").Scan(&busy, &logFrames, &done); err != nil {
		fail("checkpoint", err)
	}
	fmt.Printf("checkpoint busy=%d log=%d done=%d\n", busy, logFrames, done)
	add(c.Before, c.After)
	fmt.Printf("recorded %d\n", c.Before+c.After)
	if err := d.Close(); err != nil {
		fail("close", err)
	}
}

// runShmChild runs TestHelperShmChild as another process, doing c, to its
// end, and returns what it printed.
func runShmChild(t *testing.T, c shmChild) string {
	t.Helper()
	spec, err := json.Marshal(c)
	require.NoError(t, err)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperShmChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), shmChildEnv+"="+string(spec))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "recorded "+strconv.Itoa(c.Before+c.After), "%s", out)
	return string(out)
}

// TestAnotherProcessAfterTheSharedMemoryIsDeletedLosesNothing: another
// program deletes the history's -shm (SQLite's index of the WAL, shared by
// the processes that use the history, which also holds their locks) while
// a run has it open, or puts another file in its place. The run goes on
// with the -shm it mapped; a process started since (another upload, the
// window) makes a new one: the two then write into one WAL, each with its
// own index and its own locks. Seen by hand: two uploads on one data
// folder, the first of 300 files, the -shm deleted 1.5 s into it: the
// history was damaged ("database disk image is malformed"), and with the
// first run ending last, it moved the WAL into the file as its own index
// had it and deleted it, so the entries of the other run were lost. A
// write of a run whose -shm is gone now fails, naming it, as for the -wal
// (TestWritesAfterTheJournalIsDeletedFail), and its close leaves the WAL
// to the processes that share the -shm at the path; what each recorded is
// in the history, once, in a sound file.
//
// The -wal deleted with it (a cleanup of both): what the run recorded
// before is in the -wal it holds open and nowhere else. It is moved into
// the file when the run finds both gone before another process opened the
// history; once one has, that process wrote on the file without it, and
// it is left out (its links were shown): seen before, the run's close
// deleted the other process's -wal (5 entries left of 25, 15 when the run
// wrote first).
func TestAnotherProcessAfterTheSharedMemoryIsDeletedLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, shm string)
		walToo bool
	}{
		{"deleted", func(t *testing.T, shm string) { skipIfHeldOpen(t, os.Remove(shm)) }, false},
		{"replaced by another file", func(t *testing.T, shm string) {
			require.NoError(t, os.WriteFile(shm+".new", nil, 0o600))
			skipIfHeldOpen(t, os.Rename(shm+".new", shm))
		}, false},
		{"deleted with the -wal", func(t *testing.T, shm string) {
			skipIfHeldOpen(t, os.Remove(strings.TrimSuffix(shm, "-shm")+"-wal"))
			skipIfHeldOpen(t, os.Remove(shm))
		}, true},
	} {
		for _, writesFirst := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, the run writes again first: %v", tc.name, writesFirst), func(t *testing.T) {
				dir := t.TempDir()
				d, err := Open(dir)
				require.NoError(t, err)
				defer d.Close()
				path := filepath.Join(dir, DBFileName)
				for i := range 5 {
					_, err := d.AddHistory(sampleEntry(i))
					require.NoError(t, err)
				}

				tc.change(t, path+"-shm")
				var errs []error
				if writesFirst {
					_, err := d.AddHistory(sampleEntry(100))
					errs = append(errs, err)
				}
				runShmChild(t, shmWriter(dir))
				_, err = d.AddHistory(sampleEntry(101))
				errs = append(errs, err)

				for _, err := range errs {
					require.Error(t, err, "a write through an index of the WAL no other process uses must not count as written")
					var gone *ReplacedError
					require.ErrorAs(t, err, &gone)
					assert.True(t, gone.Journal, "the journal, not the file, was deleted or replaced")
					assert.Contains(t, err.Error(), "the journal of the upload history "+path+" ("+path+"-shm) was deleted or replaced by another program")
				}
				require.NoError(t, d.Close())

				d, err = Open(dir)
				require.NoError(t, err)
				var check string
				require.NoError(t, d.r.QueryRow("PRAGMA integrity_check").Scan(&check))
				assert.Equal(t, "ok", check)
				before := 1 // the run's entries from before, once each
				if tc.walToo && !writesFirst {
					before = 0 // only in the -wal deleted, found gone after the other process wrote
				}
				assertHistoryCount(t, d, "", 5*before+shmWriterEntries, "the run's entries from before (%d times each) and the other process's, once each", before)
				for _, i := range []int{0, 4} {
					assertHistoryCount(t, d, strings.TrimPrefix(sampleEntry(i).Name, "IMG_"), before, "entry %d", i)
				}
				for _, i := range []int{shmWriterFirst, shmWriterFirst + shmWriterEntries - 1} {
					assertHistoryCount(t, d, strings.TrimPrefix(sampleEntry(i).Name, "IMG_"), 1, "entry %d", i)
				}
			})
		}
	}
}

// TestCloseAfterTheJournalAndItsIndexAreDeletedKeepsTheRun: a cleanup
// deletes the -wal and the -shm of a run's history, and no other process
// opens it before the run ends, writing nothing more: what the run
// recorded is only in the -wal it holds open, and its close moves it into
// the file, as for the -wal alone (TestCloseCarryingOverAfterTheJournalIsDeleted).
func TestCloseAfterTheJournalAndItsIndexAreDeletedKeepsTheRun(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	for i := range 5 {
		_, err := d.AddHistory(sampleEntry(i))
		require.NoError(t, err)
	}
	path := filepath.Join(dir, DBFileName)
	skipIfHeldOpen(t, os.Remove(path+"-wal"))
	skipIfHeldOpen(t, os.Remove(path+"-shm"))
	require.NoError(t, d.Close())

	d, err = Open(dir)
	require.NoError(t, err)
	var check string
	require.NoError(t, d.r.QueryRow("PRAGMA integrity_check").Scan(&check))
	assert.Equal(t, "ok", check)
	assertHistoryCount(t, d, "", 5, "the run's entries, once each")
}

// TestReadsThatDecideWhatIsLeftFailOnceTheSharedMemoryIsFoundGone: a run's
// -shm is deleted, another process (another upload) records its entries
// through a new one, moving the WAL into the file and writing it again from
// its first frame, and the run's next write fails with the -shm's
// *ReplacedError (TestAnotherProcessAfterTheSharedMemoryIsDeletedLosesNothing).
// The run's reads still went through its old index of the WAL: here they
// answered the queue as the run last saw it (10 queued rows, counts of 10);
// by hand (two uploads on one data folder) the read of the uploads not
// reported yet said "the upload history … is damaged", and helper-222 saw
// the first run wait forever for queued jobs. The reads that decide what
// is left to upload (the queue's next jobs, its counts, the uploads not
// reported yet) now fail with the same *ReplacedError once d knows the -shm
// went, as its writes do.
func TestReadsThatDecideWhatIsLeftFailOnceTheSharedMemoryIsFoundGone(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	path := filepath.Join(dir, DBFileName)
	windowJobs(t, d, 10, JobQueued)
	next, err := d.QueuedJobs("testnet", "a@example.com", JobQueued, 0, 100)
	require.NoError(t, err)
	require.Len(t, next, 10)

	skipIfHeldOpen(t, os.Remove(path+"-shm"))
	runShmChild(t, shmWriter(dir))
	_, err = d.AddHistory(sampleEntry(101))
	var gone *ReplacedError
	require.ErrorAs(t, err, &gone, "the write finds the -shm gone")

	for name, read := range map[string]func() error{
		"QueuedJobs": func() error {
			_, err := d.QueuedJobs("testnet", "a@example.com", JobQueued, 0, 100)
			return err
		},
		"UnreportedDone": func() error {
			_, err := d.UnreportedDone("testnet", "a@example.com")
			return err
		},
		"JobCounts": func() error {
			_, err := d.JobCounts("testnet", "a@example.com")
			return err
		},
	} {
		err := read()
		require.Error(t, err, "%s: a read through an index of the WAL no other process uses must not be taken for the queue", name)
		require.ErrorAs(t, err, &gone, name)
		assert.True(t, gone.SharedMemory, name)
		assert.Contains(t, err.Error(), "("+path+"-shm) was deleted or replaced by another program", name)
	}
}
