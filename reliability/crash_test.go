package reliability

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/cli"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// historyWriterEnv makes the re-executed test binary act as the history
// writer of the kill-during-insert test (TestHelperHistoryWriter).
const historyWriterEnv = "DSTOR_TEST_HISTORY_WRITER_DIR"

func relCrashes(t *testing.T, rep *relReport) {
	rounds, files := 2, 60
	writerKills := 3
	windowRounds, windowFiles := 1, 40
	if relFull {
		rounds, files, writerKills = 20, 500, 20
		windowRounds, windowFiles = 20, 500
	}
	sec := rep.section("Crashes",
		"The CLI and the window run as real child processes and are killed with SIGKILL; `dstor-uploader resume`, or the "+
			"window started again, then finishes the queue. The database is checked with SQLite's `PRAGMA integrity_check` "+
			"after every kill.",
		"what", "tried", "survived")
	t.Run("CLI killed mid-queue", func(t *testing.T) { relKillCLI(t, sec, rounds, files) })
	if relFull {
		// The queue lives in the database, read a window at a time: a
		// kill with a hundred thousand files queued resumes the same way.
		t.Run("CLI killed with 100,000 files queued", func(t *testing.T) { relKillCLI(t, sec, bigQueueRounds(t), bigQueueFiles) })
	}
	t.Run("window killed mid-queue", func(t *testing.T) { relKillWindow(t, sec, windowRounds, windowFiles) })
	t.Run("killed during history inserts", func(t *testing.T) { relKillHistoryWriter(t, sec, writerKills) })
}

// bigQueueFiles is the size of the folder of the kill rounds with a big
// queue.
const bigQueueFiles = 100_000

// bigQueueRoundsEnv sets how many kill rounds the full suite runs with
// bigQueueFiles queued (default 1: each round lists, uploads and checks
// the whole folder, minutes on a busy machine).
const bigQueueRoundsEnv = "DSTOR_RELIABILITY_BIG_ROUNDS"

// bigQueueRounds is the number of big-queue kill rounds bigQueueRoundsEnv
// asks for.
func bigQueueRounds(t *testing.T) int {
	t.Helper()
	s := os.Getenv(bigQueueRoundsEnv)
	if s == "" {
		return 1
	}
	n, err := strconv.Atoi(s)
	require.NoError(t, err, "%s must be a whole number", bigQueueRoundsEnv)
	require.Positive(t, n, "%s must be at least 1", bigQueueRoundsEnv)
	return n
}

