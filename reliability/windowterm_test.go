package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// windowTermBound is the longest a window may take to quit on SIGTERM:
// generous for a busy machine (it took about 35 s, and printed hundreds of
// fyne.Do errors, before the window handled the signal itself).
const windowTermBound = 15 * time.Second

// windowTermListed bounds the wait for the window to list its folder and
// upload its first files: only against a hang. It also sets the speed
// limit (windowTermLimit), so it is not the restart's bound.
const windowTermListed = 10 * time.Minute

// windowTermResumed bounds the wait for the window started again, with no
// speed limit, to upload the files the first left: only against a hang.
// Equal to windowTermListed as a generous bound too, not tied to it: a
// longer wait for the listing slows the uploads, not the restart.
const windowTermResumed = 10 * time.Minute

// windowTermLimit is the speed limit of the window that is sent SIGTERM:
// at most half of the bytes of files of sizes can go by within
// windowTermListed, however fast the machine, so the uploads are still in
// flight once the folder is listed, however slowly it was listed (within
// the bound). A fixed 32 KiB/s (about 20 files a second) let a machine at
// a load average of 8–23 upload all 2,000 files before the window had
// listed them.
func windowTermLimit(sizes []int) int64 {
	var total int64
	for _, s := range sizes {
		total += int64(s)
	}
	return max(1, total/int64(2*windowTermListed/time.Second))
}

// windowTermCase: the real window (`dstor-uploader --env sandbox FOLDER`,
// its sandbox in the same process) with a folder of n small files queued,
// its uploads slowed by its own speed limit (windowTermLimit), gets
// SIGTERM once the folder is listed and uploads are in flight. It must
// exit 0 within windowTermBound with no fyne.Do error on stderr, leave
// every file not yet uploaded in its queue, and, started again, upload
// each of them once.
func windowTermCase(n int) trustCase {
	return trustCase{
		name: "the window sent SIGTERM while uploading",
		tried: fmt.Sprintf("`dstor-uploader --env sandbox FOLDER` (%d files, uploads slowed by a speed limit) under Xvfb, SIGTERM "+
			"once the folder is listed and uploads are in flight; then started again with no arguments", n),
		want: fmt.Sprintf("exit 0 within %s, no fyne.Do error; nothing lost; every file in the history once after the restart", windowTermBound),
		run: func(t *testing.T) (string, bool) {
			home := t.TempDir()
			dir := filepath.Join(t.TempDir(), "term")
			sizes := testutil.Sizes(n, func(i int) int { return 1000 + i%1000 })
			files := testutil.WriteFiles(t, dir, "t", sizes)
			limit := windowTermLimit(sizes)
			setUploadLimit(t, home, limit)

			cmd := testutil.ChildCommand("--env", "sandbox", dir)
			cmd.Env = append(cmd.Env, storage.HomeEnv+"="+home, "LANG=C.UTF-8")
			var stderr testutil.LockedBuffer
			cmd.Stderr = &stderr
			require.NoError(t, cmd.Start())
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					_ = cmd.Process.Kill()
					_ = cmd.Wait()
				}
			})
			// The window's database is all that tells: polled, the bound
			// only against a hang. Listed (no walk row left, every file
			// has a job) and uploading (a row says so, and some are done).
			listedAndUploading := func() bool {
				return countRows(home, `SELECT count(*) FROM jobs`)+historyCount(home) >= n &&
					countRows(home, `SELECT count(*) FROM walks`) == 0 &&
					countRows(home, `SELECT count(*) FROM jobs WHERE state = 'uploading'`) > 0 && historyCount(home) > 0
			}
			began, listed := time.Now(), false
			for time.Since(began) < windowTermListed && !listed {
				if listed = listedAndUploading(); !listed {
					time.Sleep(20 * time.Millisecond)
				}
			}
			atSignal := historyCount(home)
			require.True(t, listed, "the window listed the folder and was uploading within %s (limit %d B/s): "+
				"%d jobs, %d walks left, %d of %d uploaded", windowTermListed, limit,
				countRows(home, `SELECT count(*) FROM jobs`), countRows(home, `SELECT count(*) FROM walks`), atSignal, n)
			t.Logf("listed and uploading after %s at %d B/s, %d of %d uploaded", time.Since(began).Round(time.Millisecond), limit, atSignal, n)
			start := time.Now()
			require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			var waitErr error
			select {
			case waitErr = <-exited:
			case <-time.After(2 * time.Minute): // a hang: Go's goroutine dump for the log, then kill
				_ = cmd.Process.Signal(syscall.SIGQUIT)
				select {
				case waitErr = <-exited:
				case <-time.After(10 * time.Second):
					_ = cmd.Process.Kill()
					waitErr = <-exited
				}
			}
			took := time.Since(start)
			t.Logf("SIGTERM with %d of %d uploaded: exited (%v) after %s", atSignal, n, waitErr, took.Round(time.Millisecond))
			fyneDo := strings.Count(stderr.String(), "fyne.Do")
			if fyneDo > 0 || waitErr != nil { // 66: the race detector's report
				t.Logf("stderr: %s", firstLines(stderr.String(), 2000))
			}

			// Nothing lost: every file is uploaded or still to upload.
			uploaded, waiting := historyCount(home), unfinishedJobs(home)
			lost := n - uploaded - waiting
			setUploadLimit(t, home, 0)
			restart := startWindow(t, home, "--env", "sandbox")
			deadline := time.Now().Add(windowTermResumed)
			for time.Now().Before(deadline) && (historyCount(home) < n || unfinishedJobs(home) > 0) {
				time.Sleep(20 * time.Millisecond)
			}
			restart.kill()
			var hist historyCheck
			db, err := storage.Open(home)
			require.NoError(t, err)
			seen := map[string][]string{}
			for _, e := range allHistory(t, db) {
				seen[e.LocalPath] = append(seen[e.LocalPath], e.Hash)
			}
			require.NoError(t, db.Close())
			hist.round(t, 0, files, seen)
			once := hist.exactlyOnce == 1

			// Without a session bus (plain go test), Fyne's tray icon
			// autolaunched one that outlived the window.
			buses := busDaemonsOf(t, home)

			ok := waitErr == nil && took <= windowTermBound && fyneDo == 0 && lost <= 0 && once && buses == 0
			return fmt.Sprintf("exit %s after %s with %d of %d uploaded; %d fyne.Do error lines; %d still queued, %d lost; "+
				"after the restart %d missing, %d duplicates, %d wrong hashes; %d D-Bus daemons left",
				exitText(waitErr), took.Round(10*time.Millisecond), atSignal, n, fyneDo, waiting, max(lost, 0), hist.missing, hist.dup, hist.wrongHash, buses), ok
		},
	}
}

