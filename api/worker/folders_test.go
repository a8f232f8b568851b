package worker

import (
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderShareInHistory: the files of an added folder, at any depth,
// are recorded as one folder share (the folder as added, the Add call);
// a file added beside it is in none, and the same folder added again is
// another share.
func TestFolderShareInHistory(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("photos/a.jpg", []byte("a"))
	e.write("photos/2026/b.jpg", []byte("b"))
	alone := e.write("notes.txt", []byte("n"))
	folder := filepath.Dir(a)

	q := e.uploaded(Request{Path: folder}, Request{Path: alone})

	entries := history(t, e.db)
	require.Len(t, entries, 3)
	var key storage.FolderKey
	for _, h := range entries {
		k, ok := h.Folder()
		if h.LocalPath == alone {
			assert.False(t, ok, "a file added on its own")
			continue
		}
		require.True(t, ok, h.LocalPath)
		assert.Equal(t, folder, k.Folder)
		assert.NotEmpty(t, k.BatchID)
		key = k
	}
	share := filesOf(t, e, key)
	assert.Len(t, share, 2)

	q.Add(Request{Path: folder, Again: true})
	require.NoError(t, wait(t, q, 10*time.Second))
	newest := newestShare(t, e, folder)
	assert.NotEqual(t, key.BatchID, newest.BatchID, "added again: another share")
	share = filesOf(t, e, newest)
	assert.Len(t, share, 2)
}

// TestFolderUploadedAgainSharesEveryFile: a folder uploaded again, one
// file changed, is one share of every file of the folder as it was then:
// the changed file with its new upload, the unchanged ones (found already
// uploaded, not sent again) with the upload that sent them. Run once more
// with nothing changed, the newest share is again the whole folder and the
// history gains no entry.
func TestFolderUploadedAgainSharesEveryFile(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("photos/a.jpg", []byte("a"))
	b := e.write("photos/2026/b.jpg", []byte("b"))
	c := e.write("photos/c.jpg", []byte("c"))
	folder := filepath.Dir(a)

	q := e.uploaded(Request{Path: folder})
	first := map[string]storage.HistoryEntry{}
	for _, h := range history(t, e.db) {
		first[h.LocalPath] = h
	}
	require.Len(t, first, 3)
	q.Close()

	require.NoError(t, os.WriteFile(a, []byte("a, changed"), 0o600))
	q = e.uploaded(Request{Path: folder})
	already := q.Summary().Already
	assert.Equal(t, 2, already, "b and c found already uploaded")
	q.Close()
	require.Len(t, history(t, e.db), 4, "only the changed file is sent again")

	shareOf := func() (storage.FolderKey, map[string]storage.HistoryEntry) {
		t.Helper()
		k := newestShare(t, e, folder)
		share := filesOf(t, e, k)
		out := map[string]storage.HistoryEntry{}
		for _, h := range share {
			_, twice := out[h.LocalPath]
			assert.False(t, twice, "listed twice: %s", h.LocalPath)
			out[h.LocalPath] = h
		}
		return k, out
	}
	k, share := shareOf()
	require.Len(t, share, 3, "every file of the folder")
	assert.NotEqual(t, first[a].Hash, share[a].Hash, "the changed file with its new upload")
	assert.Equal(t, first[b].ID, share[b].ID, "an unchanged file with the upload that sent it")
	assert.Equal(t, first[c].ID, share[c].ID)
	total, err := e.db.FolderTotalAfter(k, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, total.Files)
	assert.Equal(t, share[a].Size+share[b].Size+share[c].Size, total.Size)

	q = e.uploaded(Request{Path: folder})
	assert.Equal(t, already+3, q.Summary().Already, "every file found already uploaded")
	q.Close()
	assert.Len(t, history(t, e.db), 4, "an unchanged folder run again adds no entry")
	again, share2 := shareOf()
	assert.NotEqual(t, k.BatchID, again.BatchID, "the latest upload is the newest share")
	assert.Len(t, share2, 3)
	assert.Equal(t, share[a].ID, share2[a].ID)
}

// TestFolderRunAgainClosedMidListingSharesEveryFileOnce: a folder run
// again, unchanged, whose listing is cut short by Close (as by a kill)
// after some of its files were saved as found already uploaded, is
// listed on by the next start: its share then holds every file once,
// with the upload that sent it, and nothing was sent again.
func TestFolderRunAgainClosedMidListingSharesEveryFileOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	folder, sent := uploadThenCutTheNextListing(t, e)
	k := newestShare(t, e, folder)
	part := filesOf(t, e, k)
	require.NotEmpty(t, part)
	assert.Less(t, len(part), 30, "a share listed in part so far")

	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	assert.Empty(t, walksLeft(t, e.db))
	again := newestShare(t, e, folder)
	assert.Equal(t, k, again, "the same Add call, listed on")
	share := filesOf(t, e, again)
	byID := map[int64]bool{}
	for _, h := range share {
		assert.False(t, byID[h.ID], "listed twice: %s", h.LocalPath)
		byID[h.ID] = true
	}
	for _, h := range sent {
		assert.True(t, byID[h.ID], "missing from the share: %s", h.LocalPath)
	}
	assert.Len(t, history(t, e.db), 30, "nothing sent again")
}

