package storage

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderLeftOfCountsTheFilesTheShareDidNotUpload: a share whose own
// file ended canceled, skipped because it could not be read (or for a
// passing trouble), or failed and was then taken out of the queue is not
// the folder's whole list, in the queue or out of it: Clear finished,
// Remove, the cleared rows deleted and a restart leave the share
// remembering it (Dropped; a folder that could not be read, one row for
// all it held, is also counted in UnreadFolders). A file skipped by design (a link, a pipe, an
// empty folder, the app's own data, a file gone from the folder) leaves
// it whole, and so does a canceled file retried and uploaded.
func TestFolderLeftOfCountsTheFilesTheShareDidNotUpload(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	const env, account = "testnet", "someone@example.com"
	k := FolderKey{Folder: folder, BatchID: "b1"}
	job := func(name string, st JobState, reason string) JobRow {
		return JobRow{ID: "b1-" + name, BatchID: k.BatchID, Env: env, Account: account, LocalPath: filepath.Join(folder, name),
			Name: name, Size: 1, Beneath: folder, State: st, Reason: reason}
	}
	finish := func(t *testing.T, d *DB, r JobRow) {
		t.Helper()
		e := sampleEntry(len(r.Name))
		e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID, e.Env, e.Account = r.ID, r.LocalPath, r.Name, r.Size, folder, r.BatchID, env, account
		r.Hash, r.Verified, r.Attempts = e.Hash, true, 1
		require.NoError(t, d.FinishJob(r, e))
	}
	type ending struct {
		name    string
		row     JobRow
		then    func(t *testing.T, d *DB, r JobRow) // after it is saved
		inQueue FolderLeft                          // while it is listed
		removed FolderLeft                          // once taken out of the queue
	}
	dropped := FolderLeft{Dropped: 1}
	endings := []ending{
		{name: "canceled", row: job("c.jpg", JobCanceled, "canceled"), inQueue: dropped, removed: dropped},
		{name: "failed", row: job("c.jpg", JobFailed, "server-trouble"),
			inQueue: FolderLeft{BatchLeft: BatchLeft{Failed: 1}}, removed: dropped},
		{name: "canceled, retried and uploaded", row: job("c.jpg", JobCanceled, "canceled"),
			then: func(t *testing.T, d *DB, r JobRow) {
				require.NoError(t, d.UpdateJob(r.ID, JobQueued, 0, ""))
				finish(t, d, r)
			}},
	}
	for _, reason := range []string{"file-denied", "file-unreadable", "file-refused", ""} {
		endings = append(endings, ending{name: "skipped: " + reason, row: job("c.jpg", JobSkipped, reason), inQueue: dropped, removed: dropped})
	}
	// A folder the listing could not read is one row, whatever it held:
	// counted apart (UnreadFolders), as a folder, not a file.
	unreadFolder := FolderLeft{Dropped: 1, UnreadFolders: 1}
	for _, reason := range []string{"folder-denied", "folder-unreadable"} {
		endings = append(endings, ending{name: "skipped: " + reason, row: job("c", JobSkipped, reason), inQueue: unreadFolder, removed: unreadFolder})
	}
	for _, reason := range SkipsByDesign {
		endings = append(endings, ending{name: "skipped by design: " + reason, row: job("c.jpg", JobSkipped, reason)})
	}
	replaced := job("c.jpg", JobSkipped, "not-listed")
	replaced.ReasonArg = ReplacedArg
	endings = append(endings, ending{name: "skipped: another file in its place", row: replaced, inQueue: dropped, removed: dropped})
	type removal struct {
		name       string
		keepFailed bool // a failed job stays in the queue
		remove     func(t *testing.T, d *DB, id string)
	}
	removals := []removal{
		{"left in the queue", true, func(*testing.T, *DB, string) {}},
		{"removed", false, func(t *testing.T, d *DB, id string) {
			_, err := d.DeleteJobIDs(id)
			require.NoError(t, err)
		}},
		{"cleared (Clear finished, or at a start)", true, func(t *testing.T, d *DB, _ string) {
			_, err := d.ClearJobs(env, account, []JobState{JobDone, JobCanceled, JobSkipped, JobAlready}, nil, nil)
			require.NoError(t, err)
		}},
		{"deleted by state", false, func(t *testing.T, d *DB, _ string) {
			_, err := d.DeleteJobs(JobDone, JobCanceled, JobSkipped, JobAlready, JobFailed)
			require.NoError(t, err)
		}},
		{"cleared while listed, then the cleared rows deleted", false, func(t *testing.T, d *DB, id string) {
			require.NoError(t, d.MarkJobsCleared(id))
			require.NoError(t, d.DeleteCleared(env, account, nil))
		}},
	}
	for _, end := range endings {
		for _, rm := range removals {
			t.Run(end.name+"/"+rm.name, func(t *testing.T) {
				dir := t.TempDir()
				d, err := Open(dir)
				require.NoError(t, err)
				a := job("a.jpg", JobQueued, "")
				require.NoError(t, d.InsertJobs([]JobRow{a, end.row}))
				finish(t, d, a)
				if end.then != nil {
					end.then(t, d, end.row)
				}
				want := end.removed
				if rm.name == "left in the queue" || rm.keepFailed && end.row.State == JobFailed {
					want = end.inQueue
				}
				rm.remove(t, d, end.row.ID)

				got, err := d.FolderLeftOf(k)
				require.NoError(t, err)
				assert.Equal(t, want, got)
				assert.Equal(t, want != FolderLeft{}, got.Any())
				if end.row.State == JobSkipped {
					assert.Equal(t, end.removed == FolderLeft{}, SkippedByDesign(end.row.Reason, end.row.ReasonArg),
						"SkippedByDesign says what the database does")
				}
				require.NoError(t, d.Close())
				d, err = Open(dir) // a restart
				require.NoError(t, err)
				t.Cleanup(func() { _ = d.Close() })
				require.NoError(t, d.DeleteCleared(env, account, nil)) // as a start does
				got, err = d.FolderLeftOf(k)
				require.NoError(t, err)
				assert.Equal(t, want, got, "after a restart")
			})
		}
	}
}

