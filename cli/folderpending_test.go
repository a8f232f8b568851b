package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderLinksWhileItsUploadRuns: history --folder DIR --format … is
// "the folder's list of links". Asked while the upload of DIR still runs
// in another process (here held after two of its four files), the list
// holds the two uploaded so far: it must say that it is not the whole
// folder yet and exit 1, so a script that shares the list does not share
// half of it as all of it. Once the upload is done, the whole list exits 0.
func TestFolderLinksWhileItsUploadRuns(t *testing.T) {
	files, dir, hold, run := startFolderHeldAtThirdFile(t, 4)

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, "not the folder's whole list: %s", errOut)
	assert.Equal(t, 2, strings.Count(out, "\n"), "the two uploaded so far: %s", out)
	assert.Contains(t, errOut, "2 file(s) of this upload of "+dir+" are not uploaded yet")
	assert.Contains(t, errOut, "dstor-uploader resume")

	hold.Release()
	require.NoError(t, run.wait("its release"), run.stderr.String())
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, len(files), strings.Count(out, "\n"))
	assert.Empty(t, errOut)
}

// TestFolderUploadedAgainListsEveryFile: history --folder DIR lists every
// file of DIR's latest upload with its link. DIR uploaded, one file
// changed, DIR uploaded again: the list is the changed file's new upload
// and the others' earlier ones (found already uploaded, not sent again),
// and once more with nothing changed the same list, the history no
// longer for it.
func TestFolderUploadedAgainListsEveryFile(t *testing.T) {
	sb := keyedSandbox(t)
	files, dir := trip(t, 3)
	wholeFolderCIDs := func() []string {
		t.Helper()
		code, cids, errOut := folderCIDs(t, dir)
		require.Equal(t, 0, code, errOut)
		return cids
	}

	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile(files[1], []byte("changed since the first upload"), 0o600))
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	assert.ElementsMatch(t, cidsOf(t, files), wholeFolderCIDs(), "every file of the folder as it was uploaded last")
	require.Len(t, historyJSON(t), 4, "the changed file alone was sent again")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	assert.ElementsMatch(t, cidsOf(t, files), wholeFolderCIDs())
	assert.Len(t, historyJSON(t), 4, "a folder run again unchanged adds nothing to the history")
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--json")
	require.Equal(t, 0, code, errOut)
	for _, r := range testutil.ParseHistory(t, out) {
		assert.NotEmpty(t, r.Link, r.LocalPath)
	}
}

// TestFolderListNotWholeWhileAnEarlierUploadsFileWaits: DIR's upload is
// killed with a file of it still waiting in the queue; DIR uploaded again
// finds the others already uploaded and leaves that file to the earlier
// upload's job (already in the queue, not added again), and is killed
// too before that job is sent. history --folder DIR lists the latest
// upload, which lacks the waiting file: it must say so and exit 1, as it
// did of the earlier upload, not hand a script part of the folder as the
// folder's whole list of links.
func TestFolderListNotWholeWhileAnEarlierUploadsFileWaits(t *testing.T) {
	u := newKilledFolderUploads(t, 900)
	dir, files := u.dir, u.files
	u.killHeld(2, "the first upload", "two uploads recorded", func() bool { return twoUploadsRecorded(t) }) // its third file held
	first := u.newest()
	require.NotEmpty(t, first.BatchID)
	u.killHeld(0, "the second upload", "the second upload's share listed", func() bool { return u.listedAfter(first) }) // held at the first file's job it sends: the waiting one

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 2, strings.Count(out, "\n"), "the two files uploaded: %s", out)
	assert.Equal(t, 1, code, "not the folder's whole list: %s", errOut)
	assert.Contains(t, errOut, "1 file(s) of "+dir+" added by an earlier upload still wait in the queue")
	assert.Contains(t, errOut, "dstor-uploader resume")

	u.letThrough()
	code, _, errOut = runCLI(t, "", "resume", "--env", u.url)
	require.Equal(t, 0, code, errOut)
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, len(files), strings.Count(out, "\n"), out)
	assert.Empty(t, errOut)
}