// TestFolderListingOfSchema15ResumedSharesEveryFile: the version before
// folder_members (schema 15) saved the files a listing found already
// uploaded as jobs only. Such a listing of a folder run again, cut short
// by a kill and listed on by this version after the upgrade, is one share:
// the files the old version had found are in it too, with the uploads
// that sent them (each job holds the hash and file of the upload it
// found), not only those this version found.
func TestFolderListingOfSchema15ResumedSharesEveryFile(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	folder, sent := uploadThenCutTheNextListing(t, e)
	counts, err := e.db.JobCounts(testEnvName, testEmail)
	require.NoError(t, err)
	require.NotZero(t, counts[storage.JobAlready].Jobs, "files found already uploaded before the kill")

	// As schema 15 left it: the same jobs, no folder_members.
	require.NoError(t, e.db.Close())
	raw, err := sql.Open("sqlite", filepath.Join(e.dbDir, storage.DBFileName))
	require.NoError(t, err)
	_, err = raw.Exec(`DROP TRIGGER folder_members_forget; DROP TABLE folder_members; PRAGMA user_version = 15`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
	e.db, err = storage.Open(e.dbDir)
	require.NoError(t, err)

	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	assert.Empty(t, walksLeft(t, e.db))
	k := newestShare(t, e, folder)
	share := filesOf(t, e, k)
	byID := map[int64]bool{}
	for _, h := range share {
		assert.False(t, byID[h.ID], "listed twice: %s", h.LocalPath)
		byID[h.ID] = true
	}
	for _, h := range sent {
		assert.True(t, byID[h.ID], "missing from the share: %s", h.LocalPath)
	}
	total, err := e.db.FolderTotalAfter(k, 0)
	require.NoError(t, err)
	assert.Equal(t, 30, total.Files)
	assert.Len(t, history(t, e.db), 30, "nothing sent again")
}

// TestFolderUploadedAgainElsewhereHoldsOnlyItsOwnUploads: a folder's share
// holds a file's earlier upload only when that upload is the file as it is
// now, sent by the same account, on the same environment, to the same
// destination. Uploaded again for another account or environment, or to
// another destination folder, every file is sent anew and the share holds
// no link of the earlier one (which keeps its own); a file renamed since
// is sent under its new name and the old name is in no newer share. A
// comment changed finds every file (a comment is not part of where a file
// goes): the share holds the earlier uploads, with their comment. This
// held; no test crossed folder shares with accounts, environments or
// destinations.
func TestFolderUploadedAgainElsewhereHoldsOnlyItsOwnUploads(t *testing.T) {
	tests := []struct {
		name   string
		change func(e *testEnv, cfg *Config, req *Request)
		// found are the files the second upload finds already uploaded,
		// sent are those it sends (by name).
		found, sent []string
	}{
		{"another account", func(_ *testEnv, cfg *Config, _ *Request) { cfg.Account = "other@example.com" },
			nil, []string{"a.jpg", "b.jpg", "c.jpg"}},
		{"another environment", func(_ *testEnv, cfg *Config, _ *Request) { cfg.Env = "sandbox-other" },
			nil, []string{"a.jpg", "b.jpg", "c.jpg"}},
		{"another destination folder", func(_ *testEnv, _ *Config, req *Request) { req.FolderPath = "/elsewhere/" },
			nil, []string{"a.jpg", "b.jpg", "c.jpg"}},
		{"a file renamed", func(e *testEnv, _ *Config, _ *Request) {
			old := filepath.Join(e.files, "photos", "b.jpg")
			require.NoError(t, os.Rename(old, filepath.Join(filepath.Dir(old), "b2.jpg")))
		}, []string{"a.jpg", "c.jpg"}, []string{"b2.jpg"}},
		{"another comment", func(_ *testEnv, _ *Config, req *Request) { req.Comment = "second" },
			[]string{"a.jpg", "b.jpg", "c.jpg"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			for _, n := range []string{"a.jpg", "b.jpg", "c.jpg"} {
				e.write("photos/"+n, []byte("the picture "+n))
			}
			folder := filepath.Join(e.files, "photos")
			e.uploaded(Request{Path: folder, Comment: "first"}).Close()
			first := newestShare(t, e, folder)
			earlier := filesOf(t, e, first)
			require.Len(t, earlier, 3)
			earlierIDs := map[int64]bool{}
			for _, h := range earlier {
				earlierIDs[h.ID] = true
			}

			cfg, req := e.config(), Request{Path: folder, Comment: "first"}
			tt.change(e, &cfg, &req)
			q := e.queue(cfg)
			q.Add(req)
			require.NoError(t, wait(t, q, hangGuard))
			assert.Equal(t, len(tt.found), q.Summary().Already)

			k := newestShare(t, e, folder)
			assert.NotEqual(t, first, k, "the second upload is the folder's latest")
			share := filesOf(t, e, k)
			var found, sent []string
			for _, h := range share {
				assert.Equal(t, cfg.Env, h.Env, "%s: a link of the share's environment", h.Name)
				assert.Equal(t, cfg.Account, h.Account, "%s: an upload of the share's account", h.Name)
				if earlierIDs[h.ID] {
					found = append(found, h.Name)
					assert.Equal(t, "first", h.Comment, "the earlier upload, as it was")
				} else {
					sent = append(sent, h.Name)
					assert.Equal(t, req.Comment, h.Comment)
				}
			}
			assert.ElementsMatch(t, tt.found, found, "the earlier uploads in the share")
			assert.ElementsMatch(t, tt.sent, sent, "the uploads it sent")
			total, err := e.db.FolderTotalAfter(k, 0)
			require.NoError(t, err)
			assert.Equal(t, len(share), total.Files)
			assert.Equal(t, len(tt.found), total.Found)

			again := filesOf(t, e, first)
			assert.Len(t, again, 3, "the earlier share keeps its files")
		})
	}
}

// TestFolderListingResumedAfterItsLeftJobsCanceledHoldsEachFileOnce: a
// folder added again while an earlier add's jobs still wait leaves its
// files to them (storage.LeftFile); cut short by a kill after saving that,
// the earlier jobs canceled, and listed on by the next start, it queues
// those files itself. Its share is then the whole folder, each file once
// with its own upload, and says nothing is missing; the earlier jobs
// retried and uploaded later add no second copy and leave it the
// folder's latest share.
func TestFolderListingResumedAfterItsLeftJobsCanceledHoldsEachFileOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	folder, firstJobs := leaveFilesThenCutTheNextListing(t, e)
	for _, id := range firstJobs {
		require.NoError(t, e.db.UpdateJob(id, storage.JobCanceled, 0, ""))
	}

	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	requireWholeOnce(t, e, folder, 42, "listed on after the earlier jobs were canceled")
	before := newestShare(t, e, folder)

	for _, id := range firstJobs {
		next.Retry(id)
	}
	require.NoError(t, wait(t, next, hangGuard))
	requireWholeOnce(t, e, folder, 42, "the earlier jobs retried and uploaded")
	after := newestShare(t, e, folder)
	assert.Equal(t, before, after, "the later add stays the folder's latest share")
}

