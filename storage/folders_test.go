package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderShares records two uploads of one folder, another folder and a
// file added on its own, and reads each share back whole: its own files,
// newest first, and the folder's newest share.
func TestFolderShares(t *testing.T) {
	d := openTestDB(t)
	var entries []HistoryEntry
	add := func(folder, batch string) HistoryEntry {
		e := sampleEntry(len(entries))
		e.AddedFolder, e.BatchID = folder, batch
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		e.ID = id
		entries = append(entries, e)
		return e
	}
	first := []HistoryEntry{add("/home/someone/Pictures", "b1"), add("/home/someone/Pictures", "b1")}
	add("/home/someone/Other", "b1")
	alone := add("", "b1")
	second := []HistoryEntry{add("/home/someone/Pictures", "b2")}
	first = append(first, add("/home/someone/Pictures", "b1")) // a retry finished late

	got, err := d.HistoryOfFolder(FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"})
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, want := range []HistoryEntry{first[2], first[1], first[0]} {
		assert.Equal(t, want.ID, got[i].ID, "newest first")
		k, ok := got[i].Folder()
		assert.True(t, ok)
		assert.Equal(t, FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}, k)
	}
	got, err = d.HistoryOfFolder(FolderKey{Folder: "/home/someone/Pictures", BatchID: "b2"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, second[0].ID, got[0].ID)

	back, err := d.HistoryByID(alone.ID)
	require.NoError(t, err)
	_, ok := back.Folder()
	assert.False(t, ok, "a file added on its own is in no folder share")

	k, err := d.NewestFolderShare("/home/someone/Pictures")
	require.NoError(t, err)
	assert.Equal(t, "b1", k.BatchID, "b1's late retry is the newest entry of the folder")
	_, err = d.NewestFolderShare("/home/someone/Nothing")
	assert.ErrorIs(t, err, ErrNotFound)

	pictures := FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}
	total, err := d.FolderTotalAfter(pictures, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, total.Files)
	assert.Equal(t, first[0].Size+first[1].Size+first[2].Size, total.Size)
	assert.True(t, first[2].FinishedAt.Equal(total.Newest), "the late retry finished last")
	assert.Equal(t, first[2].ID, total.LastID)
	more, err := d.FolderTotalAfter(pictures, first[0].ID)
	require.NoError(t, err)
	assert.Equal(t, 2, more.Files, "counted on after the first")
	assert.Equal(t, total, FolderTotal{Files: 1, Size: first[0].Size, Newest: first[0].FinishedAt, LastID: first[0].ID}.Plus(more).withUTC(total))
	total, err = d.FolderTotalAfter(FolderKey{Folder: "/home/someone/Nothing", BatchID: "b1"}, 0)
	require.NoError(t, err)
	assert.Equal(t, FolderTotal{}, total, "no upload: zero")
	total, err = d.FolderTotalAfter(FolderKey{BatchID: "b1"}, 0)
	require.NoError(t, err)
	assert.Equal(t, FolderTotal{}, total, "files added on their own are no folder share")
}

// insertFolderShare puts n uploads of folder share k in d's history, as a
// large folder's would be.
func insertFolderShare(tb testing.TB, d *DB, k FolderKey, n int) {
	tb.Helper()
	insertInBatches(tb, n, func(i int) HistoryEntry {
		e := sampleEntry(i)
		e.AddedFolder, e.BatchID = k.Folder, k.BatchID
		return e
	}, d.insertHistoryBatch)
}

// withUTC is t with Newest in like's location, to compare the two.
func (t FolderTotal) withUTC(like FolderTotal) FolderTotal {
	t.Newest = t.Newest.In(like.Newest.Location())
	return t
}

// BenchmarkFolderTotal100k counts a folder share of 100,000 uploads:
// whole (a window's first page that shows it), and on from its last count
// after 100 more (each page after uploads finished).
func BenchmarkFolderTotal100k(b *testing.B) {
	d := openTestDB(b)
	const n = 100_000
	k := FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}
	insertFolderShare(b, d, k, n)
	b.Run("whole", func(b *testing.B) {
		for b.Loop() {
			if total, err := d.FolderTotalAfter(k, 0); err != nil || total.Files != n {
				b.Fatal(total, err)
			}
		}
	})
	b.Run("100 more", func(b *testing.B) {
		for b.Loop() {
			if total, err := d.FolderTotalAfter(k, n-100); err != nil || total.Files != 100 {
				b.Fatal(total, err)
			}
		}
	})
}

