package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// walksLeft lists the walk rows the test account still has.
func walksLeft(t *testing.T, db *storage.DB) []storage.WalkRow {
	t.Helper()
	walks, err := db.Walks(testEnvName, testEmail)
	require.NoError(t, err)
	return walks
}

// uploadsUnder counts the sandbox uploads of this test to folder paths
// under prefix: the shared sandbox may still record a late upload of an
// earlier test (a canceled, stalled one), so a test counts only its own.
func uploadsUnder(e *testEnv, prefix string) int {
	n := 0
	for _, u := range e.sandboxUploads() {
		if strings.HasPrefix(u.FolderPath, prefix) {
			n++
		}
	}
	return n
}

// countPaths counts the listed jobs per local path.
func countPaths(jobs []Job) map[string]int {
	m := make(map[string]int)
	for _, j := range jobs {
		m[j.LocalPath]++
	}
	return m
}

// TestKilledMidWalkFinishesOnNextStart leaves the database as a kill in the
// middle of listing a folder would (the requests' walk rows and the job
// rows of part of the folder, one of them already uploaded), then starts a
// queue: every file ends in the history exactly once, nothing is uploaded
// or listed twice.
func TestKilledMidWalkFinishesOnNextStart(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "album")
	var files []string
	for i := range 10 {
		files = append(files, e.write(fmt.Sprintf("album/%02d.jpg", i), testutil.Content(fmt.Sprint("a", i), 100+i)))
	}
	for i := range 4 {
		files = append(files, e.write(fmt.Sprintf("album/sub/%02d.jpg", i), testutil.Content(fmt.Sprint("s", i), 50+i)))
	}
	link := filepath.Join(dir, "link.jpg")
	testfs.SymlinkOrSkip(t, files[0], link)
	emptySub := filepath.Join(dir, "nothing")
	require.NoError(t, os.Mkdir(emptySub, 0o755))
	// Added together with the folder; a single file's row is saved with
	// the folder's batches, so the kill lost it too.
	single := e.write("single.txt", testutil.Content("single", 77))

	batch := uuid.NewString()
	require.NoError(t, e.db.InsertWalks([]storage.WalkRow{
		{BatchID: batch, Env: testEnvName, Account: testEmail, Path: dir, FolderPath: "/killed/", Comment: "trip"},
		{BatchID: batch, Env: testEnvName, Account: testEmail, Path: single, FolderPath: "/killed/", Comment: "trip"},
	}))
	row := func(p string, state storage.JobState, msg string) storage.JobRow {
		return storage.JobRow{
			BatchID: batch, Env: testEnvName, Account: testEmail, LocalPath: p, Name: filepath.Base(p),
			FolderPath: "/killed/album/", Comment: "trip", State: state, Error: msg,
		}
	}
	// What the walk had saved: three files, the symbolic link's skipped
	// entry; the first file was even uploaded before the kill.
	saved := []storage.JobRow{
		row(files[0], storage.JobQueued, ""), row(files[1], storage.JobQueued, ""),
		row(files[2], storage.JobQueued, ""), row(link, storage.JobSkipped, causeSymlink.text),
	}
	require.NoError(t, e.db.InsertJobs(saved))
	hash0 := testutil.CIDOf(t, files[0])
	require.NoError(t, e.db.FinishJob(
		storage.JobRow{ID: saved[0].ID, Hash: hash0, Verified: true, Attempts: 1},
		storage.HistoryEntry{Env: testEnvName, Account: testEmail, LocalPath: files[0], Name: "00.jpg",
			Hash: hash0, Verified: true, FolderPath: "/killed/album/", FinishedAt: time.Now()}))

	q := e.queue(e.config())
	require.NoError(t, wait(t, q, 30*time.Second))

	jobs := q.Jobs()
	for p, n := range countPaths(jobs) {
		assert.Equal(t, 1, n, "%s listed %d times", p, n)
	}
	want := len(files) - 1 + 1 + 2 // the files not uploaded yet, single, link and the empty folder
	require.Len(t, jobs, want)
	for _, j := range jobs {
		assert.Equal(t, batch, j.BatchID, "%s joins its batch", j.Name)
		assert.Equal(t, "trip", j.Comment, j.Name)
		switch j.LocalPath {
		case link:
			assert.Equal(t, storage.JobSkipped, j.State)
		case emptySub:
			assert.Equal(t, storage.JobSkipped, j.State)
			assert.Equal(t, causeEmptyDir.text, j.Err)
			assert.Equal(t, ReasonEmptyFolder, j.Reason)
		default:
			assert.Equal(t, storage.JobDone, j.State, "%s: %s", j.Name, j.Err)
		}
	}
	assert.Equal(t, "/killed/album/sub/", jobFor(t, q, files[len(files)-1]).FolderPath)
	assert.Equal(t, "/killed/", jobFor(t, q, single).FolderPath)

	seen := map[string]int{}
	for _, h := range history(t, e.db) {
		seen[h.LocalPath]++
		assert.Equal(t, testutil.CIDOf(t, h.LocalPath), h.Hash, h.LocalPath)
	}
	for _, f := range append(files, single) {
		assert.Equal(t, 1, seen[f], "%s in the history %d times", f, seen[f])
	}
	assert.Len(t, seen, len(files)+1)
	assert.Equal(t, len(files), uploadsUnder(e, "/killed/"), "the file uploaded before the kill is not sent again")
	assert.Empty(t, walksLeft(t, e.db), "the walk is finished")
}