// TestFolderListingResumedAfterItsLeftJobsRemovedHoldsEachFileOnce: as
// above, but the earlier jobs, canceled, are then removed from the queue
// (their rows deleted), before the next start or after its listing queued
// those files itself: once uploaded, its share is the whole folder and
// says nothing is missing.
func TestFolderListingResumedAfterItsLeftJobsRemovedHoldsEachFileOnce(t *testing.T) {
	tests := []struct {
		name   string
		remove func(e *testEnv, firstJobs []string)
	}{
		{"removed before the next start", func(e *testEnv, firstJobs []string) {
			_, err := e.db.DeleteJobIDs(firstJobs...)
			require.NoError(t, err)
		}},
		{"removed after the next start's listing queued the files", func(e *testEnv, firstJobs []string) {
			q := e.queue(e.tokenless()) // lists on; its jobs wait for a sign-in
			eventually(t, hangGuard, func() bool { return len(walksLeft(t, e.db)) == 0 }, "listed on")
			for _, id := range firstJobs {
				q.Remove(id)
			}
			require.NoError(t, q.Close())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			folder, firstJobs := leaveFilesThenCutTheNextListing(t, e)
			for _, id := range firstJobs {
				require.NoError(t, e.db.UpdateJob(id, storage.JobCanceled, 0, ""))
			}
			tt.remove(e, firstJobs)
			counts, err := e.db.JobCounts(testEnvName, testEmail)
			require.NoError(t, err)
			require.Zero(t, counts[storage.JobCanceled].Jobs, "removed from the queue")

			next := e.queue(e.config())
			require.NoError(t, wait(t, next, hangGuard))
			assert.Equal(t, 42, next.Summary().Done, "every file sent by the second add itself")
			requireWholeOnce(t, e, folder, 42, "listed on after the earlier jobs were removed")
		})
	}
}