// relKillCLI: rounds × (queue of n files, SIGKILL at a random point, resume).
func relKillCLI(t *testing.T, sec *relSection, rounds, n int) {
	rs := testutil.StartSandbox(t, sandbox.Config{})
	t.Setenv(cli.APIKeyEnv, rs.Key)
	rng := testRand(t, 6)
	var (
		kills, midQueue, cleanOpen, resumed                  int
		notListed, partialListing, beforeSaved, lostUnqueued int
		killPoints                                           []string
		hist                                                 historyCheck
	)
	for round := range rounds {
		home := t.TempDir()
		t.Setenv(storage.HomeEnv, home)
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("queue-%02d", round))
		sizes := make([]int, n)
		for i := range sizes {
			sizes[i] = 200 + rng.IntN(3000)
		}
		files := testutil.WriteFiles(t, dir, fmt.Sprintf("r%02d", round), sizes)
		before := len(rs.Srv.Uploads(rs.Acc.ID))

		cmd := testutil.ChildCommand("upload", "--env", rs.URL, "--concurrency", "3", dir)
		cmd.Stdout, cmd.Stderr = nil, nil
		start := time.Now()
		require.NoError(t, cmd.Start())
		// A random point: after a random number of accepted uploads (0 means
		// while the folder is still being listed and queued, at a random
		// time after the start: the random point is what is tested).
		target := rng.IntN(n)
		deadline := time.Now().Add(30 * time.Second)
		if target == 0 {
			time.Sleep(time.Duration(rng.IntN(150)) * time.Millisecond)
		} else {
			for time.Now().Before(deadline) && len(rs.Srv.Uploads(rs.Acc.ID))-before < target {
				time.Sleep(time.Millisecond)
			}
		}
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()
		kills++
		killedAfter := time.Since(start)
		at := len(rs.Srv.Uploads(rs.Acc.ID)) - before
		t.Logf("round %d: target %d uploads, killed after %s at %d", round, target, killedAfter.Round(time.Millisecond), at)
		if at < n {
			midQueue++
		}
		killPoints = append(killPoints, strconv.Itoa(at))

		if res, _ := dbIntegrity(t, home); res == "ok" {
			cleanOpen++
		} else {
			t.Errorf("round %d: integrity_check after the kill: %s", round, res)
		}
		// What the database knew at the kill: the files with a job row,
		// and the requests still being listed (walk rows), whose other
		// files resume must list. The worker saves a folder's jobs in
		// batches while listing it, but the folder itself before that.
		queued := map[string]bool{}
		db, err := storage.Open(home)
		require.NoError(t, err)
		rows, err := db.Jobs()
		require.NoError(t, err)
		require.NoError(t, db.Close())
		for _, r := range rows {
			queued[r.LocalPath] = true
		}
		walking := walkPaths(t, home)
		var unlisted, unknown []string
		for _, f := range files {
			if queued[f] {
				continue
			}
			unlisted = append(unlisted, f)
			if !underAny(f, walking) {
				unknown = append(unknown, f)
			}
		}
		// Killed before the folder reached the database (the CLI was still
		// starting: signing in, opening the queue): that run never began,
		// and the person runs it again. Otherwise nothing may be unknown.
		saved := len(rows) > 0 || len(walking) > 0
		if saved {
			notListed += len(unlisted)
			if len(unlisted) > 0 && len(unlisted) < n {
				partialListing++
			}
			lostUnqueued += len(unknown)
		} else {
			beforeSaved++
		}
		var code int
		var errOut string
		resumeStart := time.Now()
		// Minutes for a small queue; a big one uploads for longer.
		withDeadline(t, 3*time.Minute+time.Duration(n)*10*time.Millisecond, "dstor-uploader resume", func() {
			code, _, errOut = runCLI(t, "", "resume", "--env", rs.URL)
		})
		t.Logf("round %d: resume took %s", round, time.Since(resumeStart).Round(time.Millisecond))
		if code == 0 {
			resumed++
		} else {
			t.Errorf("round %d: resume exited %d: %s", round, code, errOut)
		}
		if !saved {
			code, _, errOut = runCLI(t, "", "upload", "--env", rs.URL, dir)
			require.Equal(t, 0, code, errOut)
		}

		seen := map[string][]string{}
		for _, r := range historyJSON(t) {
			seen[r.LocalPath] = append(seen[r.LocalPath], r.Hash)
		}
		hist.round(t, round, files, seen)
	}
	assert.Equal(t, rounds, cleanOpen)
	assert.Equal(t, rounds, resumed)
	assert.Equal(t, rounds, hist.exactlyOnce)
	assert.Zero(t, lostUnqueued, "files of a saved folder that the database did not know at the kill")
	t.Logf("kill points (uploads accepted before the kill): %s; %d of %d kills before the last upload", strings.Join(killPoints, ", "), midQueue, kills)
	t.Logf("files not yet listed into the queue at the kill, listed by resume: %d (in %d rounds with a partly listed folder); "+
		"%d kills before the folder was saved (the run had not begun); files lost: %d", notListed, partialListing, beforeSaved, lostUnqueued)
	sec.add(fmt.Sprintf("CLI `upload` of a %d-file folder, SIGKILL at a random point, then `resume`", n),
		fmt.Sprintf("%d kills at random points", kills),
		fmt.Sprintf("%d/%d restarts completed the queue; %s; files not yet listed at the kill: all listed by `resume` (%d lost); "+
			"database clean after %d/%d kills",
			resumed, rounds, hist.summary(rounds), lostUnqueued, cleanOpen, kills))
}

// historyCheck counts, over the rounds of a kill test, the rounds whose
// history holds every file exactly once with its CID, and what was wrong
// in the others.
type historyCheck struct {
	exactlyOnce, missing, dup, wrongHash int
}

// round checks that every file is in seen (history hashes by local path)
// exactly once with its CID and nothing else is, counts what is not, and
// fails the test (which goes on) when that round is not clean.
func (c *historyCheck) round(t *testing.T, round int, files []string, seen map[string][]string) {
	t.Helper()
	ok := len(seen) == len(files)
	for _, f := range files {
		switch h := seen[f]; {
		case len(h) == 0:
			c.missing++
			ok = false
		case len(h) > 1:
			c.dup++
			ok = false
		case h[0] != testutil.CIDOf(t, f):
			c.wrongHash++
			ok = false
		}
	}
	if ok {
		c.exactlyOnce++
	} else {
		t.Errorf("round %d: not every file is in the history exactly once with its CID", round)
	}
}