// TestAddLeavesNoWalkRows: once Wait returns, the requests of an ordinary
// Add (a folder and a file) have no walk row left.
func TestAddLeavesNoWalkRows(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	for i := range 5 {
		e.write(fmt.Sprintf("d/%d.txt", i), testutil.Content(fmt.Sprint(i), 10))
	}
	f := e.write("f.txt", testutil.Content("f", 10))
	q := e.uploaded(Request{Path: filepath.Join(e.files, "d")}, Request{Path: f})
	assert.Equal(t, 6, q.Summary().Done)
	assert.Empty(t, walksLeft(t, e.db))
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestCloseMidWalkIsListedByNextNew: Close before or during the listing of
// a folder keeps what is not listed yet for the next New, which uploads
// every file exactly once. Whatever point the walk reached, the outcome
// must be the same.
func TestCloseMidWalkIsListedByNextNew(t *testing.T) {
	for _, tc := range []struct {
		name      string
		waitFirst bool // close after the first rows are saved
	}{{"before listing", false}, {"after the first rows", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			const n = 300 // more than one batch of rows
			var files []string
			for i := range n {
				files = append(files, e.write(fmt.Sprintf("big/%02d/%03d.txt", i%7, i), []byte(fmt.Sprintf("file %d\n", i))))
			}
			cfg := e.tokenless() // nothing uploads: only the listing matters here
			q1, err := New(cfg)
			require.NoError(t, err)
			events, stop := q1.Subscribe(4096)
			q1.Add(Request{Path: filepath.Join(e.files, "big"), FolderPath: "/big/"})
			if tc.waitFirst {
				for ev := range events {
					if ev.Kind == JobAdded {
						break
					}
				}
			}
			stop()
			require.NoError(t, q1.Close())

			// Every file is known to the database: by a job row or by the
			// walk.
			rows, err := e.db.Jobs()
			require.NoError(t, err)
			walks := walksLeft(t, e.db)
			t.Logf("at Close: %d of %d files listed, %d walk rows", len(rows), n, len(walks))
			if len(walks) == 0 {
				assert.Len(t, rows, n)
			}

			cfg.Tokens = NewAPIKeyTokens(e.client, e.key, time.Hour)
			cfg.Concurrency = 4
			q2 := e.queue(cfg)
			require.NoError(t, wait(t, q2, 50*time.Second))
			jobs := q2.Jobs()
			require.Len(t, jobs, n)
			paths := countPaths(jobs)
			for _, f := range files {
				assert.Equal(t, 1, paths[f], f)
			}
			for _, j := range jobs {
				require.Equal(t, storage.JobDone, j.State, j.Err)
				assert.Equal(t, "/big/big/", j.FolderPath[:9])
			}
			requireHistoryOnce(t, e.db, jobs)
			assert.Equal(t, n, uploadsUnder(e, "/big/"))
			assert.Empty(t, walksLeft(t, e.db))
		})
	}
}

// TestCancelAllForgetsTheWalk: canceling while a folder is being listed
// also forgets the listing, so the next start does not bring it back.
func TestCancelAllForgetsTheWalk(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("c/%03d.txt", 300)
	cfg := e.tokenless()
	q1, err := New(cfg)
	require.NoError(t, err)
	q1.Add(Request{Path: filepath.Join(e.files, "c")})
	q1.CancelAll()
	err = wait(t, q1, 10*time.Second)
	require.NoError(t, err)
	listed := len(q1.Jobs())
	assert.Equal(t, listed, q1.Summary().Canceled)
	assert.Empty(t, walksLeft(t, e.db))
	require.NoError(t, q1.Close())

	q2 := e.queue(cfg)
	require.NoError(t, wait(t, q2, 10*time.Second))
	assert.Len(t, q2.Jobs(), listed, "only the canceled jobs, listed again")
	assert.Equal(t, listed, q2.Summary().Canceled)
	assert.False(t, q2.Summary().Walking)
}