// TestFolderListingResumedAfterItsLeftJobsRemovedIsNotWholeWithoutThoseFiles:
// as above, but the jobs the listing resumed queued for those files are
// canceled and cleared from the list too: the share, its 30 other files
// uploaded, still says those 12 were not sent, once: as its own files
// canceled (Dropped), not also as left to the earlier jobs.
func TestFolderListingResumedAfterItsLeftJobsRemovedIsNotWholeWithoutThoseFiles(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	folder, firstJobs := leaveFilesThenCutTheNextListing(t, e)
	for _, id := range firstJobs {
		require.NoError(t, e.db.UpdateJob(id, storage.JobCanceled, 0, ""))
	}
	_, err := e.db.DeleteJobIDs(firstJobs...)
	require.NoError(t, err)
	waiting := e.queue(e.tokenless()) // lists on; its jobs wait for a sign-in
	eventually(t, hangGuard, func() bool { return len(walksLeft(t, e.db)) == 0 }, "listed on")
	own := jobsByPath(waiting.Jobs())
	for i := range 12 {
		waiting.Cancel(own[filepath.Join(folder, fmt.Sprintf("%02d.jpg", i))].ID)
	}
	waiting.ClearFinished()
	require.NoError(t, waiting.Close())

	next := e.queue(e.config())
	require.NoError(t, wait(t, next, hangGuard))
	assert.Equal(t, 30, next.Summary().Done, "the other files sent")
	k := newestShare(t, e, folder)
	left := leftOf(t, e, k)
	assert.Equal(t, storage.FolderLeft{Dropped: 12}, left)
}