// summary is what the table says of the rounds checked.
func (c historyCheck) summary(rounds int) string {
	return fmt.Sprintf("%d/%d rounds with every file in the history exactly once with its CID (%d missing, %d duplicates, %d wrong hashes)",
		c.exactlyOnce, rounds, c.missing, c.dup, c.wrongHash)
}

// walkPaths lists the paths of the requests a queue had saved but not
// finished listing (the walks table) in the database under dir.
func walkPaths(t *testing.T, dir string) []string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, storage.DBFileName)+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT path FROM walks ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		require.NoError(t, rows.Scan(&p))
		out = append(out, p)
	}
	require.NoError(t, rows.Err())
	return out
}

// underAny reports whether the file f is one of roots or inside one.
func underAny(f string, roots []string) bool {
	for _, r := range roots {
		if f == r || strings.HasPrefix(f, strings.TrimSuffix(r, string(filepath.Separator))+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// TestHelperHistoryWriter is not a test: run as a child process by the
// kill-during-insert test, it adds history entries one transaction at a
// time, printing "committed N" after each, until it is killed.
func TestHelperHistoryWriter(t *testing.T) {
	dir := os.Getenv(historyWriterEnv)
	if dir == "" {
		return // not the child
	}
	db, err := storage.Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	for n := 1; ; n++ {
		name := fmt.Sprintf("file-%06d.bin %s", n, strings.Repeat("x", n%200))
		if _, err := db.AddHistory(storage.HistoryEntry{
			JobID: fmt.Sprintf("job-%d", n), Env: "http://127.0.0.1:1", Account: "crash",
			LocalPath: "/tmp/" + name, Name: name, Size: int64(n), Hash: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
			Verified: true, Comment: strings.Repeat("c", n%500), StartedAt: time.Now(), FinishedAt: time.Now(), Attempts: 1,
		}); err != nil {
			fmt.Println("insert:", err)
			os.Exit(2)
		}
		fmt.Printf("committed %d\n", n)
	}
}

// relKillHistoryWriter kills a process in the middle of its stream of
// history inserts, at a random point, and checks the database opens cleanly
// with every committed entry.
func relKillHistoryWriter(t *testing.T, sec *relSection, kills int) {
	rng := testRand(t, 7)
	clean, complete, opened := 0, 0, 0
	for i := range kills {
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHistoryWriter$", "-test.count=1")
		cmd.Env = append(os.Environ(), historyWriterEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		var errBuf bytes.Buffer
		cmd.Stderr = &errBuf
		require.NoError(t, cmd.Start())
		killAt := 20 + rng.IntN(200)
		committed := 0
		// Only against a hang: a busy machine may take long for 220
		// transactions, each synced to disk.
		guard := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "committed "); ok {
				committed, _ = strconv.Atoi(v)
				if committed >= killAt {
					// The child is already in its next insert.
					require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
					break
				}
			} else {
				t.Logf("writer: %s", sc.Text())
			}
		}
		guard.Stop()
		_ = cmd.Wait()
		require.GreaterOrEqual(t, committed, killAt, "kill %d: the writer ran (%s)", i, errBuf.String())

		res, rows := dbIntegrity(t, dir)
		if res == "ok" {
			clean++
		}
		if rows >= committed {
			complete++
		}
		db, err := storage.Open(dir)
		if assert.NoError(t, err, "the app opens the database after the kill") {
			n, err := db.HistoryCount("")
			assert.NoError(t, err)
			assert.GreaterOrEqual(t, n, committed)
			_, err = db.AddHistory(storage.HistoryEntry{JobID: "after-kill", Name: "after", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"})
			assert.NoError(t, err, "and can write to it")
			require.NoError(t, db.Close())
			opened++
		}
	}
	assert.Equal(t, kills, clean)
	assert.Equal(t, kills, complete)
	sec.add("process adding history entries (one transaction each), SIGKILL at a random entry",
		fmt.Sprintf("%d kills", kills),
		fmt.Sprintf("integrity_check ok %d/%d; every committed entry present %d/%d; app opened and wrote to the database %d/%d",
			clean, kills, complete, kills, opened, kills))
}
