package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// A walk is a file or folder the person added whose jobs are not all saved
// yet. The worker lists a folder in the background and saves its jobs in
// batches, so without a record of the request itself a crash or kill in the
// middle of a big folder would lose the files not yet listed: nothing on the
// next start would know the folder was ever added. The worker therefore
// saves a WalkRow before it lists a request, deletes it once every job of
// the request is saved, and lists again on the next start whatever walks
// are left, skipping the files whose jobs were already saved.
//
// A walk with no Account is a file or folder added to a window before any
// sign-in ("Open with", a later launch's hand-off, a drop): no queue ever
// lists it (every queue has an account); the window keeps it until someone
// signs in and it is queued for that account, so a crash or a kill before
// the sign-in does not lose it ([DB.WalksBeforeSignIn]).

// WalkRow is one added file or folder (one worker.Request) not yet fully
// turned into jobs.
type WalkRow struct {
	// ID is the walk's UUID (one per request, not per batch).
	ID string `json:"id"`
	// BatchID is the batch its jobs carry (the Add call it came with), so
	// a walk listed again after a crash joins the jobs saved before it and
	// can tell which files are already queued.
	BatchID string `json:"batch_id"`
	// Env is the dStor environment to upload to; for a walk with no
	// Account, the environment its launch named (--env), or "" for none.
	Env string `json:"env"`
	// Account is the account to upload as; "" for a walk added before any
	// sign-in.
	Account string `json:"account"`
	// Path is the file or folder as added (absolute, so it still means the
	// same file when another working directory resumes it).
	Path string `json:"path"`
	// FolderPath is the destination folder path on dStor, if any.
	FolderPath string `json:"folder_path"`
	// ParentID is the destination folder id on dStor, if any.
	ParentID *int64 `json:"parent_id"`
	// Comment is sent with every file of the request.
	Comment string `json:"comment"`
	// ExpectSHA256 is the SHA-256 the added file must have, or empty.
	ExpectSHA256 string `json:"expect_sha256,omitempty"`
	// Folder is the folder share the request makes: the folder its
	// listing lists, as its files record it (FolderKey.Folder: the one a
	// link leads to), or "" for a file. InsertWalks gives that share its
	// place among the folder's Add calls at once (folder_shares), so the
	// folder's latest upload is this one from when it is saved, not
	// listed yet (FolderLeft says so), and CutWalks records why its
	// listing did not list the whole folder, when it did not.
	Folder string `json:"folder,omitempty"`
	// CreatedAt is when the request was added; zero means now on insert.
	CreatedAt time.Time `json:"created_at"`
}

// migrateV3 adds the walks table. seq keeps the order the requests were
// added in, so interrupted walks are finished in that order. The table only
// holds the requests being listed, a handful of rows, so it needs no index.
func migrateV3(tx *sql.Tx) error {
	return execAll(tx,
		`CREATE TABLE walks (
			seq         INTEGER PRIMARY KEY,
			id          TEXT NOT NULL UNIQUE,
			batch_id    TEXT NOT NULL,
			env         TEXT NOT NULL DEFAULT '',
			account     TEXT NOT NULL DEFAULT '',
			path        TEXT NOT NULL DEFAULT '',
			folder_path TEXT NOT NULL DEFAULT '',
			parent_id   INTEGER,
			comment     TEXT NOT NULL DEFAULT '',
			created_at  INTEGER NOT NULL DEFAULT 0
		)`,
	)
}

// deleteWalkSQL deletes one walk row.
const deleteWalkSQL = `DELETE FROM walks WHERE id = ?`

const walkCols = `id, batch_id, env, account, path, folder_path, parent_id, comment, created_at, expect_sha256, folder`

// InsertWalks saves requests about to be listed, in one transaction and in
// slice order (the order [DB.Walks] returns them in), with the folder
// share of each request of a folder (WalkRow.Folder). It fills in, in place
// in rows, an empty ID (a new UUID) and a zero CreatedAt (now). Either every
// row is stored or none is; a row without a BatchID, or an ID that already
// exists, fails the whole call.
func (d *DB) InsertWalks(rows []WalkRow) error {
	if len(rows) == 0 {
		return nil
	}
	now := time.Now().UTC()
	for i := range rows {
		r := &rows[i]
		if r.BatchID == "" {
			return invalidArg(fmt.Sprintf("walk %d batch id", i), "is empty")
		}
		if r.ID == "" {
			r.ID = newUUID()
		}
		if r.CreatedAt.IsZero() {
			r.CreatedAt = now
		}
	}
	return d.withTx(fmt.Sprintf("save %d added files and folders", len(rows)), func(tx *sql.Tx) error {
		return insertWalksTx(tx, insertWalkSQL, rows, nil)
	})
}