// requireWholeOnce checks that the newest share of folder holds files
// files, each once, and says nothing is missing.
func requireWholeOnce(t *testing.T, e *testEnv, folder string, files int, when string) {
	t.Helper()
	k := newestShare(t, e, folder)
	share := filesOf(t, e, k)
	byPath := map[string]int{}
	for _, h := range share {
		byPath[h.LocalPath]++
	}
	assert.Len(t, byPath, files, when)
	for p, n := range byPath {
		assert.Equal(t, 1, n, "%s: listed %d times: %s", when, n, p)
	}
	total, err := e.db.FolderTotalAfter(k, 0)
	require.NoError(t, err)
	assert.Equal(t, files, total.Files, when)
	left := leftOf(t, e, k)
	assert.False(t, left.Any(), "%s: %+v", when, left)
}

// leaveFilesThenCutTheNextListing adds a folder of 12 files to a queue
// without a sign-in (its jobs wait), then, with 30 files more, adds it
// again to a queue that Close cuts short (as a kill would) once what that
// listing left to the 12 waiting jobs (storage.LeftFile) and its first
// rows are saved. It returns the folder and the ids of the 12 jobs.
func leaveFilesThenCutTheNextListing(t *testing.T, e *testEnv) (string, []string) {
	t.Helper()
	e.writeNumbered("album/%02d.jpg", 12)
	folder := filepath.Join(e.files, "album")
	earlier := e.queue(e.tokenless()) // nothing uploads: its jobs wait for a sign-in
	earlier.Add(Request{Path: folder})
	var jobs []storage.JobRow
	eventually(t, hangGuard, func() bool {
		var err error
		jobs, err = e.db.Jobs()
		return err == nil && len(jobs) == 12 && len(walksLeft(t, e.db)) == 0
	}, "the first add listed")
	require.NoError(t, earlier.Close())
	var firstJobs []string
	for _, j := range jobs {
		firstJobs = append(firstJobs, j.ID)
	}
	require.Len(t, firstJobs, 12)

	e.writeNumbered("album/new%02d.jpg", 30)     // listed after the waiting ones
	cutListingShort(t, e, e.tokenless(), folder) // what it left, and its first rows, are saved
	return folder, firstJobs
}

// uploadThenCutTheNextListing uploads a folder of 30 files, then adds it
// again to a queue that Close cuts short (as a kill would) once the
// listing's first rows, files found already uploaded, are saved. It
// returns the folder and the history of the first upload.
func uploadThenCutTheNextListing(t *testing.T, e *testEnv) (string, []storage.HistoryEntry) {
	t.Helper()
	e.writeNumbered("album/%02d.jpg", 30)
	folder := filepath.Join(e.files, "album")
	e.uploaded(Request{Path: folder}).Close()
	sent := history(t, e.db)
	require.Len(t, sent, 30)

	cutListingShort(t, e, e.config(), folder)
	return folder, sent
}

// cutListingShort adds folder to a queue of cfg and closes it (as a kill
// would) once its listing has saved its first rows: the listing is left
// unfinished in the saved walks.
func cutListingShort(t *testing.T, e *testEnv, cfg Config, folder string) {
	t.Helper()
	saved := make(chan struct{})
	var q atomic.Pointer[Queue]
	cfg.beforeListedRows = func(group, _ int) {
		if group == 2 { // the first rows are saved: a kill comes now
			close(saved)
			<-q.Load().ctx.Done()
		}
	}
	cut, err := New(cfg)
	require.NoError(t, err)
	q.Store(cut)
	cut.Add(Request{Path: folder})
	<-saved
	require.NoError(t, cut.Close())
	require.NotEmpty(t, walksLeft(t, e.db), "the listing was cut short")
}