// busDaemonsOf counts the dbus-daemon processes started by a window of
// home (their environment names it), and ends them.
func busDaemonsOf(t *testing.T, home string) int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0 // no /proc (Windows): no D-Bus either
	}
	n := 0
	for _, p := range procs {
		comm, err := os.ReadFile(filepath.Join(p, "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != "dbus-daemon" {
			continue
		}
		env, err := os.ReadFile(filepath.Join(p, "environ"))
		if err != nil || !strings.Contains("\x00"+string(env), "\x00"+storage.HomeEnv+"="+home+"\x00") {
			continue
		}
		n++
		if pid, err := strconv.Atoi(filepath.Base(p)); err == nil {
			if proc, err := os.FindProcess(pid); err == nil {
				_ = proc.Signal(syscall.SIGTERM) // the window's own, left behind
			}
		}
	}
	return n
}

// setUploadLimit saves the speed limit (bytes per second, 0: none) in
// home's settings, as the window's Settings tab would.
func setUploadLimit(t *testing.T, home string, limit int64) {
	t.Helper()
	db, err := storage.Open(home)
	require.NoError(t, err)
	defer db.Close()
	s, err := db.LoadSettings()
	require.NoError(t, err)
	s.UploadLimit = limit
	require.NoError(t, db.SaveSettings(s))
}

// exitText is how a child process ended: "0", or its error.
func exitText(err error) string {
	if err == nil {
		return "0"
	}
	return err.Error()
}

// firstLines is the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

// windowCases are the cases that need the real window: only with an X
// display (make reliability runs the suite under Xvfb), and not on
// Windows, which has no SIGTERM to send.
func windowCases(n int) []trustCase {
	if os.Getenv("DISPLAY") == "" || runtime.GOOS == "windows" {
		return nil
	}
	return []trustCase{windowTermCase(n)}
}
