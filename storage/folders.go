package storage

import (
	"cmp"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// A folder share is the files of one folder the person added in one go
// (one Add call, one walk of that folder): the history lists them as one
// group, and their links are shared together. Each entry of such a file
// records the folder (HistoryEntry.AddedFolder) and the call
// (HistoryEntry.BatchID); a file added on its own has no AddedFolder.

// migrateV10 adds history.batch_id and history.added_folder, so the files
// of one added folder can be found again as one share, and their index
// (only the rows of folders: a file added on its own is not in it).
func migrateV10(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE history ADD COLUMN batch_id TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE history ADD COLUMN added_folder TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX history_added_folder ON history (added_folder, batch_id) WHERE added_folder != ''`,
	)
}

// FolderKey names one folder share: the folder as added and the Add call.
type FolderKey struct {
	// Folder is the folder the person added (absolute).
	Folder string `json:"added_folder"`
	// BatchID is the Add call it came with.
	BatchID string `json:"batch_id"`
}

// Folder is the folder share e belongs to, and false for a file added on
// its own.
func (e HistoryEntry) Folder() (FolderKey, bool) {
	return FolderKey{Folder: e.AddedFolder, BatchID: e.BatchID}, e.AddedFolder != ""
}

// The folder shares' statements, named for TestHotPathQueryPlans. The
// condition that added_folder is not empty lets SQLite use the partial index.
const (
	historyOfFolderSQL = "SELECT " + historyCols + ` FROM history
		WHERE added_folder = ? AND added_folder != '' AND batch_id = ?`
	folderBatchesSQL = `SELECT batch_id, max(id) FROM history
		WHERE added_folder = ? AND added_folder != '' GROUP BY batch_id`
	folderTotalSQL = `SELECT count(*), coalesce(sum(size), 0), coalesce(max(finished_at), 0), coalesce(max(id), 0)
		FROM history WHERE added_folder = ? AND added_folder != '' AND batch_id = ? AND id > ?`
)

// FolderTotal is what a whole folder share holds, whichever of its
// uploads a window has loaded.
type FolderTotal struct {
	// Files is how many uploads it has.
	Files int
	// Size is their size in bytes.
	Size int64
	// Newest is when the newest of them finished.
	Newest time.Time
	// LastID is the largest entry id counted: FolderTotalAfter counts on
	// from it.
	LastID int64
}

// Plus is t with the uploads more counted after it.
func (t FolderTotal) Plus(more FolderTotal) FolderTotal {
	t.Files += more.Files
	t.Size += more.Size
	if more.Newest.After(t.Newest) {
		t.Newest = more.Newest
	}
	t.LastID = max(t.LastID, more.LastID)
	return t
}

// FolderTotalAfter counts the uploads of the folder share k recorded
// after entry afterID (0: all of them; zero when none), so a list that
// loads the history a page at a time can say how many files the share
// holds before it has loaded them all, and count on cheaply as uploads
// finish: the index holds each share's entries in id order.
func (d *DB) FolderTotalAfter(k FolderKey, afterID int64) (FolderTotal, error) {
	var t FolderTotal
	var newest int64
	if err := d.r.QueryRow(folderTotalSQL, k.Folder, k.BatchID, afterID).Scan(&t.Files, &t.Size, &newest, &t.LastID); err != nil {
		return FolderTotal{}, fmt.Errorf("count the uploads of folder %s: %w", k.Folder, err)
	}
	if t.Files > 0 {
		t.Newest = fromNanos(newest)
	}
	return t, nil
}

// HistoryOfFolder returns every entry of the folder share k, newest first
// (Copy all links and the folder's index page take them all, not just the
// ones a window has loaded).
func (d *DB) HistoryOfFolder(k FolderKey) ([]HistoryEntry, error) {
	out, err := queryAll(d.r, scanHistory, historyOfFolderSQL, k.Folder, k.BatchID)
	if err != nil {
		return nil, fmt.Errorf("read the uploads of folder %s: %w", k.Folder, err)
	}
	slices.SortFunc(out, func(a, b HistoryEntry) int {
		return cmp.Or(b.FinishedAt.Compare(a.FinishedAt), cmp.Compare(b.ID, a.ID))
	})
	return out, nil
}

// NewestFolderShare is the latest share of folder (as added, absolute):
// the Add call whose files of it were recorded last. It returns an error
// wrapping [ErrNotFound] when no file of folder was uploaded as part of it.
func (d *DB) NewestFolderShare(folder string) (FolderKey, error) {
	type batch struct {
		id     string
		newest int64
	}
	batches, err := queryAll(d.r, func(sc rowScanner) (batch, error) {
		var b batch
		return b, sc.Scan(&b.id, &b.newest)
	}, folderBatchesSQL, folder)
	if err != nil {
		return FolderKey{}, fmt.Errorf("find the uploads of folder %s: %w", folder, err)
	}
	if len(batches) == 0 {
		return FolderKey{}, fmt.Errorf("no upload of folder %s: %w", folder, ErrNotFound)
	}
	b := slices.MaxFunc(batches, func(a, b batch) int { return cmp.Compare(a.newest, b.newest) })
	return FolderKey{Folder: folder, BatchID: b.id}, nil
}

// batchLeftSQL counts the jobs of one Add call not uploaded yet (queued,
// interrupted or waiting for a sign-in) and those that failed.
const batchLeftSQL = `SELECT coalesce(sum(state IN (?, ?, ?)), 0), coalesce(sum(state = ?), 0)
	FROM jobs WHERE batch_id = ? AND cleared = 0`

// BatchLeft is what one Add call (a folder share's batch) has not uploaded.
type BatchLeft struct {
	// Pending is how many of its files are still to upload: queued,
	// interrupted, or waiting for a sign-in.
	Pending int
	// Failed is how many failed (until retried or removed).
	Failed int
	// Listing is whether a folder of it is still being listed.
	Listing bool
}

// Any reports whether anything of the batch is not uploaded.
func (b BatchLeft) Any() bool { return b.Pending > 0 || b.Failed > 0 || b.Listing }

// BatchLeftOf reads what the Add call batchID has not uploaded, so a list
// of a folder share's links can say it is not the whole folder yet (the
// upload still runs in another process, or was interrupted, or failed
// files).
func (d *DB) BatchLeftOf(batchID string) (BatchLeft, error) {
	var b BatchLeft
	err := d.r.QueryRow(batchLeftSQL, string(JobQueued), string(JobUploading), string(JobWaitingSignIn), string(JobFailed), batchID).
		Scan(&b.Pending, &b.Failed)
	if err == nil {
		err = d.r.QueryRow(`SELECT EXISTS (SELECT 1 FROM walks WHERE batch_id = ?)`, batchID).Scan(&b.Listing)
	}
	if err != nil {
		return BatchLeft{}, fmt.Errorf("count what an upload has left: %w", explainDBError(d.path, err))
	}
	return b, nil
}