// TestFolderShareHoldsTheFilesFoundAlreadyUploaded: the jobs of a folder
// uploaded again that found their file already uploaded put the entries
// that sent them in the new share, with the job rows or not at all; the
// share lists them beside its own uploads, counts them, is the folder's
// newest share even when it sent nothing, forgets an entry the history
// forgets, and lists a file sent again once, with its new upload.
func TestFolderShareHoldsTheFilesFoundAlreadyUploaded(t *testing.T) {
	const folder = "/home/someone/Pictures"
	d := openTestDB(t)
	var first []HistoryEntry
	for i := range 3 {
		e := sampleEntry(i)
		e.LocalPath = fmt.Sprintf("%s/%d.jpg", folder, i)
		e.AddedFolder, e.BatchID = folder, "b1"
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		e.ID = id
		first = append(first, e)
	}
	found := func(batch string, e HistoryEntry) JobRow {
		return JobRow{BatchID: batch, Env: e.Env, Account: e.Account, LocalPath: e.LocalPath, Beneath: folder,
			State: JobAlready, Hash: e.Hash, Verified: true, Found: e.ID}
	}
	ids := func(es []HistoryEntry) []int64 {
		out := make([]int64, len(es))
		for i, e := range es {
			out[i] = e.ID
		}
		return out
	}
	shareOf := func(batch string) []int64 {
		t.Helper()
		es, err := d.HistoryOfFolder(FolderKey{Folder: folder, BatchID: batch})
		require.NoError(t, err)
		return ids(es)
	}

	// The jobs and what they found are saved together: a batch refused
	// whole (a job id twice) puts nothing in the share.
	dup := found("b2", first[0])
	dup.ID = "twice"
	require.Error(t, d.InsertJobs([]JobRow{dup, found("b2", first[1]), dup}))
	assert.Empty(t, shareOf("b2"), "no share of jobs not saved")
	k, err := d.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, "b1", k.BatchID)

	// b2: 0.jpg changed and sent again, 1.jpg and 2.jpg found.
	b2 := []JobRow{found("b2", first[1]), found("b2", first[2])}
	require.NoError(t, d.InsertJobs(b2))
	changed := sampleEntry(9)
	changed.LocalPath, changed.AddedFolder, changed.BatchID = first[0].LocalPath, folder, "b2"
	changed.ID, err = d.AddHistory(changed)
	require.NoError(t, err)
	assert.ElementsMatch(t, []int64{changed.ID, first[1].ID, first[2].ID}, shareOf("b2"), "every file of the folder")
	assert.ElementsMatch(t, ids(first), shareOf("b1"), "the earlier share keeps its files")
	k, err = d.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, "b2", k.BatchID)
	total, err := d.FolderTotalAfter(FolderKey{Folder: folder, BatchID: "b2"}, 0)
	require.NoError(t, err)
	assert.Equal(t, 3, total.Files)
	assert.Equal(t, changed.Size+first[1].Size+first[2].Size, total.Size)
	assert.Equal(t, changed.ID, total.LastID)

	// b3: run again unchanged, it sends nothing and is the newest share.
	b3 := []JobRow{found("b3", changed), found("b3", first[1]), found("b3", first[2])}
	require.NoError(t, d.InsertJobs(b3))
	k, err = d.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, "b3", k.BatchID, "found after b2's last upload")
	assert.ElementsMatch(t, shareOf("b2"), shareOf("b3"))
	page, err := d.FoundInFolderPage(FolderKey{Folder: folder, BatchID: "b3"}, 0, 2)
	require.NoError(t, err)
	assert.Equal(t, []int64{changed.ID, first[2].ID}, ids(page), "a page of the files found, newest recorded first")
	page, err = d.FoundInFolderPage(FolderKey{Folder: folder, BatchID: "b3"}, page[1].ID, 2)
	require.NoError(t, err)
	assert.Equal(t, []int64{first[1].ID}, ids(page), "and the next")
	// b4, run again at once: newer still, though no upload came between.
	require.NoError(t, d.InsertJobs([]JobRow{found("b4", changed)}))
	k, err = d.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, "b4", k.BatchID)

	// An entry deleted from the history leaves every share: no link to it.
	require.NoError(t, d.DeleteHistory(first[2].ID))
	assert.ElementsMatch(t, []int64{changed.ID, first[1].ID}, shareOf("b3"))
	assert.ElementsMatch(t, []int64{first[0].ID, first[1].ID}, shareOf("b1"))
	n, err := d.DeleteHistoryIDs(t.Context(), []int64{first[1].ID})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []int64{changed.ID}, shareOf("b3"))
	total, err = d.FolderTotalAfter(FolderKey{Folder: folder, BatchID: "b3"}, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, total.Files, "counted without the deleted entries")
	var left int
	require.NoError(t, d.r.QueryRow(`SELECT count(*) FROM folder_members WHERE history_id IN (?, ?)`, first[1].ID, first[2].ID).Scan(&left))
	assert.Zero(t, left, "no row names a deleted entry")

	// A file found, then sent again (Upload again): its own upload stands
	// for it, listed once.
	again := b3[0]
	again.State = JobUploading
	require.NoError(t, d.UpdateJob(again.ID, JobUploading, 1, ""))
	resent := sampleEntry(10)
	resent.JobID = "" // the job's
	resent.LocalPath, resent.AddedFolder, resent.BatchID = changed.LocalPath, folder, "b3"
	again.Hash, again.Verified = resent.Hash, true
	require.NoError(t, d.FinishJob(again, resent))
	got, err := d.HistoryOfFolder(FolderKey{Folder: folder, BatchID: "b3"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, again.ID, got[0].JobID, "the new upload, not the one it found")
	total, err = d.FolderTotalAfter(FolderKey{Folder: folder, BatchID: "b3"}, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, total.Files)

	// A job found while its entry was being deleted names none: nothing.
	gone := found("b5", first[2])
	require.NoError(t, d.InsertJobs([]JobRow{gone}))
	assert.Empty(t, shareOf("b5"))
	// A file added on its own is in no share, found or not.
	alone := found("b6", changed)
	alone.Beneath = ""
	require.NoError(t, d.InsertJobs([]JobRow{alone}))
	require.NoError(t, d.r.QueryRow(`SELECT count(*) FROM folder_members WHERE batch_id = 'b6'`).Scan(&left))
	assert.Zero(t, left)
}

// TestFolderTotalPlusCountsFoundFilesOnce: counted on, a share's own
// uploads add up and the files it found are taken as last counted.
func TestFolderTotalPlusCountsFoundFilesOnce(t *testing.T) {
	whole := FolderTotal{Files: 5, Size: 50, LastID: 7, Found: 3, FoundSize: 30}
	more := FolderTotal{Files: 3, Size: 25, LastID: 9, Found: 2, FoundSize: 20} // one upload more, one found file gone
	got := whole.Plus(more)
	assert.Equal(t, FolderTotal{Files: 5, Size: 45, LastID: 9, Found: 2, FoundSize: 20}, got)
}