// TestFolderAddedByAnotherAccountLeavesNothingToTheFirstsWaitingJobs: the
// same folder's files waiting in one account's (or environment's) queue
// are not "already queued" for another: that one's add sends every file
// itself, its share is whole once they are uploaded (the first one's
// waiting files are not its own), and the first one's uploads, recorded
// later, join no share of the other. This held; fac5cac's files left to
// an earlier add's job were tested within one account only.
func TestFolderAddedByAnotherAccountLeavesNothingToTheFirstsWaitingJobs(t *testing.T) {
	tests := []struct {
		name  string
		other func(cfg *Config)
	}{
		{"another account", func(cfg *Config) { cfg.Account = "other@example.com" }},
		{"another environment", func(cfg *Config) { cfg.Env = "sandbox-other" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.writeNumbered("album/%02d.jpg", 6)
			folder := filepath.Join(e.files, "album")
			first := e.queue(e.tokenless()) // its jobs wait for a sign-in
			first.Add(Request{Path: folder})
			eventually(t, hangGuard, func() bool {
				jobs, err := e.db.Jobs()
				return err == nil && len(jobs) == 6 && len(walksLeft(t, e.db)) == 0
			}, "the first add listed")
			require.NoError(t, first.Close())

			cfg := e.config()
			tt.other(&cfg)
			second := e.queue(cfg)
			second.Add(Request{Path: folder})
			require.NoError(t, wait(t, second, hangGuard))
			assert.Equal(t, 6, second.Summary().Done, "every file sent by the other one itself")
			k := newestShare(t, e, folder)
			left := leftOf(t, e, k)
			assert.False(t, left.Any(), "the first one's waiting files are not this share's: %+v", left)
			require.NoError(t, second.Close())

			again := e.queue(e.config()) // the first one's queue, signed in: uploads its 6
			require.NoError(t, wait(t, again, hangGuard))
			require.Len(t, history(t, e.db), 12, "each one's upload of each file")
			share := filesOf(t, e, k)
			assert.Len(t, share, 6)
			for _, h := range share {
				assert.Equal(t, cfg.Env, h.Env, h.Name)
				assert.Equal(t, cfg.Account, h.Account, h.Name)
			}
			total, err := e.db.FolderTotalAfter(k, 0)
			require.NoError(t, err)
			assert.Equal(t, 6, total.Files)
		})
	}
}

// TestRetryOfAnEarlierAddLeavesTheLaterAddTheLatestShare: a folder's
// file failed in one Add call; the folder added again queues that file
// itself and a new one, and uploads the whole folder. Retrying the
// earlier add's failed job later records one more upload for that
// earlier share, but the folder's latest share is still the later add,
// which holds the new file: ranking shares by their last recorded upload
// made the earlier one the latest, and `history --folder` listed the
// folder without the new file, as complete.
func TestRetryOfAnEarlierAddLeavesTheLaterAddTheLatestShare(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("album/%02d.jpg", 3)
	folder := filepath.Join(e.files, "album")
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusRequestEntityTooLarge, Count: 1})
	first := e.uploaded(Request{Path: folder})
	var failed storage.JobRow
	jobs, err := e.db.Jobs()
	require.NoError(t, err)
	for _, j := range jobs {
		if j.State == storage.JobFailed {
			failed = j
		}
	}
	require.NotEmpty(t, failed.ID, "one file of the first add failed")
	require.NoError(t, first.Close())

	e.write("album/new.jpg", []byte("added later"))
	second := e.uploaded(Request{Path: folder})
	later := newestShare(t, e, folder)
	require.NotEqual(t, failed.BatchID, later.BatchID)
	require.Len(t, sharePaths(t, e.db, later), 4, "the later add holds the whole folder")

	second.Retry(failed.ID)
	require.NoError(t, wait(t, second, hangGuard))
	retried, err := e.db.Job(failed.ID)
	require.NoError(t, err)
	require.Equal(t, storage.JobDone, retried.State, "the earlier add's file uploaded on retry")
	newest := newestShare(t, e, folder)
	assert.Equal(t, later, newest, "the later add stays the folder's latest share")
	assert.Len(t, sharePaths(t, e.db, newest), 4)
	left := leftOf(t, e, newest)
	assert.False(t, left.Any(), "%+v", left)
}

