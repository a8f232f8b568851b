package reliability

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// alreadyQueuedLine is the command line's word for files named again while
// they still wait in the queue: "… not added again: N files (…)" or the one
// path.
var alreadyQueuedLine = regexp.MustCompile(`Already in the queue, not added again: (?:(\d+) files|.)`)

// killedQueue is what the database of a killed run held: the files it had
// recorded as uploaded, those still waiting in its queue, and its batches.
type killedQueue struct {
	recorded, waiting, batches map[string]bool
}

// readKilledQueue reads home's database after a kill.
func readKilledQueue(t *testing.T, home string) killedQueue {
	t.Helper()
	db, err := storage.Open(home)
	require.NoError(t, err)
	k := killedQueue{recorded: map[string]bool{}, waiting: map[string]bool{}, batches: map[string]bool{}}
	for _, e := range allHistory(t, db) {
		k.recorded[e.LocalPath] = true
	}
	rows, err := db.Jobs()
	require.NoError(t, err)
	for _, r := range rows {
		k.batches[r.BatchID] = true
		switch r.State {
		case storage.JobQueued, storage.JobUploading, storage.JobWaitingSignIn:
			k.waiting[r.LocalPath] = true
		}
	}
	require.NoError(t, db.Close())
	// A folder still being listed: its batch may have no job yet.
	raw := openRawDB(t)
	defer raw.Close()
	walks, err := raw.Query(`SELECT batch_id FROM walks`)
	require.NoError(t, err)
	defer walks.Close()
	for walks.Next() {
		var b string
		require.NoError(t, walks.Scan(&b))
		k.batches[b] = true
	}
	require.NoError(t, walks.Err())
	return k
}

// filesOfNewBatches counts the files that batches other than old have a
// job for in home's database: what `upload DIR` named again queued (or
// found already uploaded); the rest it left out as already queued.
func filesOfNewBatches(t *testing.T, home string, old map[string]bool) int {
	t.Helper()
	db, err := storage.Open(home)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Jobs()
	require.NoError(t, err)
	paths := map[string]bool{}
	for _, r := range rows {
		if !old[r.BatchID] {
			paths[r.LocalPath] = true
		}
	}
	return len(paths)
}

