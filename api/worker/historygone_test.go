package worker

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// goneChanges are the two ways another program takes the database file
// away while it is open: deleted (with its -wal and -shm), or another file
// renamed over it (a backup restored, a sync tool).
var goneChanges = []struct {
	name   string
	change func(t *testing.T, path string)
}{
	{"deleted", func(t *testing.T, path string) {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			require.NoError(t, os.Remove(path+suffix))
		}
	}},
	{"replaced", func(t *testing.T, path string) {
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path+".restored", b, 0o600))
		require.NoError(t, os.Rename(path+".restored", path))
	}},
}

// TestHistoryGoneStopsNewUploads: the database file is deleted or replaced
// while the window's queue (StopWhenHistoryGone) uploads six files one at
// a time. The upload running then finishes, fails as history-gone, and its
// link is kept (Unrecorded: hash, name, size, destination, comment); no
// other upload starts: the sandbox sees one upload, not six, and the five
// files stay queued. Wait returns the *storage.ReplacedError. Closed with
// storage.DB.CloseCarryingOver, the database at the path then holds that
// upload in its history and the five files in its queue: the next start
// uploads those five and nothing twice.
func TestHistoryGoneStopsNewUploads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete or replace a database file SQLite holds open")
	}
	for _, tc := range goneChanges {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			hold, client := e.heldServer()
			cfg := e.config()
			cfg.Client, cfg.Concurrency, cfg.StopWhenHistoryGone = client, 1, true
			cfg.Paused = true // until every job is saved: the walk saves them in more than one batch
			e.writeNumbered("photos/%d.txt", 6)
			q, err := New(cfg)
			require.NoError(t, err)
			t.Cleanup(func() { assert.ErrorIs(t, q.Close(), storage.ErrDatabaseReplaced) })
			q.Add(Request{Path: filepath.Join(e.files, "photos"), FolderPath: "/kept/", Comment: "trip"})
			eventually(t, hangGuard, func() bool { return q.Summary().Queued == 6 }, "every job saved")
			// and the folder's walk row dropped (the walk saver does it after
			// the rows are saved), or the carry-over would hold it too
			eventually(t, hangGuard, func() bool {
				walks, err := e.db.Walks(testEnvName, testEmail)
				return err == nil && len(walks) == 0
			}, "the listing done")
			q.Resume()
			select {
			case <-hold.Started():
			case <-time.After(hangGuard):
				t.Fatal("no upload started")
			}
			tc.change(t, e.db.Path())
			hold.Release()

			err = wait(t, q, hangGuard)
			var gone *storage.ReplacedError
			require.ErrorAs(t, err, &gone, "Wait says why nothing starts any more")
			assert.Equal(t, e.db.Path(), gone.Path)
			assert.Equal(t, tc.name == "deleted", gone.Deleted)
			assert.Equal(t, 1, e.requests(addPath), "no upload may start once the history is gone")
			s := q.Summary()
			assert.Equal(t, gone, s.HistoryGone)
			assert.Equal(t, 1, s.Failed)
			assert.Equal(t, 5, s.Queued, "the files not uploaded stay queued")

			up := e.sandboxUploads()
			require.Len(t, up, 1)
			lost := q.Unrecorded()
			require.Len(t, lost, 1, "the upload that finished is kept")
			h := lost[0].History
			assert.Equal(t, up[0].Hash, h.Hash)
			assert.Equal(t, up[0].Name, h.Name)
			assert.Equal(t, up[0].Size, h.Size)
			assert.Equal(t, "/kept/photos/", h.FolderPath)
			assert.Equal(t, "trip", h.Comment)
			assert.Equal(t, lost[0].Row.ID, jobFor(t, q, lost[0].Row.LocalPath).ID)
			assert.Equal(t, ReasonHistoryGone, jobFor(t, q, lost[0].Row.LocalPath).Reason)

			require.ErrorIs(t, q.Close(), storage.ErrDatabaseReplaced)
			n, err := e.db.CloseCarryingOver(q.Unrecorded(), q.NotListed())
			require.NoError(t, err)
			assert.Equal(t, storage.CarriedOver{Uploads: 1, Jobs: 5}, n)
			next, err := storage.Open(e.dbDir)
			require.NoError(t, err)
			t.Cleanup(func() { assert.NoError(t, next.Close()) })
			kept := history(t, next)
			require.Len(t, kept, 1, "the link shown is in the history at the path")
			assert.Equal(t, up[0].Hash, kept[0].Hash)
			assert.Equal(t, "/kept/photos/", kept[0].FolderPath)
			assert.Equal(t, "trip", kept[0].Comment)

			cfg = e.config()
			cfg.DB, cfg.Paused = next, true // counted before any can start
			again := e.queue(cfg)
			assert.Equal(t, 5, again.Summary().Queued, "the files not uploaded are queued at the next start")
			again.Resume()
			require.NoError(t, wait(t, again, hangGuard))
			assert.Equal(t, 5, again.Summary().Done)
			assert.Len(t, history(t, next), 6)
			assert.Len(t, e.sandboxUploads(), 6, "nothing is uploaded twice")
		})
	}
}