// TestRowsRemovedDuringAWalkStayUntilItEnds: a job taken out of the list
// (Clear finished) while its batch is still being listed keeps its row
// until the listing ends: after a crash in between, the listing resumed by
// the next New must see that the file is already uploaded.
func TestRowsRemovedDuringAWalkStayUntilItEnds(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("removed/a.txt", testutil.Content("a", 10))
	b := e.write("removed/b.txt", testutil.Content("b", 20))
	dir := filepath.Join(e.files, "removed")
	q1, err := New(e.config())
	require.NoError(t, err)
	q1.Add(Request{Path: dir})
	require.NoError(t, wait(t, q1, 20*time.Second))
	require.Equal(t, 2, q1.Summary().Done)
	batch := jobFor(t, q1, a).BatchID

	// The batch is still being listed (a request of it not finished yet),
	// as when the person clears finished jobs while a big folder lists.
	e.stillListing(q1, batch, dir)

	q1.ClearFinished()
	assert.Empty(t, q1.Jobs())
	require.NoError(t, wait(t, q1, 20*time.Second))
	rows, err := e.db.Jobs()
	require.NoError(t, err)
	assert.Len(t, rows, 2, "the rows stay while the batch is listed")

	// Killed here (Close leaves the walk row just the same).
	require.NoError(t, q1.Close())
	q2 := e.queue(e.config())
	require.NoError(t, wait(t, q2, 20*time.Second))
	assert.Empty(t, q2.Jobs(), "nothing listed again")
	assert.Equal(t, 2, uploadsUnder(e, "/removed/"), "nothing uploaded again")
	seen := map[string]int{}
	for _, h := range history(t, e.db) {
		seen[h.LocalPath]++
	}
	assert.Equal(t, map[string]int{a: 1, b: 1}, seen)
	assert.Empty(t, walksLeft(t, e.db))
}

// TestHeldRowsAreDeletedWhenTheWalkEnds: the rows held back by
// TestRowsRemovedDuringAWalkStayUntilItEnds go once the walk row is gone.
func TestHeldRowsAreDeletedWhenTheWalkEnds(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("d/f.txt", testutil.Content("f", 10))
	q := e.uploaded(Request{Path: filepath.Join(e.files, "d")})
	batch := jobFor(t, q, f).BatchID

	still := e.stillListing(q, batch, f)
	q.ClearFinished()
	require.NoError(t, wait(t, q, 20*time.Second))
	rows, err := e.db.Jobs()
	require.NoError(t, err)
	require.Len(t, rows, 1, "held")

	q.mu.Lock()
	q.dropWalksLocked(batch, []string{still.ID}, storage.NotCut)
	q.mu.Unlock()
	require.NoError(t, wait(t, q, 20*time.Second))
	rows, err = e.db.Jobs()
	require.NoError(t, err)
	assert.Empty(t, rows, "deleted with the walk row")
	assert.Empty(t, walksLeft(t, e.db))
}

// TestWalkRowSavedBeforeAnyJobRow checks the order that makes a kill safe:
// when a request's first job row is in the database, its walk row already
// is (or, once listed completely, already was).
func TestWalkRowSavedBeforeAnyJobRow(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("w/%03d.txt", 600)
	cfg := e.tokenless()
	q := e.queue(cfg)
	events, stop := q.Subscribe(4096)
	defer stop()
	q.Add(Request{Path: filepath.Join(e.files, "w")})
	// At the first JobAdded the first rows are saved and the listing
	// goes on (600 files are more than one batch of rows).
	for ev := range events {
		if ev.Kind == JobAdded {
			break
		}
	}
	walks := walksLeft(t, e.db)
	rows, err := e.db.Jobs()
	require.NoError(t, err)
	if len(rows) < 600 {
		require.Len(t, walks, 1, "a listing under way has its walk row")
	}
	err = wait(t, q, 20*time.Second)
	require.True(t, errors.Is(err, ErrSignInRequired), "%v", err)
	assert.Empty(t, walksLeft(t, e.db))
	assert.Len(t, q.Jobs(), 600)
}

// TestSamePathTwiceInOneAddIsOneJob: a file named twice on one command
// line (or dropped twice at once), also as a relative and an absolute
// path, and on Windows in other case, is one job and one upload.
func TestSamePathTwiceInOneAddIsOneJob(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("twice.txt", testutil.Content("twice", 100))
	t.Chdir(e.files)
	q := e.queue(e.config())
	reqs := []Request{{Path: f}, {Path: "twice.txt"}, {Path: f}}
	if runtime.GOOS == "windows" {
		reqs = append(reqs, Request{Path: strings.ToUpper(f)}, Request{Path: "TWICE.txt"})
	}
	q.Add(reqs...)
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Len(t, q.Jobs(), 1)
	assert.Equal(t, 1, q.Summary().Done)
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestSaveForLaterIsListedByTheNextQueue: what is saved while another
// process runs the account's queue is uploaded by the next queue of that
// account, exactly once.
func TestSaveForLaterIsListedByTheNextQueue(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.write("later/a.txt", testutil.Content("later-a", 300))
	e.write("later/b.txt", testutil.Content("later-b", 400))
	f := e.write("alone.txt", testutil.Content("alone", 500))
	lock, err := e.db.LockQueue(testEnvName, testEmail) // the other process
	require.NoError(t, err)
	_, err = New(e.config())
	require.ErrorIs(t, err, storage.ErrQueueInUse)

	require.NoError(t, SaveForLater(e.db, testEnvName, testEmail,
		Request{Path: filepath.Join(e.files, "later"), FolderPath: "/later/"}, Request{Path: f}))
	assert.Len(t, walksLeft(t, e.db), 2)

	require.NoError(t, lock.Release())
	q := e.queue(e.config())
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, 3, q.Summary().Done)
	assert.Empty(t, walksLeft(t, e.db))
	requireHistoryOnce(t, e.db, q.Jobs())
}