// TestFolderListAfterAnEarlierUploadsFileJoinsTheLatest: DIR's upload is
// killed with its third file c still waiting in the queue; a new file d is
// written and DIR uploaded again: that upload finds a and b already
// uploaded, leaves c to the earlier upload's job (not added again) and
// queues d, and is killed too. Once resume has sent c and d, history
// --folder DIR lists the latest upload of DIR: it must be the whole
// folder, a, b, c and d, exit 0. Whichever of c and d finishes last, a
// list of a, b, c (the first upload) or a, b, d (the second, without the
// file it left to the first) with exit 0 hands a script part of the
// folder as all of it. When c's job is canceled instead, the list is
// a, b, d: it must say c was not sent and exit 1.
func TestFolderListAfterAnEarlierUploadsFileJoinsTheLatest(t *testing.T) {
	tests := []struct {
		name     string
		cancelC  bool
		code     int
		withC    bool
		saysLeft string
	}{
		{"c sent", false, 0, true, ""},
		{"c's job canceled", true, 1, false, "1 file(s) of %s left to an earlier upload (already in the queue then) were not sent by it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newKilledFolderUploads(t, 950)
			dir, files := u.dir, u.files
			u.killHeld(2, "the first upload", "the first upload", func() bool { return twoUploadsRecorded(t) }) // its third file held
			first := u.newest()
			require.NotEmpty(t, first.BatchID)
			_, sent, _ := runCLI(t, "", "history", "--format", "cid", "--limit", "0")
			want := strings.Fields(sent) // a and b
			c := ""
			for _, f := range files {
				if cid := testutil.CIDOf(t, f); !slices.Contains(want, cid) {
					c = cid
				}
			}
			d := filepath.Join(dir, "d-new.bin")
			require.NoError(t, os.WriteFile(d, []byte("a file the second upload sends"), 0o600))
			u.killHeld(0, "the second upload", "the second upload", func() bool { return u.listedAfter(first) }) // its listing saved
			if tt.cancelC {
				db := openDataDB(t)
				jobs, err := db.Jobs()
				require.NoError(t, err)
				canceled := 0
				for _, j := range jobs {
					if j.BatchID == first.BatchID && j.State != storage.JobDone {
						require.NoError(t, db.UpdateJob(j.ID, storage.JobCanceled, 0, ""))
						canceled++
					}
				}
				require.NoError(t, db.Close())
				require.Equal(t, 1, canceled, "c's job")
			}

			u.letThrough()
			code, _, errOut := runCLI(t, "", "resume", "--env", u.url)
			require.Equal(t, 0, code, errOut)
			code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
			want = append(want, testutil.CIDOf(t, d))
			if tt.withC {
				want = append(want, c)
			}
			assert.ElementsMatch(t, want, strings.Fields(out), "every file of the folder as it was uploaded last")
			assert.Equal(t, tt.code, code, errOut)
			if tt.saysLeft == "" {
				assert.Empty(t, errOut)
			} else {
				assert.Contains(t, errOut, fmt.Sprintf(tt.saysLeft, dir))
				assert.Contains(t, errOut, "upload the folder again")
			}
		})
	}
}

// TestFolderFinishedWhileListedIsNotCalledWhole: history --folder DIR
// exits 0 only for a list that is the whole folder. It read the files of
// the share, printed them, then read what the share lacked: a file that
// an upload running in another process (the window) finished in between
// was in neither, and the list without it exited 0, saying nothing. Here
// the upload of DIR's third file is held while the list of the first two
// is read and let go, and recorded, before what is left is read: the list
// must then say it is not whole (exit 1), or hold every file.
func TestFolderFinishedWhileListedIsNotCalledWhole(t *testing.T) {
	files, dir, hold, run := startFolderHeldAtThirdFile(t, 3)

	listed := false
	afterFolderListed = func() {
		listed = true
		hold.Release()
		require.NoError(t, run.wait("its release"), run.stderr.String())
	}
	t.Cleanup(func() { afterFolderListed = func() {} })
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	require.True(t, listed, "the upload finished after the list was read")
	if code == 0 {
		assert.Len(t, strings.Fields(out), len(files), "a list that exits 0 is the whole folder: %s", errOut)
		return
	}
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "1 file(s) of this upload of "+dir+" are not uploaded yet")
}

// startFolderHeldAtThirdFile starts an upload of a folder "trip" of n
// files (n ≥ 3) to a keyed sandbox behind an upload hold, one file at a
// time, in another process, and returns once two are recorded and the
// third's upload is held (hold.Release lets it go on).
func startFolderHeldAtThirdFile(t *testing.T, n int) (files []string, dir string, hold *testutil.UploadHold, run *heldRun) {
	t.Helper()
	sb := keyedSandbox(t)
	files = makeFiles(t, filepath.Join(t.TempDir(), "trip"), n, func(i int) int { return 1500 + i })
	dir = filepath.Dir(files[0])
	hold = testutil.NewUploadHold(sb.Srv, 2)
	hold.Arm()
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release)
	useByDefault(t, ts.URL)
	run = startHeld(t, hold, "the upload", nil, "upload", "--env", ts.URL, "--concurrency", "1", dir)
	// The third upload began once the second was answered; wait for it
	// to be recorded too (the run records in rounds).
	require.Eventually(t, func() bool {
		code, out, _ := runCLI(t, "", "history", "--format", "cid", "--limit", "0")
		return code == 0 && strings.Count(out, "\n") == 2
	}, 2*time.Minute, 20*time.Millisecond, "two uploads recorded")
	return files, dir, hold, run
}