// killedThenAddedAgainCase: `upload DIR` killed (SIGKILL) once some but not
// all of its files are in the sandbox, then the same DIR named again
// (alternate rounds: `upload DIR` at once; `resume`, then `upload DIR`).
// Every file must reach the sandbox once: only an upload the sandbox
// accepted but the killed run had not recorded yet may be sent again (the
// documented crash window), never a file because it was named twice; and
// `upload` must say how many files it left out as already queued.
func killedThenAddedAgainCase(rounds, n int) trustCase {
	return trustCase{
		name: "a folder named again after a kill while its files wait in the queue",
		tried: fmt.Sprintf("%d rounds: `upload DIR` (%d files) as a child process, SIGKILL after a random number of uploads, "+
			"then `upload DIR` again (even rounds) or `resume` and `upload DIR` (odd rounds); the sandbox's stored adds counted per file", rounds, n),
		want: "every file stored once (a second time only if the killed run had sent it but not recorded it); the files left waiting named as already queued",
		run: func(t *testing.T) (string, bool) {
			f, url := startFront(t, sandbox.Config{})
			sb := f.sb
			sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Count: -1, Delay: 10 * time.Millisecond})
			rng := testRand(t, 13)
			good, twiceByName, resentUnrecorded, toldWrong, toldTotal := 0, 0, 0, 0, 0
			var points []string
			for round := range rounds {
				home := t.TempDir()
				t.Setenv(storage.HomeEnv, home)
				dir := filepath.Join(t.TempDir(), fmt.Sprintf("again-%02d", round))
				files := testutil.WriteFiles(t, dir, fmt.Sprintf("g%02d", round), testutil.Sizes(n, func(int) int { return 200 + rng.IntN(800) }))
				folder := "/" + filepath.Base(dir) + "/"
				stored := func() map[string]int {
					m := map[string]int{}
					for _, u := range sb.Srv.Uploads(sb.Acc.ID) {
						if u.FolderPath == folder {
							m[u.Name]++
						}
					}
					return m
				}

				cmd := testutil.ChildCommand("upload", "--env", url, "--concurrency", "3", dir)
				var errOut bytes.Buffer
				cmd.Stderr = &errOut
				child := f.childStarts()
				require.NoError(t, cmd.Start())
				target := 1 + rng.IntN(n-1) // some, not all
				deadline := time.Now().Add(time.Minute)
				for len(stored()) < target && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
				_ = cmd.Wait()
				// An upload whose body had reached the sandbox is still
				// stored after the kill: what the killed run sent is known
				// once the sandbox has served every request of it, and its
				// connections are closed (a request still in one, not yet
				// served, was counted as not sent, then stored).
				require.True(t, f.childServed(t, url, child, deadline.Add(time.Minute)), "the killed run's connections closed")
				sentByKilled := stored()
				points = append(points, strconv.Itoa(len(sentByKilled)))
				atKill := readKilledQueue(t, home)
				t.Logf("round %d: killed with %d stored, %d recorded, %d waiting", round, len(sentByKilled), len(atKill.recorded), len(atKill.waiting))

				var code int
				var againErr string
				if round%2 == 1 {
					code, _, againErr = runCLI(t, "", "resume", "--env", url)
					require.Equal(t, 0, code, againErr)
				}
				code, _, againErr = runCLI(t, "", "upload", "--env", url, dir)
				require.Equal(t, 0, code, againErr)
				leftOut := n - filesOfNewBatches(t, home, atKill.batches)
				code, _, resumeErr := runCLI(t, "", "resume", "--env", url)
				require.Equal(t, 0, code, resumeErr)

				roundOK := true
				after := stored()
				for _, f := range files {
					name := filepath.Base(f)
					switch n := after[name]; {
					case n == 1:
					case n == 2 && sentByKilled[name] > 0 && !atKill.recorded[f]:
						resentUnrecorded++
					default:
						twiceByName++
						roundOK = false
						t.Logf("round %d: %s stored %d times (sent by the killed run: %d, recorded: %v)", round, name, n, sentByKilled[name], atKill.recorded[f])
					}
				}
				// Told exactly what was left out; a file waiting at the kill
				// may be uploaded before the new listing reaches it (then
				// it is already uploaded), so at most those were left out.
				mostLeftOut := n - len(atKill.recorded) // waiting, or still to be listed
				if round%2 == 1 {
					mostLeftOut = 0 // resume uploaded them first
				}
				if told := toldAlreadyQueued(againErr); told != leftOut || leftOut > mostLeftOut {
					toldWrong++
					roundOK = false
					t.Logf("round %d: %d waiting at the kill, %d left out, told %d: %s", round, len(atKill.waiting), leftOut, told, againErr)
				}
				toldTotal += leftOut
				if roundOK {
					good++
				}
			}
			seen := fmt.Sprintf("%d/%d rounds exact (killed after %s stored adds); %d stored twice because named again, %d sent again "+
				"because accepted but not recorded at the kill; %d files left out as already queued and said so, %d rounds told wrongly",
				good, rounds, strings.Join(points, ", "), twiceByName, resentUnrecorded, toldTotal, toldWrong)
			return seen, good == rounds
		},
	}
}

// toldAlreadyQueued is how many files the command line said it left out
// as already queued.
func toldAlreadyQueued(stderr string) int {
	total := 0
	for _, m := range alreadyQueuedLine.FindAllStringSubmatch(stderr, -1) {
		if m[1] == "" {
			total++
			continue
		}
		n, _ := strconv.Atoi(m[1])
		total += n
	}
	return total
}