// TestCloseCarryingOverKeepsTheFilesAShareDropped: the database file
// deleted while the window uses it, a folder share whose upload of a.jpg
// could not be recorded, whose c.jpg was canceled and whose d.jpg could
// not be read and was cleared from the list is carried over not whole:
// the new file remembers both files the share lacks (Dropped), the
// cleared one still out of the list. A file skipped by design (a link)
// still leaves it whole of that file.
func TestCloseCarryingOverKeepsTheFilesAShareDropped(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a database file SQLite holds open")
	}
	folder := filepath.FromSlash("/home/someone/trip")
	const env, account = "testnet", "someone@example.com"
	k := FolderKey{Folder: folder, BatchID: "b1"}
	job := func(name string, st JobState, reason string) JobRow {
		return JobRow{ID: "b1-" + name, BatchID: k.BatchID, Env: env, Account: account, LocalPath: filepath.Join(folder, name),
			Name: name, Size: 1, Beneath: folder, State: st, Reason: reason}
	}
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	a := job("a.jpg", JobUploading, "")
	require.NoError(t, d.InsertJobs([]JobRow{a, job("c.jpg", JobCanceled, "canceled"),
		job("d.jpg", JobSkipped, "file-unreadable"), job("l.jpg", JobSkipped, "symlink")}))
	require.NoError(t, d.MarkJobsCleared("b1-d.jpg", "b1-l.jpg"))
	require.NoError(t, os.Remove(filepath.Join(dir, DBFileName)))
	e := sampleEntry(1)
	e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID, e.Env, e.Account = a.ID, a.LocalPath, a.Name, a.Size, folder, a.BatchID, env, account
	a.State, a.Hash, a.Verified = JobDone, e.Hash, true
	_, err = d.CloseCarryingOver([]JobFinish{{Row: a, History: e}}, nil)
	require.NoError(t, err)

	at, err := Open(dir)
	require.NoError(t, err)
	defer at.Close()
	newest, err := at.NewestFolderShare(folder)
	require.NoError(t, err)
	require.Equal(t, k, newest)
	left, err := at.FolderLeftOf(k)
	require.NoError(t, err)
	assert.Equal(t, FolderLeft{Dropped: 2}, left, "c.jpg canceled and d.jpg unreadable are not in the share")
	assert.True(t, left.Any())
	var cleared bool
	require.NoError(t, at.r.QueryRow(`SELECT cleared FROM jobs WHERE id = 'b1-d.jpg'`).Scan(&cleared))
	assert.True(t, cleared, "a row cleared from the list stays out of it")
}

