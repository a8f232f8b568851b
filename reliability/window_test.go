package reliability

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// relKillWindow: rounds × (the real window, signed in to its built-in
// sandbox, given a folder of n files on its command line as "Open with"
// does; SIGKILL at a random point; the window started again with no
// arguments must finish the queue on its own). The sandbox runs inside the
// window's process, so each kill takes the server down too, as a crash of
// the app would.
func relKillWindow(t *testing.T, sec *relSection, rounds, n int) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: make test and make reliability run the suite under Xvfb")
	}
	rng := testRand(t, 8)
	var kills, cleanOpen, finished, beforeSaved int
	var hist historyCheck
	var killPoints []string
	for round := range rounds {
		home := t.TempDir()
		dir := filepath.Join(t.TempDir(), fmt.Sprintf("window-%02d", round))
		sizes := make([]int, n)
		for i := range sizes {
			sizes[i] = 200 + rng.IntN(3000)
		}
		files := testutil.WriteFiles(t, dir, fmt.Sprintf("w%02d", round), sizes)

		start := time.Now()
		app := startWindow(t, home, "--env", "sandbox", dir)
		target := rng.IntN(n)
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) && historyCount(home) < target {
			time.Sleep(2 * time.Millisecond)
		}
		if target == 0 {
			time.Sleep(time.Duration(rng.IntN(1500)) * time.Millisecond)
		}
		app.kill()
		kills++
		killPoints = append(killPoints, fmt.Sprint(historyCount(home)))
		t.Logf("round %d: target %d entries, killed after %s at %s", round, target, time.Since(start).Round(time.Millisecond), killPoints[len(killPoints)-1])
		if res, _ := dbIntegrity(t, home); res == "ok" {
			cleanOpen++
		} else {
			t.Errorf("round %d: integrity_check after the kill: %s", round, res)
		}

		// Started again with no files: it signs in to its sandbox and
		// resumes. If the kill came before the folder reached the database
		// (the window was still starting), that run never began: the
		// person adds the folder again.
		args := []string{"--env", "sandbox"}
		if !queueKnows(home, dir) {
			beforeSaved++
			args = append(args, dir)
		}
		restart := time.Now()
		app = startWindow(t, home, args...)
		// A child process's database: polled, as nothing else tells; the
		// bound is only against a hang.
		deadline = time.Now().Add(5 * time.Minute)
		for time.Now().Before(deadline) && (historyCount(home) < n || unfinishedJobs(home) > 0) {
			time.Sleep(20 * time.Millisecond)
		}
		if historyCount(home) >= n && unfinishedJobs(home) == 0 {
			finished++
			t.Logf("round %d: the restarted window finished in %s", round, time.Since(restart).Round(time.Millisecond))
		} else {
			t.Errorf("round %d: the restarted window did not finish the queue in %s: %d of %d in the history", round,
				time.Since(restart).Round(time.Second), historyCount(home), n)
		}
		app.kill()

		db, err := storage.Open(home)
		require.NoError(t, err)
		seen := map[string][]string{}
		for q := (storage.HistoryQuery{Limit: 1000}); ; {
			page, err := db.HistoryPage(q)
			require.NoError(t, err)
			for _, e := range page {
				seen[e.LocalPath] = append(seen[e.LocalPath], e.Hash)
			}
			if len(page) < q.Limit {
				break
			}
			last := page[len(page)-1]
			q.BeforeID, q.BeforeFinishedAt = last.ID, last.FinishedAt
		}
		require.NoError(t, db.Close())
		hist.round(t, round, files, seen)
	}
	assert.Equal(t, rounds, cleanOpen)
	assert.Equal(t, rounds, finished)
	assert.Equal(t, rounds, hist.exactlyOnce)
	t.Logf("window kill points (history entries at the kill): %s; %d kills before the folder was saved", strings.Join(killPoints, ", "), beforeSaved)
	sec.add(fmt.Sprintf("the window (`dstor-uploader --env sandbox FOLDER`, its sandbox in the same process) with a %d-file folder, SIGKILL at a random point, then started again with no arguments", n),
		fmt.Sprintf("%d kills at random points", kills),
		fmt.Sprintf("%d/%d restarts finished the queue by themselves; %s; database clean after %d/%d kills",
			finished, rounds, hist.summary(rounds), cleanOpen, kills))
}

// windowProcess is the real window running as a child process.
type windowProcess struct {
	cmd *exec.Cmd
}

// startWindow runs this test binary as `dstor-uploader ARGS...` (see
// TestMain) with its data under home.
func startWindow(t *testing.T, home string, args ...string) *windowProcess {
	t.Helper()
	cmd := testutil.ChildCommand(args...)
	cmd.Env = append(cmd.Env,
		storage.HomeEnv+"="+home,
		"LANG=C.UTF-8")
	require.NoError(t, cmd.Start())
	w := &windowProcess{cmd: cmd}
	t.Cleanup(w.kill)
	return w
}

func (w *windowProcess) kill() {
	if w.cmd.ProcessState != nil {
		return
	}
	_ = w.cmd.Process.Signal(syscall.SIGKILL)
	_ = w.cmd.Wait()
}

// historyCount reads how many entries the history has, while the window
// may be writing (0 until the database exists).
func historyCount(home string) int {
	return countRows(home, `SELECT count(*) FROM history`)
}

// unfinishedJobs counts the queue's jobs still to upload.
func unfinishedJobs(home string) int {
	return countRows(home, `SELECT count(*) FROM jobs WHERE state IN ('queued', 'uploading', 'waiting-sign-in')`) +
		countRows(home, `SELECT count(*) FROM walks`)
}

// queueKnows reports whether the database holds the folder: a job of one of
// its files, or its walk. The files' paths use the system's separator (a
// "/" pattern matched none on Windows, and the restart added the folder
// again beside its resumed queue).
func queueKnows(home, dir string) bool {
	return countRows(home, `SELECT count(*) FROM jobs WHERE local_path LIKE ?`, filepath.Join(dir, "%")) > 0 ||
		countRows(home, `SELECT count(*) FROM walks`) > 0
}

func countRows(home, query string, args ...any) int {
	p := filepath.Join(home, storage.DBFileName)
	if _, err := os.Stat(p); err != nil {
		return 0
	}
	db, err := sql.Open("sqlite", "file:"+p+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return 0
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int
	if err := db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0
	}
	return n
}