// insertWalkSQL writes one walk row.
const insertWalkSQL = `INSERT INTO walks (` + walkCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertWalksTx writes rows in tx with the statement insert (insertWalkSQL,
// or one that leaves out the ids there already), and the folder share of
// each request of a folder (see WalkRow.Folder), counting the rows it
// wrote in n when not nil.
func insertWalksTx(tx *sql.Tx, insert string, rows []WalkRow, n *int) error {
	st, err := tx.Prepare(insert)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	var shares []FolderKey
	for i := range rows {
		r := &rows[i]
		res, err := st.Exec(r.ID, r.BatchID, r.Env, r.Account, r.Path, r.FolderPath,
			nullInt(r.ParentID), r.Comment, nanos(r.CreatedAt), r.ExpectSHA256, r.Folder)
		if err != nil {
			return fmt.Errorf("walk %s (%s): %w", r.ID, r.Path, err)
		}
		if n != nil {
			*n += int(affected(res))
		}
		if r.Folder != "" {
			shares = append(shares, FolderKey{Folder: r.Folder, BatchID: r.BatchID})
		}
	}
	return insertShares(tx, nil, nil, shares)
}

// Walks returns the walks of one environment and account in the order they
// were saved: what a queue holding that account's lock (LockQueue) must
// finish listing when it starts.
func (d *DB) Walks(env, account string) ([]WalkRow, error) {
	out, err := queryAll(d.r, scanWalk, `SELECT `+walkCols+` FROM walks WHERE env = ? AND account = ? ORDER BY seq`, env, account)
	if err != nil {
		return nil, explainDBError(d.path, fmt.Errorf("list interrupted walks: %w", err))
	}
	return out, nil
}

// WalksBeforeSignIn returns the walks added to a window before any sign-in
// (no Account), in the order they were saved: what a window starting
// again shows as waiting for a sign-in.
func (d *DB) WalksBeforeSignIn() ([]WalkRow, error) {
	out, err := queryAll(d.r, scanWalk, `SELECT `+walkCols+` FROM walks WHERE account = '' ORDER BY seq`)
	if err != nil {
		return nil, explainDBError(d.path, fmt.Errorf("list the files waiting for a sign-in: %w", err))
	}
	return out, nil
}

// scanWalk reads one row of walkCols.
func scanWalk(sc rowScanner) (WalkRow, error) {
	var w WalkRow
	var parent sql.NullInt64
	var created int64
	var folder sql.NullString
	if err := sc.Scan(&w.ID, &w.BatchID, &w.Env, &w.Account, &w.Path, &w.FolderPath,
		&parent, &w.Comment, &created, &w.ExpectSHA256, &folder); err != nil {
		return WalkRow{}, err
	}
	w.Folder = folder.String
	w.ParentID = ptrInt(parent)
	w.CreatedAt = fromNanos(created)
	return w, nil
}

// DeleteWalks removes the walks with these ids, once every job of theirs is
// saved, in one transaction, and returns how many there were. A walk of
// no account (saved before a sign-in) takes its folder share with it:
// its Add call is never listed, the queue that takes its files lists them
// as an Add call of its own. Unknown ids are ignored, so deleting twice
// is harmless.
func (d *DB) DeleteWalks(ids ...string) (int, error) {
	return eachWalk(d, fmt.Sprintf("delete %d finished walks", len(ids)), ids, forgetUnlistedShareSQL)
}

// CutWalks removes the walks with these ids, whose listing ended before
// it listed their folder, as DeleteWalks does, and records why on their
// folder shares (folder_shares.listing_end): cut, as Stop everything
// does to a listing under way or not begun (CutStopped), or as the
// listing does to a request whose path is no folder it can list by the
// time it comes to it (gone, a file, unreadable, the app's own data):
// the files not listed have no job, and the share is not its folder's
// whole list (BatchLeft.Cut), for good; a share listed to its end
// (InsertListing) is left as it is. A walk saved before walks.folder
// (NULL) has no share of its own before its listing saves a file; it
// marks the share of its Add call at its path (its folder added by its
// own path), or, stopped, when there is none (added through a link to
// it, or nothing of it saved yet), every share of its Add call not
// listed to its end, not knowing which one is its own.
func (d *DB) CutWalks(cut ListingCut, ids ...string) (int, error) {
	if cut == NotCut {
		return 0, invalidArg("cut", "a walk cut short needs a reason")
	}
	return eachWalk(d, fmt.Sprintf("record that %d added folders were not listed to their end", len(ids)), ids, cutShareSQL, int(cut))
}

// MoveWalk gives the walk id the share of folder, the folder its path
// leads to as it is listed, when the walk was saved with another share
// (walks.folder): a symbolic link on its path was pointed elsewhere since
// it was added (or the path was no folder then, or the walk was saved
// before walks.folder). In one transaction, the share it was saved with
// records that its folder was not listed (CutLedElsewhere, as CutWalks
// records a cut: FolderLeftOf reads it), unless it is folder's own, and
// the walk's share becomes folder's, made now (insertShareSQL), so that a
// cut (CutWalks) or a kill while folder is listed lands on the share the
// listing fills. A walk not saved (its save failed) records nothing.
func (d *DB) MoveWalk(id, folder string) error {
	if folder == "" {
		return invalidArg("folder", "is empty")
	}
	return d.withTx("record the folder an added path leads to now", func(tx *sql.Tx) error {
		var batch string
		err := tx.QueryRow(`SELECT batch_id FROM walks WHERE id = ?`, id).Scan(&batch)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err == nil {
			_, err = tx.Exec(leftShareSQL, id, folder, int(CutLedElsewhere))
		}
		if err == nil {
			_, err = tx.Exec(insertShareSQL, folder, batch)
		}
		if err == nil {
			_, err = tx.Exec(`UPDATE walks SET folder = ? WHERE id = ?`, folder, id)
		}
		return err
	})
}

// leftShareSQL records on the share the walk ?1 was saved with (at its
// path for a walk saved before walks.folder, as cutShareSQL takes it),
// when that is not the folder ?2, that it was not listed, for the reason
// ?3.
const leftShareSQL = `WITH w AS (SELECT batch_id, coalesce(folder, path) AS folder FROM walks WHERE id = ?1)
	UPDATE folder_shares SET listing_end = ?3 WHERE listing_end = 0 AND added_folder != ?2
	AND batch_id = (SELECT batch_id FROM w) AND added_folder = (SELECT folder FROM w)`

// forgetUnlistedShareSQL deletes the folder share of the walk ? of no
// account (see DeleteWalks); cutShareSQL records on the share of the walk
// ?1 that its listing was cut short for the reason ?2 (see CutWalks).
const (
	forgetUnlistedShareSQL = `DELETE FROM folder_shares
		WHERE added_folder = (SELECT folder FROM walks WHERE id = ?1 AND account = '')
		AND batch_id = (SELECT batch_id FROM walks WHERE id = ?1)`
	cutShareSQL = `WITH w AS (SELECT batch_id, folder, path FROM walks WHERE id = ?1)
		UPDATE folder_shares SET listing_end = ?2 WHERE listing_end = 0 AND batch_id = (SELECT batch_id FROM w)
		AND (added_folder = (SELECT coalesce(folder, path) FROM w)
			OR ?2 = ` + cutStoppedSQL + ` AND (SELECT folder IS NULL FROM w)
			AND NOT EXISTS (SELECT 1 FROM folder_shares o JOIN w ON o.batch_id = w.batch_id AND o.added_folder = w.path))`
)

// eachWalk runs shareSQL with the walk's id and args, then deletes the
// walk, for each of ids, in one transaction (none for no id), and
// returns how many walks there were.
func eachWalk(d *DB, what string, ids []string, shareSQL string, args ...any) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var n int64
	err := d.withTx(what, func(tx *sql.Tx) error {
		first, err := tx.Prepare(shareSQL)
		if err != nil {
			return err
		}
		defer func() { _ = first.Close() }()
		del, err := tx.Prepare(deleteWalkSQL)
		if err != nil {
			return err
		}
		defer func() { _ = del.Close() }()
		for _, id := range ids {
			if _, err := first.Exec(append([]any{id}, args...)...); err != nil {
				return err
			}
			k, err := rowsTouched(del.Exec(id))
			if err != nil {
				return err
			}
			n += k
		}
		return nil
	})
	return int(n), err
}
