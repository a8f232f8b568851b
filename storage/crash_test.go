package storage

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crashDirEnv tells the re-executed test binary to act as the crashing
// writer in TestCrashMidWriteKeepsCommittedData.
const crashDirEnv = "DSTOR_STORAGE_CRASH_DIR"

// crashBatch is how many jobs the child commits per transaction.
const crashBatch = 25

// TestHelperCrashWriter is not a test: run as a child process by
// TestCrashMidWriteKeepsCommittedData, it writes forever — a batch of jobs,
// then a finished job with its history entry — printing "committed N" after
// each commit, until it is killed.
func TestHelperCrashWriter(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return // not the child
	}
	d, err := Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	for n := 1; ; n++ {
		rows := sampleJobs(crashBatch, strconv.Itoa(n))
		if err := d.InsertJobs(rows); err != nil {
			fmt.Println("insert:", err)
			os.Exit(2)
		}
		if err := d.UpdateJob(rows[0].ID, JobUploading, 1, ""); err != nil {
			fmt.Println("update:", err)
			os.Exit(2)
		}
		if err := d.FinishJob(JobRow{ID: rows[0].ID, Hash: fakeCID(n), Verified: true, Attempts: 1},
			HistoryEntry{Name: rows[0].Name, Hash: fakeCID(n)}); err != nil {
			fmt.Println("finish:", err)
			os.Exit(2)
		}
		if err := d.UpdateJob(rows[1].ID, JobUploading, 1, ""); err != nil { // in flight at the kill
			fmt.Println("update:", err)
			os.Exit(2)
		}
		fmt.Printf("committed %d\n", n)
	}
}

// TestCrashMidWriteKeepsCommittedData SIGKILLs a process in the middle of its
// write loop, then checks that Open succeeds, the file is intact, everything
// the child reported as committed is there, no transaction is half applied,
// and RequeueInterrupted recovers the in-flight jobs.
func TestCrashMidWriteKeepsCommittedData(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrashWriter$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	const killAfter = 40 // committed loops
	reported := 0
	sc := bufio.NewScanner(out)
	// Only against a hang: 160 transactions synced to disk can take long
	// on a busy machine.
	start := time.Now()
	deadline := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	for sc.Scan() {
		line := sc.Text()
		n, ok := strings.CutPrefix(line, "committed ")
		if !ok {
			t.Logf("child: %s", line)
			continue
		}
		reported, err = strconv.Atoi(n)
		require.NoError(t, err)
		if reported >= killAfter {
			require.NoError(t, cmd.Process.Kill()) // SIGKILL on Unix
			break
		}
	}
	deadline.Stop()
	_ = cmd.Wait()
	require.GreaterOrEqual(t, reported, killAfter, "the child ran long enough to be killed mid-write (it ran %s)", time.Since(start).Round(time.Millisecond))

	d, err := Open(dir)
	require.NoError(t, err, "the database opens after a kill")
	defer d.Close()

	var integrity string
	require.NoError(t, d.w.QueryRow(`PRAGMA integrity_check`).Scan(&integrity))
	assert.Equal(t, "ok", integrity)

	jobs, err := d.Jobs()
	require.NoError(t, err)
	t.Logf("child reported %d commits; found %d batches", reported, len(jobs)/crashBatch)
	assert.GreaterOrEqual(t, len(jobs), reported*crashBatch, "every reported commit survived")
	assert.Zero(t, len(jobs)%crashBatch, "no batch is half inserted")

	done, err := d.Jobs(JobDone)
	require.NoError(t, err)
	hist, err := d.HistoryCount("")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(done), reported)
	assert.Equal(t, len(done), hist, "every done job has exactly one history entry and vice versa")
	for _, j := range done {
		page, err := d.HistoryPage(HistoryQuery{Search: j.Hash})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, j.ID, page[0].JobID)
	}

	requeued, err := d.RequeueInterrupted()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, requeued, reported, "jobs in flight at the kill go back to the queue")
	uploading, err := d.Jobs(JobUploading)
	require.NoError(t, err)
	assert.Empty(t, uploading)
}