// killedFolderUploads is a folder of three files (dir) and a server (url)
// in front of a sandbox of the test's data folder, through which the tests
// above upload the folder in child runs, each killed while one of its
// uploads is held: a folder uploaded again while a file of an earlier
// upload still waits in the queue.
type killedFolderUploads struct {
	t     *testing.T
	sb    *testutil.Sandbox
	dir   string
	files []string
	url   string
	hold  atomic.Pointer[testutil.UploadHold] // what the server hands each request
}

// newKilledFolderUploads writes the folder's files, of firstSize bytes
// and one more each, and starts the server.
func newKilledFolderUploads(t *testing.T, firstSize int) *killedFolderUploads {
	t.Helper()
	u := &killedFolderUploads{t: t, sb: keyedSandbox(t)}
	u.files = makeFiles(t, filepath.Join(t.TempDir(), "trip"), 3, func(i int) int { return firstSize + i })
	u.dir = filepath.Dir(u.files[0])
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { u.hold.Load().ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	u.url = ts.URL
	useByDefault(t, u.url)
	return u
}

// killHeld starts an upload of the folder, called name, whose uploads
// after the first pass are held; once ready (waitingFor says what it
// waits for) it kills the run.
func (u *killedFolderUploads) killHeld(pass int, name, waitingFor string, ready func() bool) {
	t := u.t
	t.Helper()
	hold := testutil.NewUploadHold(u.sb.Srv, pass)
	t.Cleanup(hold.Release)
	hold.Arm()
	u.hold.Store(hold)
	run := startHeld(t, hold, name, nil, "upload", "--env", u.url, "--concurrency", "1", u.dir)
	require.Eventually(t, ready, 2*time.Minute, 20*time.Millisecond, waitingFor)
	require.NoError(t, run.cmd.Process.Signal(syscall.SIGKILL))
	_ = run.wait("its kill")
}

// letThrough makes the server hold no upload from now on.
func (u *killedFolderUploads) letThrough() {
	u.hold.Store(testutil.NewUploadHold(u.sb.Srv, 0)) // not armed: uploads go through
}

// newest is the folder's newest share, the zero key when there is none.
func (u *killedFolderUploads) newest() storage.FolderKey {
	db := openDataDB(u.t)
	defer db.Close()
	k, _ := db.NewestFolderShare(u.dir)
	return k
}

// listedAfter reports whether the folder's newest share is another than
// first, and its listing is saved.
func (u *killedFolderUploads) listedAfter(first storage.FolderKey) bool {
	k := u.newest()
	if k.BatchID == "" || k == first {
		return false
	}
	db := openDataDB(u.t)
	defer db.Close()
	left, err := db.BatchLeftOf(k)
	return err == nil && !left.Listing
}

// twoUploadsRecorded reports whether the history holds two uploads.
func twoUploadsRecorded(t *testing.T) bool {
	code, out, _ := runCLI(t, "", "history", "--format", "cid", "--limit", "0")
	return code == 0 && strings.Count(out, "\n") == 2
}

// TestFolderListWholeThoughAPathNamedBesideItFailed: `upload DIR MISSING`
// is one Add call, so DIR's share and MISSING's failed job are one batch.
// history --folder DIR counted every job of that batch: "Not the whole
// folder: 1 file(s) of this upload of DIR failed" and exit 1, for a folder
// whose every file was uploaded, and for good (--retry-failed fails
// MISSING again). Only the folder's own files count.
func TestFolderListWholeThoughAPathNamedBesideItFailed(t *testing.T) {
	sb := keyedSandbox(t)
	useByDefault(t, sb.URL)
	files, dir := trip(t, 2)
	missing := filepath.Join(t.TempDir(), "missing.txt")
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir, missing)
	require.Equal(t, 1, code, "the missing file failed: %s", errOut)
	require.Contains(t, errOut, "FAILED  "+missing)

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, "every file of the folder is uploaded: %s", errOut)
	assert.Equal(t, len(files), strings.Count(out, "\n"), out)
	assert.Empty(t, errOut)
}