// TestAShareLacksAFileItLeftToAJobOfItsOwnCall: upload --parent-id N d
// d/sub, or upload d d/g.jpg: d's listing meets g.jpg already queued by
// another path of the same Add call (d/sub's listing, or the file named
// on its own) and leaves it to that job (LeftFile). That job canceled,
// skipped for a reason that is no choice of the app's, or failed and
// taken out of the queue leaves d's share without g.jpg for good
// (Dropped: history --folder d and the window's folder dialog say "not
// the whole folder"), in the queue or out of it; a file skipped by design
// (a link) leaves it whole. Whichever share owns the job counts it too.
func TestAShareLacksAFileItLeftToAJobOfItsOwnCall(t *testing.T) {
	outer := filepath.FromSlash("/home/someone/d")
	inner := filepath.Join(outer, "sub")
	const env, account, batch = "testnet", "someone@example.com", "b1"
	job := func(id, dir, beneath string, st JobState, reason string) JobRow {
		return JobRow{ID: id, BatchID: batch, Env: env, Account: account, LocalPath: filepath.Join(dir, id+".jpg"),
			Name: id + ".jpg", Size: 1, Beneath: beneath, State: st, Reason: reason}
	}
	owners := []struct {
		name    string
		beneath string // the path of the call that queued g.jpg
	}{{"another folder of the call", inner}, {"the file named on its own", ""}}
	dropped := FolderLeft{Dropped: 1}
	endings := []struct {
		name             string
		state            JobState
		reason           string
		inQueue, removed FolderLeft
	}{
		{"canceled", JobCanceled, "canceled", dropped, dropped},
		{"skipped: could not be read", JobSkipped, "file-unreadable", dropped, dropped},
		{"failed", JobFailed, "server-trouble", FolderLeft{BatchLeft: BatchLeft{Failed: 1}}, dropped},
		{"skipped by design: a link", JobSkipped, "symlink", FolderLeft{}, FolderLeft{}},
	}
	removals := []struct {
		name   string
		remove func(t *testing.T, d *DB, id string) // nil: left in the queue
	}{
		{"left in the queue", nil},
		{"removed", func(t *testing.T, d *DB, id string) {
			_, err := d.DeleteJobIDs(id)
			require.NoError(t, err)
		}},
		{"cleared while listed, then the cleared rows deleted", func(t *testing.T, d *DB, id string) {
			require.NoError(t, d.MarkJobsCleared(id))
			require.NoError(t, d.DeleteCleared(env, account, nil))
		}},
	}
	for _, owner := range owners {
		for _, end := range endings {
			for _, rm := range removals {
				t.Run(owner.name+"/"+end.name+"/"+rm.name, func(t *testing.T) {
					d := openTestDB(t)
					a := job("a", outer, outer, JobQueued, "")
					g := job("g", inner, owner.beneath, end.state, end.reason)
					require.NoError(t, d.InsertJobs([]JobRow{a, g}))
					require.NoError(t, d.InsertListing(nil, []LeftFile{{JobID: g.ID, Folder: outer, BatchID: batch}},
						FolderKey{Folder: outer, BatchID: batch}))
					e := sampleEntry(1)
					e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID, e.Env, e.Account = a.ID, a.LocalPath, a.Name, a.Size, outer, batch, env, account
					a.Hash, a.Verified, a.Attempts = e.Hash, true, 1
					require.NoError(t, d.FinishJob(a, e))
					want := end.inQueue
					if rm.remove != nil {
						rm.remove(t, d, g.ID)
						want = end.removed
					}

					got, err := d.FolderLeftOf(FolderKey{Folder: outer, BatchID: batch})
					require.NoError(t, err)
					assert.Equal(t, want, got, "d's share, which left g.jpg to that job")
					assert.Equal(t, want != FolderLeft{}, got.Any())
					if owner.beneath != "" {
						got, err = d.FolderLeftOf(FolderKey{Folder: inner, BatchID: batch})
						require.NoError(t, err)
						assert.Equal(t, want, got, "d/sub's share, whose job it is")
					}
				})
			}
		}
	}
}

// TestAShareThatQueuesAFileItLeftToAJobOfItsOwnCallCountsItOnce: d's
// listing left g.jpg to the job of another path of its Add call (as in
// TestAShareLacksAFileItLeftToAJobOfItsOwnCall), that job was canceled
// and removed, and d's listing, resumed after a kill, queued g.jpg
// itself: the share counts g.jpg once, by its own job (still to upload,
// then uploaded: whole), not also as the file it left to the removed one.
func TestAShareThatQueuesAFileItLeftToAJobOfItsOwnCallCountsItOnce(t *testing.T) {
	outer := filepath.FromSlash("/home/someone/d")
	const env, account, batch = "testnet", "someone@example.com", "b1"
	k := FolderKey{Folder: outer, BatchID: batch}
	g := JobRow{ID: "g-named", BatchID: batch, Env: env, Account: account, LocalPath: filepath.Join(outer, "g.jpg"),
		Name: "g.jpg", Size: 1, State: JobCanceled, Reason: "canceled"}
	d := openTestDB(t)
	require.NoError(t, d.InsertJobs([]JobRow{g}))
	require.NoError(t, d.InsertListing(nil, []LeftFile{{JobID: g.ID, Folder: outer, BatchID: batch}}))
	_, err := d.DeleteJobIDs(g.ID)
	require.NoError(t, err)
	left, err := d.FolderLeftOf(k)
	require.NoError(t, err)
	require.Equal(t, FolderLeft{Dropped: 1}, left, "g.jpg removed before d's listing queued it")

	own := g
	own.ID, own.Beneath, own.State, own.Reason = "g-of-d", outer, JobQueued, ""
	require.NoError(t, d.InsertListing([]JobRow{own}, nil, k))
	left, err = d.FolderLeftOf(k)
	require.NoError(t, err)
	assert.Equal(t, FolderLeft{BatchLeft: BatchLeft{Pending: 1}}, left, "its own job of g.jpg, once")

	e := sampleEntry(1)
	e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID, e.Env, e.Account = own.ID, own.LocalPath, own.Name, own.Size, outer, batch, env, account
	own.Hash, own.Verified, own.Attempts = e.Hash, true, 1
	require.NoError(t, d.FinishJob(own, e))
	left, err = d.FolderLeftOf(k)
	require.NoError(t, err)
	assert.False(t, left.Any(), "g.jpg uploaded by d's own job: %+v", left)
}