// sharePaths are the local paths of the files of the folder share k.
func sharePaths(t *testing.T, db *storage.DB, k storage.FolderKey) map[string]bool {
	t.Helper()
	share, err := db.HistoryOfFolder(k)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, h := range share {
		out[h.LocalPath] = true
	}
	return out
}

// TestDeletingTheNewestEntryLeavesTheNextAddOfAFolderTheLatest: a folder
// added again unchanged (its share holds its files as found already
// uploaded), after a file added on its own; that file's entry, the
// history's newest, is deleted; the folder, with a new file, is added
// once more. That last add is the folder's latest share and holds the
// new file: placing each Add call after the history's largest id then
// placed it before the one before it (the deleted entry's id lowered that
// largest id), and the share without the new file was listed as whole.
func TestDeletingTheNewestEntryLeavesTheNextAddOfAFolderTheLatest(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.write("album/a.jpg", []byte("a"))
	folder := filepath.Join(e.files, "album")
	stray := e.write("stray.txt", []byte("added on its own"))
	e.uploaded(Request{Path: folder}).Close()
	e.uploaded(Request{Path: stray}).Close()
	e.uploaded(Request{Path: folder}).Close()
	found := newestShare(t, e, folder)
	for _, h := range history(t, e.db) {
		if h.LocalPath == stray {
			require.NoError(t, e.db.DeleteHistory(h.ID))
		}
	}

	added := e.write("album/new.jpg", []byte("added later"))
	e.uploaded(Request{Path: folder}).Close()
	newest := newestShare(t, e, folder)
	assert.NotEqual(t, found, newest, "the last add is the latest share")
	assert.True(t, sharePaths(t, e.db, newest)[added], "the latest share holds the new file")
}

// TestFolderAddedAgainWithNothingToUploadIsTheLatestShare: a folder
// uploaded, then emptied (or left with only what is never uploaded: a
// symbolic link), then added again: that last Add call found no file, and
// it is the folder's latest share all the same, holding no file and
// lacking none. It made no share, so the first one, whose files are gone,
// stayed the latest, and `history --folder` listed them as the folder's
// whole list.
func TestFolderAddedAgainWithNothingToUploadIsTheLatestShare(t *testing.T) {
	tests := []struct {
		name  string
		after func(t *testing.T, folder string) // what the folder holds at the second add
	}{
		{"emptied", func(*testing.T, string) {}},
		{"only a symbolic link left", func(t *testing.T, folder string) {
			outside := filepath.Join(filepath.Dir(folder), "outside.txt")
			require.NoError(t, os.WriteFile(outside, []byte("not in the folder"), 0o644))
			testfs.SymlinkOrSkip(t, outside, filepath.Join(folder, "link"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			e.writeNumbered("album/%02d.jpg", 2)
			folder := filepath.Join(e.files, "album")
			e.uploaded(Request{Path: folder}).Close()
			first := newestShare(t, e, folder)
			require.Len(t, sharePaths(t, e.db, first), 2)

			entries, err := os.ReadDir(folder)
			require.NoError(t, err)
			for _, de := range entries {
				require.NoError(t, os.Remove(filepath.Join(folder, de.Name())))
			}
			tt.after(t, folder)
			e.uploaded(Request{Path: folder}).Close()

			newest := newestShare(t, e, folder)
			assert.NotEqual(t, first, newest, "the last add is the latest share")
			assert.Empty(t, sharePaths(t, e.db, newest), "it holds no file")
			left := leftOf(t, e, newest)
			assert.False(t, left.Any(), "%+v", left)
		})
	}
}