// TestHistoryCheckHoldsNoLock: the look at the database file before a
// start (StopWhenHistoryGone) can take long — a data folder on a hung
// network share — and meanwhile the queue's methods still return at once
// (the UI calls them on its goroutine), while no upload starts before the
// look has ended. A look that finds the file there lets the upload start
// once resumed; one that finds it gone lets none start.
func TestHistoryCheckHoldsNoLock(t *testing.T) {
	for _, there := range []bool{true, false} {
		t.Run(map[bool]string{true: "there", false: "gone"}[there], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.write("a.txt", []byte("a"))
			gone := &storage.ReplacedError{Path: e.db.Path(), Deleted: true}
			looking := make(chan struct{}, 1)
			release := make(chan struct{})
			cfg := e.config()
			cfg.Concurrency, cfg.StopWhenHistoryGone, cfg.Paused = 1, true, true
			cfg.checkFile = func() error {
				select {
				case looking <- struct{}{}:
				default:
				}
				<-release
				if there {
					return nil
				}
				return gone
			}
			q := e.queue(cfg)
			var once sync.Once
			unblock := func() { once.Do(func() { close(release) }) }
			t.Cleanup(unblock) // before q.Close, whose cleanup runs after this one

			q.Add(Request{Path: filepath.Join(e.files, "a.txt")})
			eventually(t, hangGuard, func() bool { return q.Summary().Queued == 1 }, "the job saved")
			q.Resume()
			select {
			case <-looking:
			case <-time.After(hangGuard):
				t.Fatal("the scheduler never looked at the database file")
			}

			returned := make(chan Summary, 1)
			go func() {
				s := q.Summary()
				q.Pause()
				returned <- s
			}()
			select {
			case s := <-returned:
				assert.Equal(t, 0, s.Uploading, "no upload starts before the look has ended")
				assert.Equal(t, 1, s.Queued)
			case <-time.After(hangGuard):
				t.Fatal("Summary and Pause waited for the look at the database file")
			}
			assert.Zero(t, e.requests(addPath))

			unblock()
			q.Resume()
			err := wait(t, q, hangGuard)
			s := q.Summary()
			if there {
				require.NoError(t, err)
				assert.Equal(t, 1, s.Done)
				assert.Equal(t, 1, e.requests(addPath))
				return
			}
			assert.ErrorIs(t, err, storage.ErrDatabaseReplaced)
			assert.Equal(t, gone, s.HistoryGone)
			assert.Equal(t, 1, s.Queued, "no upload starts once the file is found gone")
			assert.Zero(t, e.requests(addPath))
		})
	}
}

// TestNotListedGivesUpTheShareLookOfADriveThatDoesNotAnswer: a folder
// added once the database was gone is kept unlisted (Add), and NotListed
// hands it to the database at the path with the share it makes
// (ShareFolder: a stat and the links followed), as the window quits
// (session close, storage.DB.CloseCarryingOver). On a drive that stopped
// answering that look never returned, so the window never quit.
// NotListed now gives its looks shareLookGrace, then hands the folder on
// without its share, which its listing makes at the next start.
func TestNotListedGivesUpTheShareLookOfADriveThatDoesNotAnswer(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a database file SQLite holds open")
	}
	e := newTestEnv(t, sandbox.Config{})
	cfg := e.config()
	cfg.StopWhenHistoryGone, cfg.Paused = true, true
	dir := writeListedTrip(e)
	q, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { assert.ErrorIs(t, q.Close(), storage.ErrDatabaseReplaced) })
	goneChanges[0].change(t, e.db.Path())
	added := q.Add(Request{Path: dir}) // the walk saver's look answers; NotListed's hangs
	select {
	case <-added.Done():
	case <-time.After(hangGuard):
		t.Fatal("the folder was neither saved nor refused")
	}
	require.ErrorIs(t, added.Err(), storage.ErrDatabaseReplaced, "kept unlisted: the database is gone")
	hung := hangNth(t, readhook.SetShareLook, "trip", 1)
	require.ErrorIs(t, q.Close(), storage.ErrDatabaseReplaced)

	got := make(chan []storage.WalkRow, 1)
	go func() { got <- q.NotListed() }()
	var rows []storage.WalkRow
	select {
	case rows = <-got:
	case <-time.After(hangGuard): // a bound on a hang, far above the grace
		t.Fatal("NotListed waited for a look at a drive that does not answer")
	}
	<-hung.started
	require.Len(t, rows, 1, "the folder is handed on")
	assert.Equal(t, dir, rows[0].Path)
	assert.Empty(t, rows[0].Folder, "its share is not known: its listing makes it")
}