// TestMigrateToVersion16KeepsSharesAndAddsTheirFoundFiles: a database of
// schema 15 (before folder_members) keeps its folder shares as they were,
// and its shares start to hold the files they find; a migration to 16
// cut short (the step fails after its table is made) leaves schema 15
// whole, and the next open makes it.
func TestMigrateToVersion16KeepsSharesAndAddsTheirFoundFiles(t *testing.T) {
	const folder = "/home/someone/Pictures"
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	_, err = d.w.Exec(`DROP TRIGGER folder_members_forget; DROP TABLE folder_members; PRAGMA user_version = 15`)
	require.NoError(t, err)
	e := sampleEntry(1)
	e.AddedFolder, e.BatchID = folder, "b1"
	e.ID, err = d.AddHistory(e)
	require.NoError(t, err)
	require.NoError(t, d.Close())

	// Cut short: every step to 15, then 16's work and a failure.
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	raw.SetMaxOpenConns(1)
	boom := errors.New("killed")
	steps := append(slices.Clone(migrations[:15]), migration{"cut short", func(tx *sql.Tx) error {
		if err := migrateV16(tx); err != nil {
			return err
		}
		return boom
	}})
	require.ErrorIs(t, migrate(raw, steps), boom)
	v, err := userVersion(raw)
	require.NoError(t, err)
	assert.Equal(t, 15, v)
	var n int
	require.NoError(t, raw.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name LIKE 'folder_members%'`).Scan(&n))
	assert.Zero(t, n, "nothing of the step that failed")
	require.NoError(t, raw.Close())

	d, err = Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	v, err = d.SchemaVersion()
	require.NoError(t, err)
	assert.Equal(t, CurrentSchemaVersion, v)
	k, err := d.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, FolderKey{Folder: folder, BatchID: "b1"}, k, "the share from before")
	share, err := d.HistoryOfFolder(k)
	require.NoError(t, err)
	require.Len(t, share, 1)
	assert.Equal(t, e.ID, share[0].ID)

	require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "b2", LocalPath: e.LocalPath, Beneath: folder,
		State: JobAlready, Hash: e.Hash, Verified: true, Found: e.ID}}))
	k, err = d.NewestFolderShare(folder)
	require.NoError(t, err)
	assert.Equal(t, "b2", k.BatchID, "the folder found unchanged is its newest share")
	share, err = d.HistoryOfFolder(k)
	require.NoError(t, err)
	require.Len(t, share, 1)
	assert.Equal(t, e.ID, share[0].ID, "with the upload from before the upgrade")
}

// BenchmarkFolderTotalFound100k counts a folder share that found all of
// its 100,000 files already uploaded (the folder run again unchanged):
// the files found are counted whole at each count, from their index.
func BenchmarkFolderTotalFound100k(b *testing.B) {
	d := openTestDB(b)
	const n = 100_000
	old := FolderKey{Folder: "/home/someone/Pictures", BatchID: "b1"}
	insertFolderShare(b, d, old, n)
	insertInBatches(b, n, func(i int) JobRow {
		return JobRow{BatchID: "b2", Beneath: old.Folder, State: JobAlready, Found: int64(i + 1)}
	}, d.InsertJobs)
	k := FolderKey{Folder: old.Folder, BatchID: "b2"}
	b.ResetTimer()
	for b.Loop() {
		if total, err := d.FolderTotalAfter(k, n); err != nil || total.Files != n {
			b.Fatal(total, err)
		}
	}
}

// TestWaitingUnderCountsTheFilesTheShareLeftToAnEarlierUpload: what
// history --folder adds to a share's list as "still waiting" are the
// files of the folder an earlier upload of the same account and
// environment has in the queue and this share has no job of (it found
// them already queued and left them to that job). A file the share
// listed itself (queued again for another destination, say) is in its own
// count, not this one.
func TestWaitingUnderCountsTheFilesTheShareLeftToAnEarlierUpload(t *testing.T) {
	p := filepath.FromSlash // the paths of this system: WaitingUnder matches its separator
	folder := p("/home/someone/trip")
	share := FolderKey{Folder: folder, BatchID: "latest"}
	mine := func(batch, path string, st JobState) JobRow {
		return JobRow{BatchID: batch, Env: "testnet", Account: "a@example.com", LocalPath: path, Beneath: folder, State: st}
	}
	tests := []struct {
		name string
		rows []JobRow
		want int
	}{
		{"left to an earlier upload's job", []JobRow{mine("earlier", p(folder+"/c.jpg"), JobQueued)}, 1},
		{"interrupted, or waiting for a sign-in", []JobRow{mine("earlier", p(folder+"/c.jpg"), JobUploading),
			mine("earlier", p(folder+"/sub/d.jpg"), JobWaitingSignIn)}, 2},
		{"of an earlier upload of a folder above it", func() []JobRow {
			r := mine("parent", p(folder+"/c.jpg"), JobQueued)
			r.Beneath = p("/home/someone")
			return []JobRow{r}
		}(), 1},
		{"listed by the share itself too", []JobRow{mine("earlier", p(folder+"/c.jpg"), JobQueued),
			mine("latest", p(folder+"/c.jpg"), JobQueued)}, 0},
		{"the share's own", []JobRow{mine("latest", p(folder+"/c.jpg"), JobQueued)}, 0},
		{"uploaded, failed or canceled", []JobRow{mine("earlier", p(folder+"/c.jpg"), JobDone),
			mine("earlier", p(folder+"/d.jpg"), JobFailed), mine("earlier", p(folder+"/e.jpg"), JobCanceled)}, 0},
		{"another account's", func() []JobRow {
			r := mine("other", p(folder+"/c.jpg"), JobQueued)
			r.Account = "b@example.com"
			return []JobRow{r}
		}(), 0},
		{"another environment's", func() []JobRow {
			r := mine("other", p(folder+"/c.jpg"), JobQueued)
			r.Env = "production"
			return []JobRow{r}
		}(), 0},
		{"beside the folder, its name longer", []JobRow{mine("earlier", p(folder+"2/c.jpg"), JobQueued),
			mine("earlier", p(folder+".old/c.jpg"), JobQueued), mine("earlier", p("/home/someone/c.jpg"), JobQueued)}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			for i := range tt.rows {
				tt.rows[i].ID = fmt.Sprintf("job-%d", i)
			}
			require.NoError(t, d.InsertJobs(tt.rows))
			n, err := d.WaitingUnder(share, "testnet", "a@example.com")
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
}

// TestFolderLeftOfWeighsEarlierWaitingFilesForTheLatestShareOnly: the
// rule the window and history --folder say "not the whole folder" by.
// A share lacks its own files not uploaded yet; the folder's latest share
// also lacks those an earlier upload of the folder still has waiting (it
// found them already queued and left them to that upload). An older share
// is the folder as its upload found it: a file a later upload queued is
// not missing from it.
func TestFolderLeftOfWeighsEarlierWaitingFilesForTheLatestShareOnly(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	entry := func(batch, name string) HistoryEntry {
		e := sampleEntry(len(name))
		e.JobID, e.LocalPath, e.Name = batch+"-"+name, filepath.Join(folder, name), name
		e.AddedFolder, e.BatchID = folder, batch
		return e
	}
	job := func(batch, name string, st JobState) JobRow {
		e := entry(batch, name)
		return JobRow{ID: e.JobID, BatchID: batch, Env: e.Env, Account: e.Account, LocalPath: e.LocalPath, Beneath: folder, State: st}
	}
	tests := []struct {
		name    string
		entries []HistoryEntry
		found   map[string]string // a job of batch → the entry's file it found
		jobs    []JobRow
		want    map[string]FolderLeft // by batch
	}{
		{"its own file still queued", []HistoryEntry{entry("b1", "a.jpg")}, nil,
			[]JobRow{job("b1", "c.jpg", JobQueued)},
			map[string]FolderLeft{"b1": {BatchLeft: BatchLeft{Pending: 1}}}},
		{"the latest share left a file to the earlier upload",
			[]HistoryEntry{entry("b1", "a.jpg"), entry("b2", "d.jpg")}, map[string]string{"b2": "a.jpg"},
			[]JobRow{job("b1", "c.jpg", JobUploading)},
			map[string]FolderLeft{"b2": {Waiting: 1}, "b1": {BatchLeft: BatchLeft{Pending: 1}}}},
		{"a later upload's file is not missing from an older share",
			[]HistoryEntry{entry("b1", "a.jpg"), entry("b2", "d.jpg")}, nil,
			[]JobRow{job("b2", "e.jpg", JobQueued)},
			map[string]FolderLeft{"b1": {}, "b2": {BatchLeft: BatchLeft{Pending: 1}}}},
		{"whole", []HistoryEntry{entry("b1", "a.jpg")}, nil, []JobRow{job("b1", "a.jpg", JobDone)},
			map[string]FolderLeft{"b1": {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			ids := map[string]int64{}
			for _, batch := range []string{"b1", "b2"} { // in the order of their Add calls
				for _, r := range tt.jobs {
					if r.BatchID == batch {
						require.NoError(t, d.InsertJobs([]JobRow{r}))
					}
				}
				if name, ok := tt.found[batch]; ok {
					r := job(batch, name, JobAlready)
					r.Found = ids[name]
					require.NoError(t, d.InsertJobs([]JobRow{r}))
				}
				for _, e := range tt.entries {
					if e.BatchID == batch {
						id, err := d.AddHistory(e)
						require.NoError(t, err)
						ids[e.Name] = id
					}
				}
			}
			for batch, want := range tt.want {
				got, err := d.FolderLeftOf(FolderKey{Folder: folder, BatchID: batch})
				require.NoError(t, err)
				assert.Equal(t, want, got, batch)
				assert.Equal(t, want != FolderLeft{}, got.Any(), batch)
			}
		})
	}
}

// TestRefindFolderMembersTakesOnlyTheUploadTheJobFound: a job of a
// folder's file saved as found already uploaded with no folder_members row
// (by schema 15) joins its share with the upload it can have found — that
// file as the job saw it (size, file id), its content (hash), to its
// place, on its environment, by one of the account's names — and with
// nothing when there is none: another upload of the path is not taken for
// it. A job with its row keeps it, once.
func TestRefindFolderMembersTakesOnlyTheUploadTheJobFound(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	path := filepath.Join(folder, "a.jpg")
	entry := func() HistoryEntry {
		e := sampleEntry(1)
		e.LocalPath, e.Name, e.Verified = path, "a.jpg", true
		e.FolderPath, e.ParentID = "", nil
		e.AddedFolder, e.BatchID = folder, "b1"
		e.File = FileVersion{Size: e.Size, ModTime: time.Unix(1700000000, 0), ChangeTime: time.Unix(1700000000, 0), ID: "dev1:ino1"}
		return e
	}
	job := func(e HistoryEntry) JobRow {
		return JobRow{ID: "found-a", BatchID: "b2", Env: e.Env, Account: e.Account, LocalPath: path, Name: "a.jpg",
			Size: e.Size, Beneath: folder, State: JobAlready, Hash: e.Hash, Verified: true, FileID: e.File.ID}
	}
	tests := []struct {
		name  string
		entry func(*HistoryEntry)
		job   func(*JobRow)
		also  []string
		want  bool
	}{
		{"the upload it found", nil, nil, nil, true},
		{"filed under another name of the account", func(e *HistoryEntry) { e.Account = "acct-1" }, nil, []string{"acct-1"}, true},
		{"another account's", func(e *HistoryEntry) { e.Account = "other@example.com" }, nil, nil, false},
		{"another environment's", func(e *HistoryEntry) { e.Env = "production" }, nil, nil, false},
		{"other content", nil, func(j *JobRow) { j.Hash = fakeCID(99) }, nil, false},
		{"another file at the path", nil, func(j *JobRow) { j.FileID = "dev1:ino2" }, nil, false},
		{"another size", nil, func(j *JobRow) { j.Size++ }, nil, false},
		{"another destination", nil, func(j *JobRow) { j.FolderPath = "/photos" }, nil, false},
		{"not verified", func(e *HistoryEntry) { e.Verified = false }, nil, nil, false},
		{"recorded before file identities", func(e *HistoryEntry) { e.File = FileVersion{} }, nil, nil, false},
		{"a file added on its own", nil, func(j *JobRow) { j.Beneath = "" }, nil, false},
		{"another batch", nil, func(j *JobRow) { j.BatchID = "b3" }, nil, false},
		{"not found already uploaded", nil, func(j *JobRow) { j.State = JobDone }, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			e := entry()
			if tt.entry != nil {
				tt.entry(&e)
			}
			var err error
			e.ID, err = d.AddHistory(e)
			require.NoError(t, err)
			j := job(entry())
			if tt.job != nil {
				tt.job(&j)
			}
			require.NoError(t, d.InsertJobs([]JobRow{j}))
			n, err := d.RefindFolderMembers("b2", entry().Account, tt.also...)
			require.NoError(t, err)
			share, err := d.HistoryOfFolder(FolderKey{Folder: folder, BatchID: "b2"})
			require.NoError(t, err)
			if !tt.want {
				assert.Zero(t, n)
				assert.Empty(t, share)
				return
			}
			assert.Equal(t, 1, n)
			require.Len(t, share, 1)
			assert.Equal(t, e.ID, share[0].ID)
			n, err = d.RefindFolderMembers("b2", entry().Account, tt.also...)
			require.NoError(t, err)
			assert.Zero(t, n, "once")
		})
	}

	t.Run("a job with its row keeps it", func(t *testing.T) {
		d := openTestDB(t)
		e := entry()
		var err error
		e.ID, err = d.AddHistory(e)
		require.NoError(t, err)
		newer := entry()
		newer.JobID = "job-newer"
		_, err = d.AddHistory(newer) // the same file sent again, same content
		require.NoError(t, err)
		j := job(e)
		j.Found = e.ID
		require.NoError(t, d.InsertJobs([]JobRow{j}))
		n, err := d.RefindFolderMembers("b2", e.Account)
		require.NoError(t, err)
		assert.Zero(t, n)
		share, err := d.HistoryOfFolder(FolderKey{Folder: folder, BatchID: "b2"})
		require.NoError(t, err)
		require.Len(t, share, 1)
		assert.Equal(t, e.ID, share[0].ID, "the entry it found, not the newer")
	})
}

// TestFolderShareHoldsTheFileItLeftToAnEarlierJob: a folder added with
// a, b and c, c still waiting in the queue when the folder is added again
// with a new file d. The second share finds a and b already uploaded,
// leaves c to the first add's job (not queued again: InsertListing's
// LeftFile) and sends d. c is in both shares: the second one is the
// folder's latest, with a, b, c and d once c is uploaded (not a list of
// a, b, c said whole because c's upload is the newest entry), and is not
// whole while c waits, or when its job will not send it. The first share,
// whose own job of c was canceled or removed, lacks c for good (Dropped),
// whichever share sends it later; so does the second once its own job of
// c is.
func TestFolderShareHoldsTheFileItLeftToAnEarlierJob(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	job := func(batch, name string, st JobState) JobRow {
		e := sampleEntry(len(name))
		return JobRow{ID: batch + "-" + name, BatchID: batch, Env: e.Env, Account: e.Account,
			LocalPath: filepath.Join(folder, name), Name: name, Size: int64(len(name)), Beneath: folder, State: st}
	}
	finish := func(t *testing.T, d *DB, r JobRow) int64 {
		t.Helper()
		e := sampleEntry(len(r.Name))
		e.JobID, e.LocalPath, e.Name, e.Size = r.ID, r.LocalPath, r.Name, r.Size
		e.AddedFolder, e.BatchID = folder, r.BatchID
		r.Hash, r.Verified, r.Attempts = e.Hash, true, 1
		require.NoError(t, d.FinishJob(r, e))
		var id int64
		require.NoError(t, d.r.QueryRow(`SELECT id FROM history WHERE job_id = ?`, r.ID).Scan(&id))
		return id
	}
	b1, b2 := FolderKey{Folder: folder, BatchID: "b1"}, FolderKey{Folder: folder, BatchID: "b2"}
	c := job("b1", "c.jpg", JobQueued)
	// queueOwn saves c's job of the second share (its listing resumed).
	queueOwn := func(t *testing.T, d *DB) JobRow {
		t.Helper()
		own := job("b2", "c.jpg", JobQueued)
		require.NoError(t, d.InsertJobs([]JobRow{own}))
		return own
	}
	tests := []struct {
		name        string
		before      func(t *testing.T, d *DB) // before the second listing is saved
		after       func(t *testing.T, d *DB) // after d is uploaded
		files       []string                  // of the second share
		left, left1 FolderLeft                // of the second and the first
	}{
		{"c uploaded last", nil, func(t *testing.T, d *DB) { finish(t, d, c) },
			[]string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{}},
		{"c uploaded, then found by the second listing resumed", nil, func(t *testing.T, d *DB) {
			found := job("b2", "c.jpg", JobAlready)
			found.Found = finish(t, d, c)
			require.NoError(t, d.InsertJobs([]JobRow{found}))
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{}},
		{"c uploaded before the listing was saved", func(t *testing.T, d *DB) { finish(t, d, c) }, nil,
			[]string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{}},
		{"c still waiting", nil, nil,
			[]string{"a.jpg", "b.jpg", "d.jpg"}, FolderLeft{Waiting: 1}, FolderLeft{BatchLeft: BatchLeft{Pending: 1}}},
		{"c's job canceled", nil, func(t *testing.T, d *DB) { require.NoError(t, d.UpdateJob(c.ID, JobCanceled, 0, "")) },
			[]string{"a.jpg", "b.jpg", "d.jpg"}, FolderLeft{Unsent: 1}, FolderLeft{Dropped: 1}},
		{"c's job removed", nil, func(t *testing.T, d *DB) { _, err := d.DeleteJobIDs(c.ID); require.NoError(t, err) },
			[]string{"a.jpg", "b.jpg", "d.jpg"}, FolderLeft{Unsent: 1}, FolderLeft{Dropped: 1}},
		// The second listing cut short after saving what it left (the
		// app closed, a kill), c's job canceled, the listing resumed: it
		// queues c itself, so c is in the share by its own upload.
		{"c's job canceled, c queued by the second listing resumed", nil, func(t *testing.T, d *DB) {
			require.NoError(t, d.UpdateJob(c.ID, JobCanceled, 0, ""))
			own := job("b2", "c.jpg", JobQueued)
			require.NoError(t, d.InsertJobs([]JobRow{own}))
			finish(t, d, own)
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{Dropped: 1}},
		{"then c's first job retried and uploaded too", nil, func(t *testing.T, d *DB) {
			require.NoError(t, d.UpdateJob(c.ID, JobCanceled, 0, ""))
			own := job("b2", "c.jpg", JobQueued)
			require.NoError(t, d.InsertJobs([]JobRow{own}))
			finish(t, d, own)
			require.NoError(t, d.UpdateJob(c.ID, JobQueued, 0, ""))
			finish(t, d, c)
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{}},
		// The same with c's job also taken out of the queue (its row
		// deleted but for what the share needs of it): before the
		// listing resumed, or after it queued c itself. Until its own
		// job uploads c, the share is not whole: that job canceled,
		// failed or removed leaves c out, counted once, by that job
		// (Dropped, Failed), not also as left to the first job.
		{"c's job removed, c queued by the second listing resumed", nil, func(t *testing.T, d *DB) {
			removeJob(t, d, c)
			finish(t, d, queueOwn(t, d))
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{Dropped: 1}},
		{"c's job cleared (Clear finished), c queued by the second listing resumed", nil, func(t *testing.T, d *DB) {
			require.NoError(t, d.UpdateJob(c.ID, JobCanceled, 0, ""))
			_, err := d.ClearJobs(c.Env, c.Account, []JobState{JobCanceled}, nil, nil)
			require.NoError(t, err)
			finish(t, d, queueOwn(t, d))
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{Dropped: 1}},
		{"c's job cleared while its listing ran, its cleared rows deleted, c queued by the second listing resumed", nil, func(t *testing.T, d *DB) {
			require.NoError(t, d.UpdateJob(c.ID, JobCanceled, 0, ""))
			require.NoError(t, d.MarkJobsCleared(c.ID))
			require.NoError(t, d.DeleteCleared(c.Env, c.Account, nil))
			finish(t, d, queueOwn(t, d))
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{Dropped: 1}},
		{"c queued by the second listing resumed, then c's first job removed", nil, func(t *testing.T, d *DB) {
			own := queueOwn(t, d)
			removeJob(t, d, c)
			finish(t, d, own)
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{Dropped: 1}},
		{"c's job removed, c queued by the second listing resumed, then canceled", nil, func(t *testing.T, d *DB) {
			removeJob(t, d, c)
			require.NoError(t, d.UpdateJob(queueOwn(t, d).ID, JobCanceled, 0, ""))
		}, []string{"a.jpg", "b.jpg", "d.jpg"}, FolderLeft{Dropped: 1}, FolderLeft{Dropped: 1}},
		{"c's job removed, c queued by the second listing resumed, then failed", nil, func(t *testing.T, d *DB) {
			removeJob(t, d, c)
			require.NoError(t, d.UpdateJob(queueOwn(t, d).ID, JobFailed, 1, "failed"))
		}, []string{"a.jpg", "b.jpg", "d.jpg"}, FolderLeft{BatchLeft: BatchLeft{Failed: 1}}, FolderLeft{Dropped: 1}},
		{"c's job removed, c queued by the second listing resumed, then removed too", nil, func(t *testing.T, d *DB) {
			removeJob(t, d, c)
			removeJob(t, d, queueOwn(t, d))
		}, []string{"a.jpg", "b.jpg", "d.jpg"}, FolderLeft{Dropped: 1}, FolderLeft{Dropped: 1}},
		// c sent on its own meanwhile: the resumed listing finds it
		// uploaded, and c's job retried later adds no second c.
		{"c's job canceled, c found uploaded by the second listing resumed", nil, func(t *testing.T, d *DB) {
			require.NoError(t, d.UpdateJob(c.ID, JobCanceled, 0, ""))
			solo := job("solo", "c.jpg", JobQueued)
			solo.Beneath = ""
			require.NoError(t, d.InsertJobs([]JobRow{solo}))
			e := sampleEntry(len(solo.Name))
			e.JobID, e.LocalPath, e.Name, e.Size, e.BatchID = solo.ID, solo.LocalPath, solo.Name, solo.Size, solo.BatchID
			solo.Hash, solo.Verified, solo.Attempts = e.Hash, true, 1
			require.NoError(t, d.FinishJob(solo, e))
			found := job("b2", "c.jpg", JobAlready)
			require.NoError(t, d.r.QueryRow(`SELECT id FROM history WHERE job_id = ?`, solo.ID).Scan(&found.Found))
			require.NoError(t, d.InsertJobs([]JobRow{found}))
			require.NoError(t, d.UpdateJob(c.ID, JobQueued, 0, ""))
			finish(t, d, c)
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{}},
		// c uploaded by its job, then changed: the resumed listing
		// queues the new version, which is c in the share from then on.
		{"c uploaded, then its new version queued by the second listing resumed", nil, func(t *testing.T, d *DB) {
			finish(t, d, c)
			own := job("b2", "c.jpg", JobQueued)
			require.NoError(t, d.InsertJobs([]JobRow{own}))
			finish(t, d, own)
		}, []string{"a.jpg", "b.jpg", "c.jpg", "d.jpg"}, FolderLeft{}, FolderLeft{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			a, b := job("b1", "a.jpg", JobQueued), job("b1", "b.jpg", JobQueued)
			require.NoError(t, d.InsertJobs([]JobRow{a, b, c}))
			ids := map[string]int64{"a.jpg": finish(t, d, a), "b.jpg": finish(t, d, b)}
			if tt.before != nil {
				tt.before(t, d)
			}
			foundA, foundB, dj := job("b2", "a.jpg", JobAlready), job("b2", "b.jpg", JobAlready), job("b2", "d.jpg", JobQueued)
			foundA.Found, foundB.Found = ids["a.jpg"], ids["b.jpg"]
			require.NoError(t, d.InsertListing([]JobRow{foundA, foundB, dj}, []LeftFile{{JobID: c.ID, Folder: folder, BatchID: "b2"}}))
			finish(t, d, dj)
			if tt.after != nil {
				tt.after(t, d)
			}

			newest, err := d.NewestFolderShare(folder)
			require.NoError(t, err)
			assert.Equal(t, b2, newest, "the folder's latest share is its latest add")
			entries, err := d.HistoryOfFolder(b2)
			require.NoError(t, err)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name)
			}
			assert.ElementsMatch(t, tt.files, names)
			total, err := d.FolderTotalAfter(b2, 0)
			require.NoError(t, err)
			assert.Equal(t, len(tt.files), total.Files, "the row counts what it lists")
			for k, want := range map[FolderKey]FolderLeft{b2: tt.left, b1: tt.left1} {
				got, err := d.FolderLeftOf(k)
				require.NoError(t, err)
				assert.Equal(t, want, got, k.BatchID)
				assert.Equal(t, want != FolderLeft{}, got.Any(), k.BatchID)
			}
		})
	}
}

// TestLeftRowGivesWayToTheSharesOwnUpload: a share left its file c to the
// job of an earlier add of the folder, then queued c itself (its listing
// resumed after that job was canceled). Once its own job uploads c, the
// row of c left to the other job holds no file (history_id -1), whether
// it is keyed as this version keys it (LeftFile.key) or without the
// share's folder, as a version before 2026-12-05 did; a row of another
// share's batch is not touched.
func TestLeftRowGivesWayToTheSharesOwnUpload(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	job := func(batch string) JobRow {
		e := sampleEntry(7)
		return JobRow{ID: batch + "-c", BatchID: batch, Env: e.Env, Account: e.Account,
			LocalPath: filepath.Join(folder, "c.jpg"), Name: "c.jpg", Size: 7, Beneath: folder, State: JobQueued}
	}
	first, own := job("b1"), job("b2")
	tests := []struct {
		name, key string
		want      int64 // the row's history_id after own's upload
	}{
		{"this version's key", LeftFile{JobID: first.ID, Folder: folder, BatchID: "b2"}.key(), -1},
		{"the key of a version before 2026-12-05", first.ID + "/b2", -1},
		{"another share's row", LeftFile{JobID: first.ID, Folder: folder, BatchID: "b3"}.key(), 0},
		{"another share's row, the older key", first.ID + "/b3", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			require.NoError(t, d.InsertJobs([]JobRow{first}))
			_, err := d.w.Exec(`INSERT INTO folder_members (job_id, added_folder, batch_id, history_id) VALUES (?, ?, ?, 0)`,
				tt.key, folder, "b2")
			require.NoError(t, err)
			require.NoError(t, d.UpdateJob(first.ID, JobCanceled, 0, ""))
			require.NoError(t, d.InsertJobs([]JobRow{own}))
			e := sampleEntry(7)
			e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID = own.ID, own.LocalPath, own.Name, own.Size, folder, "b2"
			done := own
			done.Hash, done.Verified, done.Attempts = e.Hash, true, 1
			require.NoError(t, d.FinishJob(done, e))
			var held int64
			require.NoError(t, d.r.QueryRow(`SELECT history_id FROM folder_members WHERE job_id = ?`, tt.key).Scan(&held))
			assert.Equal(t, tt.want, held, "-1: the share holds c by its own upload; 0: the row still waits for the other job")
		})
	}
}

// removeJob cancels r's job and removes it, as Remove does (DeleteJobIDs).
func removeJob(t *testing.T, d *DB, r JobRow) {
	t.Helper()
	require.NoError(t, d.UpdateJob(r.ID, JobCanceled, 0, ""))
	n, err := d.DeleteJobIDs(r.ID)
	require.NoError(t, err)
	require.Equal(t, 1, n, "removed")
}

// TestJobAShareCountsOnIsKeptClearedUntilTheShareHoldsItsFile: a job
// whose file a folder share left to it, taken out of the queue (Remove,
// Clear finished, DeleteJobs), leaves the list and the counts at once, but
// its row stays, cleared, while that share counts on it: it is all that
// says which file the share's row is. The cleared rows deleted at a start
// or at the end of a listing (DeleteCleared) keep it until the share
// holds the file by its own upload, and then while the share of its own
// Add call lacks the file (it was canceled: droppedSQL); a job no share
// counts on (a file added on its own) goes at once.
func TestJobAShareCountsOnIsKeptClearedUntilTheShareHoldsItsFile(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	job := func(id, batch, name string, st JobState) JobRow {
		return JobRow{ID: id, BatchID: batch, Env: "testnet", Account: "someone@example.com",
			LocalPath: filepath.Join(folder, name), Name: name, Size: 1, Beneath: folder, State: st}
	}
	removals := map[string]func(t *testing.T, d *DB, ids ...string){
		"removed": func(t *testing.T, d *DB, ids ...string) {
			n, err := d.DeleteJobIDs(ids...)
			require.NoError(t, err)
			assert.Equal(t, len(ids), n, "taken out")
		},
		"cleared (Clear finished)": func(t *testing.T, d *DB, ids ...string) {
			gone, err := d.ClearJobs("testnet", "someone@example.com", []JobState{JobCanceled}, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, len(ids), gone[JobCanceled].Jobs, "taken out")
		},
		"deleted by state": func(t *testing.T, d *DB, ids ...string) {
			n, err := d.DeleteJobs(JobCanceled)
			require.NoError(t, err)
			assert.Equal(t, len(ids), n, "taken out")
		},
	}
	for name, remove := range removals {
		t.Run(name, func(t *testing.T) {
			d := openTestDB(t)
			c, alone := job("c", "b1", "c.jpg", JobCanceled), job("alone", "b1", "e.jpg", JobCanceled)
			alone.Beneath = "" // added on its own
			require.NoError(t, d.InsertListing([]JobRow{c, alone}, nil))
			require.NoError(t, d.InsertListing(nil, []LeftFile{{JobID: c.ID, Folder: folder, BatchID: "b2"}}))
			remove(t, d, c.ID, alone.ID)

			counts, err := d.JobCounts("testnet", "someone@example.com")
			require.NoError(t, err)
			assert.Zero(t, counts[JobCanceled].Jobs, "out of the list and the counts")
			_, err = d.Job(alone.ID)
			assert.ErrorIs(t, err, ErrNotFound, "no share counts on it: deleted")
			require.NoError(t, d.DeleteCleared("testnet", "someone@example.com", nil))
			kept, err := d.Job(c.ID)
			require.NoError(t, err, "the share's file, kept")
			assert.True(t, kept.Cleared)
			n, err := d.DeleteJobIDs(c.ID)
			require.NoError(t, err)
			assert.Zero(t, n, "out of the list already")

			own := job("own", "b2", "c.jpg", JobQueued)
			require.NoError(t, d.InsertJobs([]JobRow{own}))
			e := sampleEntry(1)
			e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID = own.ID, own.LocalPath, own.Name, own.Size, folder, own.BatchID
			own.Hash, own.Verified, own.Attempts = e.Hash, true, 1
			require.NoError(t, d.FinishJob(own, e))
			require.NoError(t, d.DeleteCleared("testnet", "someone@example.com", nil))
			kept, err = d.Job(c.ID)
			require.NoError(t, err, "the second share holds c by its own upload; the first still lacks it: kept")
			assert.True(t, kept.Cleared)
			left, err := d.FolderLeftOf(FolderKey{Folder: folder, BatchID: "b1"})
			require.NoError(t, err)
			assert.Equal(t, FolderLeft{Dropped: 1}, left, "the first share lacks c for good")
			left, err = d.FolderLeftOf(FolderKey{Folder: folder, BatchID: "b2"})
			require.NoError(t, err)
			assert.Equal(t, FolderLeft{}, left, "the second is whole")
		})
	}
}

// TestWaitingUnderARootFolder: a share of a drive's root (D:\, a memory
// card added whole, or /) counted no file waiting under it: WaitingUnder
// took the paths between the folder plus a separator and the folder plus
// the next byte, "D:\\" to "D:\]" or "//" to "/0", and no file of the
// drive is there, so the latest share said it was the whole folder while
// files an earlier add of it left still waited. Under a root they are
// counted as under any folder.
func TestWaitingUnderARootFolder(t *testing.T) {
	root := filepath.VolumeName(t.TempDir()) + string(filepath.Separator)
	share := FolderKey{Folder: root, BatchID: "latest"}
	d := openTestDB(t)
	var rows []JobRow
	for i, p := range []string{"c.jpg", filepath.Join("DCIM", "d.jpg")} {
		rows = append(rows, JobRow{ID: fmt.Sprintf("job-%d", i), BatchID: "earlier", Env: "testnet", Account: "a@example.com",
			LocalPath: root + p, Beneath: root, State: JobQueued})
	}
	require.NoError(t, d.InsertJobs(rows))
	n, err := d.WaitingUnder(share, "testnet", "a@example.com")
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the files under %s an earlier add left waiting", root)
}

// TestFolderSharesKeepTheOrderOfTheirAddCalls: a folder's latest share is
// its latest Add call, whatever an earlier Add call records later: a file
// of the earlier one retried (or sent again) after the later one was
// listed leaves the later one the latest; an Add call with no upload
// between it and the one before is the later of the two; and a database
// from before folder_shares gives its shares their place from their first
// file (an add still queued at the upgrade, from when its files were
// queued), so a retry recorded after the upgrade leaves them in order too.
func TestFolderSharesKeepTheOrderOfTheirAddCalls(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	record := func(t *testing.T, d *DB, batch, name string) HistoryEntry {
		t.Helper()
		e := sampleEntry(len(name))
		e.JobID, e.LocalPath, e.Name = batch+"-"+name+"-"+newUUID(), filepath.Join(folder, name), name
		e.FinishedAt = time.Now() // as an upload records it, after the jobs queued before
		e.AddedFolder, e.BatchID = folder, batch
		var err error
		e.ID, err = d.AddHistory(e)
		require.NoError(t, err)
		return e
	}
	queue := func(t *testing.T, d *DB, batch string, names ...string) {
		t.Helper()
		var rows []JobRow
		for _, n := range names {
			rows = append(rows, JobRow{BatchID: batch, Env: "testnet", Account: "a@example.com",
				LocalPath: filepath.Join(folder, n), Beneath: folder})
		}
		require.NoError(t, d.InsertJobs(rows))
	}
	newest := func(t *testing.T, d *DB) string {
		t.Helper()
		k, err := d.NewestFolderShare(folder)
		require.NoError(t, err)
		return k.BatchID
	}

	t.Run("an earlier add's retry", func(t *testing.T) {
		d := openTestDB(t)
		queue(t, d, "b1", "a.jpg", "c.jpg")
		record(t, d, "b1", "a.jpg") // c.jpg failed
		queue(t, d, "b2", "c.jpg", "d.jpg")
		record(t, d, "b2", "c.jpg")
		record(t, d, "b2", "d.jpg")
		require.Equal(t, "b2", newest(t, d))
		record(t, d, "b1", "c.jpg") // retried
		assert.Equal(t, "b2", newest(t, d), "the later add stays the latest")
	})
	t.Run("no upload between two adds", func(t *testing.T) {
		d := openTestDB(t)
		queue(t, d, "b1", "a.jpg")
		a := record(t, d, "b1", "a.jpg")
		for _, b := range []string{"b2", "b3"} {
			require.NoError(t, d.InsertJobs([]JobRow{{BatchID: b, Env: a.Env, Account: a.Account, LocalPath: a.LocalPath,
				Beneath: folder, State: JobAlready, Hash: a.Hash, Verified: true, Found: a.ID}}))
		}
		assert.Equal(t, "b3", newest(t, d))
		record(t, d, "b2", "e.jpg")
		assert.Equal(t, "b3", newest(t, d), "b2 came before b3")
	})
	t.Run("shares from before the upgrade", func(t *testing.T) {
		dir := t.TempDir()
		d, err := Open(dir)
		require.NoError(t, err)
		record(t, d, "b1", "a.jpg")
		record(t, d, "b2", "c.jpg")
		d = reopenAsVersion16(t, d, dir)
		require.Equal(t, "b2", newest(t, d))
		record(t, d, "b1", "c.jpg")
		assert.Equal(t, "b2", newest(t, d), "the later add stays the latest")

		_, err = d.w.Exec(`PRAGMA user_version = 16`) // migrates again: the rows stay
		require.NoError(t, err)
		require.NoError(t, d.Close())
		d, err = Open(dir)
		require.NoError(t, err)
		t.Cleanup(func() { _ = d.Close() })
		assert.Equal(t, "b2", newest(t, d))
	})
	t.Run("an add still queued at the upgrade", func(t *testing.T) {
		dir := t.TempDir()
		d, err := Open(dir)
		require.NoError(t, err)
		record(t, d, "b0", "a.jpg")
		queue(t, d, "b1", "a.jpg", "c.jpg") // nothing of it recorded yet
		d = reopenAsVersion16(t, d, dir)
		record(t, d, "b1", "a.jpg")
		record(t, d, "b1", "c.jpg")
		queue(t, d, "b2", "d.jpg")
		record(t, d, "b2", "d.jpg")
		require.Equal(t, "b2", newest(t, d))
		record(t, d, "b1", "a.jpg") // sent again
		assert.Equal(t, "b2", newest(t, d), "the later add stays the latest")
	})
	t.Run("an add queued at the upgrade before the one before it uploaded", func(t *testing.T) {
		dir := t.TempDir()
		d, err := Open(dir)
		require.NoError(t, err)
		queue(t, d, "first", "a.jpg")
		queue(t, d, "again", "c.jpg") // named to sort before the first add
		record(t, d, "first", "a.jpg")
		d = reopenAsVersion16(t, d, dir)
		record(t, d, "again", "c.jpg")
		require.Equal(t, "again", newest(t, d))
		record(t, d, "first", "a.jpg") // sent again
		assert.Equal(t, "again", newest(t, d), "the later add stays the latest")
	})
}

// TestTheLatestAddOfAFolderIsItsLatestShareBeforeItUploadsAnything: a
// folder's latest share is its latest Add call from the moment that call's
// listing saved its first files, or finished finding none (an emptied
// folder, or one whose files were all skipped), not from its first
// upload: until then the earlier share, the folder as it was before, was
// taken for the latest, and listed as its whole list. Such a share holds
// no file; it lacks the files it queued until they are uploaded, and the
// earlier share lacks none of them (a later add's file is not missing
// from it).
func TestTheLatestAddOfAFolderIsItsLatestShareBeforeItUploadsAnything(t *testing.T) {
	folder := filepath.FromSlash("/home/someone/trip")
	tests := []struct {
		name     string
		addAgain func(t *testing.T, d *DB)
		want     FolderLeft // of the later add
	}{
		{"its files still queued", func(t *testing.T, d *DB) {
			require.NoError(t, d.InsertJobs([]JobRow{{BatchID: "b2", Env: "testnet", Account: "someone@example.com",
				LocalPath: filepath.Join(folder, "c.jpg"), Beneath: folder}}))
		}, FolderLeft{BatchLeft: BatchLeft{Pending: 1}}},
		{"its listing found no file", func(t *testing.T, d *DB) {
			require.NoError(t, d.InsertListing([]JobRow{{BatchID: "b2", Env: "testnet", Account: "someone@example.com",
				LocalPath: folder, State: JobSkipped}}, nil, FolderKey{Folder: folder, BatchID: "b2"}))
		}, FolderLeft{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := openTestDB(t)
			e := sampleEntry(1)
			e.LocalPath, e.AddedFolder, e.BatchID = filepath.Join(folder, "a.jpg"), folder, "b1"
			_, err := d.AddHistory(e)
			require.NoError(t, err)
			tt.addAgain(t, d)

			k, err := d.NewestFolderShare(folder)
			require.NoError(t, err)
			assert.Equal(t, FolderKey{Folder: folder, BatchID: "b2"}, k)
			share, err := d.HistoryOfFolder(k)
			require.NoError(t, err)
			assert.Empty(t, share)
			left, err := d.FolderLeftOf(k)
			require.NoError(t, err)
			assert.Equal(t, tt.want, left)
			left, err = d.FolderLeftOf(FolderKey{Folder: folder, BatchID: "b1"})
			require.NoError(t, err)
			assert.False(t, left.Any(), "the earlier share lacks nothing: %+v", left)
		})
	}
}

// reopenAsVersion16 makes d a database of schema 16 (no folder_shares),
// closes it and opens it again, so migrateV17 runs over its rows as it
// would at an upgrade.
func reopenAsVersion16(t *testing.T, d *DB, dir string) *DB {
	t.Helper()
	_, err := d.w.Exec(`DROP TABLE folder_shares; PRAGMA user_version = 16`)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	d, err = Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// TestEachOfFolderListsWhatHistoryOfFolderHolds: EachOfFolder, which
// history --folder prints as it reads, lists a share's uploads and the
// files it found already uploaded, each once (one found and also its own
// upload too), in HistoryOfFolder's order (newest finished first, then
// newest recorded); a limit keeps the first ones, and an error of fn's own
// stops it and comes back as it is.
func TestEachOfFolderListsWhatHistoryOfFolderHolds(t *testing.T) {
	d := openTestDB(t)
	const folder = "/home/someone/Pictures"
	add := func(i int, batch string, finished time.Time) HistoryEntry {
		e := sampleEntry(i)
		e.AddedFolder, e.BatchID, e.FinishedAt = folder, batch, finished
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		e.ID = id
		return e
	}
	var first []HistoryEntry
	for i := range 5 {
		first = append(first, add(i, "b1", baseTime.Add(time.Duration(i%2)*time.Minute)))
	}
	own := add(5, "b2", baseTime.Add(30*time.Second))
	add(6, "b3", baseTime) // another share of the folder
	var found []JobRow
	for i, e := range append(first[:3], own) {
		found = append(found, JobRow{ID: fmt.Sprintf("found-%d", i), BatchID: "b2", LocalPath: e.LocalPath,
			Beneath: folder, State: JobAlready, Hash: e.Hash, Verified: true, Found: e.ID})
	}
	require.NoError(t, d.InsertJobs(found))

	ids := func(k FolderKey, limit int) []int64 {
		var got []int64
		require.NoError(t, d.EachOfFolder(k, limit, func(e HistoryEntry) error {
			got = append(got, e.ID)
			return nil
		}))
		return got
	}
	for _, batch := range []string{"b1", "b2", "b3", "none"} {
		k := FolderKey{Folder: folder, BatchID: batch}
		held, err := d.HistoryOfFolder(k)
		require.NoError(t, err)
		var want []int64
		for _, e := range held {
			want = append(want, e.ID)
		}
		assert.Equal(t, want, ids(k, 0), batch)
		assert.Equal(t, want[:min(2, len(want))], ids(k, 2), "%s, the first 2", batch)
	}
	b2 := FolderKey{Folder: folder, BatchID: "b2"}
	assert.Len(t, ids(b2, 0), 4, "3 found and its own, which it found too, once")

	full := errors.New("write /dev/stdout: no space left on device")
	calls := 0
	err := d.EachOfFolder(b2, 0, func(HistoryEntry) error { calls++; return full })
	assert.Equal(t, full, err, "fn's error as it is")
	assert.Equal(t, 1, calls)
}

// TestFoldersOfOneAddEachKeepTheirRowOfAFileLeftToAJob: two folders of
// one Add call (upload --parent-id N d d/sub) that both leave a file to
// the job of an earlier upload each keep a row of it (the row's key was
// the job and the call only, so d/sub's was not saved: d/sub lacked the
// file, and was called whole, or empty); a share that has a row of that
// job already, saved by a version that keyed it so (a listing resumed
// after an update), adds none. Each share has a file of its own uploaded,
// so the files of the folder still waiting are counted too (WaitingUnder),
// which must not count c again.
func TestFoldersOfOneAddEachKeepTheirRowOfAFileLeftToAJob(t *testing.T) {
	outer := filepath.FromSlash("/home/someone/d")
	inner := filepath.Join(outer, "sub")
	row := func(id, batch, dir string) JobRow {
		return JobRow{ID: id, BatchID: batch, Env: "testnet", Account: "someone@example.com",
			LocalPath: filepath.Join(dir, id+".jpg"), Name: id + ".jpg", Size: 1, Beneath: dir, State: JobQueued}
	}
	d := openTestDB(t)
	finish := func(r JobRow) {
		e := sampleEntry(len(r.ID))
		e.JobID, e.LocalPath, e.Name, e.Size, e.AddedFolder, e.BatchID = r.ID, r.LocalPath, r.Name, r.Size, r.Beneath, r.BatchID
		r.Hash, r.Verified, r.Attempts = e.Hash, true, 1
		require.NoError(t, d.FinishJob(r, e))
	}
	c := row("c", "earlier", inner)
	require.NoError(t, d.InsertJobs([]JobRow{c}))
	_, err := d.w.Exec(`INSERT INTO folder_members (job_id, added_folder, batch_id, history_id) VALUES (?, ?, 'later', 0)`,
		c.ID+"/later", outer)
	require.NoError(t, err)
	a, g := row("a", "later", outer), row("g", "later", inner)
	require.NoError(t, d.InsertListing([]JobRow{a, g}, []LeftFile{
		{JobID: c.ID, Folder: outer, BatchID: "later"}, {JobID: c.ID, Folder: inner, BatchID: "later"}}))
	finish(a)
	finish(g)

	for _, dir := range []string{outer, inner} {
		left, err := d.FolderLeftOf(FolderKey{Folder: dir, BatchID: "later"})
		require.NoError(t, err)
		assert.Equal(t, FolderLeft{Waiting: 1}, left, "%s: c waits, counted once", dir)
	}
	finish(c)
	for _, dir := range []string{outer, inner} {
		k := FolderKey{Folder: dir, BatchID: "later"}
		left, err := d.FolderLeftOf(k)
		require.NoError(t, err)
		assert.False(t, left.Any(), "%s: %+v", dir, left)
		total, err := d.FolderTotalAfter(k, 0)
		require.NoError(t, err)
		assert.Equal(t, 2, total.Files, "%s holds its own file and c, once", dir)
	}
}
