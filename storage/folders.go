package storage

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// A folder share is the files of one folder the person added in one go
// (one Add call, one walk of that folder): the history lists them as one
// group, and their links are shared together. Each entry of such a file
// records the folder (HistoryEntry.AddedFolder) and the call
// (HistoryEntry.BatchID); a file added on its own has no AddedFolder.
//
// A share is the whole folder as that call found it: a file it found
// already uploaded (unchanged since an earlier upload sent it, so not sent
// again) is in it too, through a row of folder_members naming that
// earlier entry, written in the transaction that saves the file's job
// (DB.InsertJobs), so a folder run again unchanged adds no entry to the
// history and its newest share still lists every file.
//
// A file the call found already waiting in the queue in another call's job
// (not queued twice) is in it too, once that job's upload is recorded
// (LeftFile).

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

// migrateV16 adds folder_members: the files a folder share holds that its
// Add call found already uploaded, each as the earlier history entry that
// sent it. job_id is the job that found it: when that job is sent again
// (Upload again) its own entry takes the row's place. seen_after is the
// history's largest id when the row was written (every entry recorded
// later has a larger one: ids are AUTOINCREMENT), which orders the shares of
// a folder (NewestFolderShare) without a clock; size is the entry's, so a
// share is counted from the index alone. A deleted history entry takes
// its rows with it (the trigger), so no share lists a link the history
// forgot. Like migrateV15 it leaves what exists as it is, so a database
// marked older than it is migrates again (as tests do).
func migrateV16(tx *sql.Tx) error {
	return execAll(tx,
		`CREATE TABLE IF NOT EXISTS folder_members (
			seq          INTEGER PRIMARY KEY,
			job_id       TEXT NOT NULL UNIQUE,
			added_folder TEXT NOT NULL,
			batch_id     TEXT NOT NULL,
			history_id   INTEGER NOT NULL,
			size         INTEGER NOT NULL DEFAULT 0,
			seen_after   INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX IF NOT EXISTS folder_members_share ON folder_members (added_folder, batch_id, history_id, size)`,
		`CREATE INDEX IF NOT EXISTS folder_members_entry ON folder_members (history_id)`,
		`CREATE TRIGGER IF NOT EXISTS folder_members_forget AFTER DELETE ON history BEGIN
			DELETE FROM folder_members WHERE history_id = OLD.id;
		END`,
	)
}

// migrateV17 adds folder_shares: a row per folder share, written by the
// transaction that saves the first files its listing found (InsertListing),
// or the end of a listing that found none to upload, so the folder's
// shares keep the order their Add calls came in. Without
// it a share was ranked by the last upload it recorded, and retrying a
// failed file of an earlier Add call (or sending one of its files again)
// made that earlier share the folder's latest, though a later Add call
// holds files the earlier one never listed. added_after is the largest
// id the history had given when the row was written (deleted entries
// included), comparable with the ranks of the
// shares made before this table (see shareRank); seq orders Add calls
// with no upload between them. The shares already in the history get
// their place from their first file: the entry before their first upload,
// or the point they first found a file uploaded, whichever is earlier; a
// share with jobs and no upload recorded yet (an Add call still in the
// queue at the upgrade, whose later uploads would otherwise rank it by the
// last, as before), the entry that finished last before its first job was
// saved (the one place a clock is read, once). Shares at one place take
// their seq in the order their first jobs were saved, those with no job
// left first (a database marked older migrates again, as tests do: a
// share that has its row keeps it).
func migrateV17(tx *sql.Tx) error {
	return execAll(tx,
		`CREATE TABLE IF NOT EXISTS folder_shares (
			seq          INTEGER PRIMARY KEY,
			added_folder TEXT NOT NULL,
			batch_id     TEXT NOT NULL,
			added_after  INTEGER NOT NULL DEFAULT 0,
			UNIQUE (added_folder, batch_id)
		)`,
		`INSERT INTO folder_shares (added_folder, batch_id, added_after)
		SELECT added_folder, batch_id, min(first) FROM (
			SELECT added_folder, batch_id, min(id) - 1 AS first FROM history WHERE added_folder != '' GROUP BY 1, 2
			UNION ALL SELECT added_folder, batch_id, min(seen_after) FROM folder_members WHERE history_id > 0 GROUP BY 1, 2
			UNION ALL SELECT beneath, batch_id, coalesce((SELECT h.id FROM history h
				WHERE h.finished_at < q.queued ORDER BY h.finished_at DESC LIMIT 1), 0)
			FROM (SELECT beneath, batch_id, min(created_at) AS queued FROM jobs WHERE beneath != '' GROUP BY 1, 2) q
			WHERE NOT EXISTS (SELECT 1 FROM history h WHERE h.added_folder = q.beneath AND h.added_folder != '' AND h.batch_id = q.batch_id)
		) u GROUP BY 1, 2 ORDER BY 3, (SELECT min(created_at) FROM jobs j WHERE j.batch_id = u.batch_id)
		ON CONFLICT DO NOTHING`,
	)
}

// migrateV18 adds walks.folder, the folder share a walk's request makes
// (the folder it lists, as its files record it: the one a link leads
// to; empty for a file; NULL for a walk saved before this column), and
// folder_shares.stopped, set when the listing of that share was stopped
// before it ended (CutWalks; migrateV19 renames it): the files it never listed have no job,
// and nothing else says the share lacks them. A walk's share has its row
// from when the walk is saved (InsertWalks), so an Add call of a folder
// is that folder's latest from then on, not from its listing's first
// saved files. The shares and walks already there are left as they are:
// a walk of before is listed on as before. Like migrateV17 it can run
// again over a database marked older.
func migrateV18(tx *sql.Tx) error {
	for _, c := range []struct{ table, column, decl string }{
		{"walks", "folder", "TEXT"},
		{"folder_shares", "stopped", "INTEGER NOT NULL DEFAULT 0"},
	} {
		var has bool
		err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM pragma_table_info(?) WHERE name = ?)`, c.table, c.column).Scan(&has)
		if err == nil && !has {
			_, err = tx.Exec(`ALTER TABLE ` + c.table + ` ADD COLUMN ` + c.column + ` ` + c.decl)
		}
		if err != nil {
			return fmt.Errorf("add %s.%s: %w", c.table, c.column, err)
		}
	}
	return nil
}

// migrateV19 renames folder_shares.stopped to listing_end, which holds
// why the listing of a share ended before it listed its folder (a
// ListingCut: stopped, as stopped = 1 said, or the folder not there, not
// a folder, unreadable, or the app's own data when it was to be listed),
// or that it listed its folder to the end (listingEndedSQL), 0 while
// neither is known (a share listed to its end before this column too).
// A build of schema 18 read the column as true or false, and could not
// read those reasons. Like migrateV18 it can run again over a database
// marked older: migrateV18 then adds stopped again beside listing_end,
// and this folds it in.
func migrateV19(tx *sql.Tx) error {
	var stopped, ended bool
	err := tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM pragma_table_info('folder_shares') WHERE name = 'stopped'),
		EXISTS (SELECT 1 FROM pragma_table_info('folder_shares') WHERE name = 'listing_end')`).Scan(&stopped, &ended)
	switch {
	case err != nil || !stopped:
	case ended:
		err = execAll(tx, `UPDATE folder_shares SET listing_end = stopped WHERE listing_end = 0 AND stopped != 0`,
			`ALTER TABLE folder_shares DROP COLUMN stopped`)
	default:
		_, err = tx.Exec(`ALTER TABLE folder_shares RENAME COLUMN stopped TO listing_end`)
	}
	if err != nil {
		return fmt.Errorf("rename folder_shares.stopped: %w", err)
	}
	return nil
}

// insertShareSQL records that a listing of the Add call ?2 found files of
// the folder ?1, once (the first time), after the largest id the history
// has given (sqlite_sequence, as AUTOINCREMENT keeps it), not its largest
// id now: a deleted newest entry lowers that, and an Add call placed
// after it would rank before the Add call before it.
const insertShareSQL = `INSERT INTO folder_shares (added_folder, batch_id, added_after)
	VALUES (?, ?, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'history'), 0)) ON CONFLICT DO NOTHING`

// insertShares records in tx the folder shares of a listing's rows, of
// the files it left to other jobs and of the folders it listed to the end,
// so each share has its place among the folder's Add calls from its first
// saved file on, or, when its listing found no file to upload (the folder
// was empty, or every file in it was skipped), from the end of that
// listing.
func insertShares(tx *sql.Tx, rows []JobRow, left []LeftFile, listed []FolderKey) error {
	seen := map[FolderKey]bool{}
	for _, k := range listed {
		seen[k] = true
	}
	for _, r := range rows {
		if r.Beneath != "" {
			seen[FolderKey{Folder: r.Beneath, BatchID: r.BatchID}] = true
		}
	}
	for _, l := range left {
		seen[FolderKey{Folder: l.Folder, BatchID: l.BatchID}] = true
	}
	for k := range seen {
		if _, err := tx.Exec(insertShareSQL, k.Folder, k.BatchID); err != nil {
			return fmt.Errorf("record the upload of folder %s: %w", k.Folder, err)
		}
	}
	return nil
}

// refindFoundSQL gives each job of the batch ? found already uploaded in
// a folder that has no folder_members row the entry the listing found:
// the newest verified upload with a file identity, by one of the
// account's names (the IN list, 1 to n ?), on the job's environment, of
// the job's file (path, size, file id) with the content the job recorded
// (hash) to the job's place — the upload queueFile matches, whose link is
// the job's. Its own ? is the job state, JobAlready.
func refindFoundSQL(names int) string {
	return `INSERT INTO folder_members (job_id, added_folder, batch_id, history_id, size, seen_after)
	SELECT j.id, j.beneath, j.batch_id, h.id, h.size, (SELECT max(id) FROM history)
	FROM jobs j JOIN history h ON h.id = (SELECT e.id FROM history e
		WHERE e.account IN (?` + strings.Repeat(", ?", names-1) + `) AND e.env = j.env AND e.local_path = j.local_path
		AND e.verified = 1 AND e.file_mtime <> 0 AND e.hash = j.hash AND e.size = j.size AND e.file_id = j.file_id
		AND e.folder_path = j.folder_path AND e.parent_id IS j.parent_id
		ORDER BY e.id DESC LIMIT 1)
	WHERE j.batch_id = ? AND j.state = ? AND j.beneath != '' AND j.hash != ''
	AND NOT EXISTS (SELECT 1 FROM folder_members m WHERE m.job_id = j.id)`
}

// RefindFolderMembers puts into its share each file that the Add call
// batchID found already uploaded in a folder and saved as a job alone,
// with no folder_members row: what a listing by the version before
// folder_members (schema 15) saved before it was cut short, which this
// version lists on (a resumed walk). account and also are the names the
// account's uploads are filed under (see UploadedIn). A job whose upload
// is no longer in the history, or whose file the history holds no longer
// as the job found it, stays out of the share. It returns how many files
// it put in.
func (d *DB) RefindFolderMembers(batchID, account string, also ...string) (int, error) {
	names := append([]string{account}, also...)
	args := make([]any, 0, len(names)+2)
	for _, n := range names {
		args = append(args, n)
	}
	args = append(args, batchID, string(JobAlready))
	var n int64
	err := d.withTx("find again the files an upload found already uploaded", func(tx *sql.Tx) error {
		res, err := tx.Exec(refindFoundSQL(len(names)), args...)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return int(n), err
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
	// The files a share found already uploaded (folder_members).
	foundOfFolderSQL = "SELECT " + historyCols + ` FROM history
		WHERE id IN (SELECT history_id FROM folder_members WHERE added_folder = ? AND batch_id = ?)`
	foundBatchesSQL = `SELECT batch_id, max(seen_after), max(seq) FROM folder_members
		WHERE added_folder = ? GROUP BY batch_id`
	foundTotalSQL = `SELECT count(*), coalesce(sum(size), 0) FROM folder_members
		WHERE added_folder = ? AND batch_id = ? AND history_id > 0`
	// addFoundSQL records that the job ?1 of the share (?2, ?3) found the
	// entry ?4 already uploaded; nothing when that entry is gone, or the
	// share holds it already (a file it left to that entry's job, then
	// found uploaded by its listing resumed after a crash).
	addFoundSQL = `INSERT INTO folder_members (job_id, added_folder, batch_id, history_id, size, seen_after)
		SELECT ?1, ?2, ?3, id, size, (SELECT max(id) FROM history)
		FROM history WHERE id = ?4
		AND NOT EXISTS (SELECT 1 FROM folder_members m WHERE m.added_folder = ?2 AND m.batch_id = ?3 AND m.history_id = ?4)
		ON CONFLICT (job_id) DO NOTHING`
	// dropFoundOfJobSQL: the job's own upload stands for its file now.
	dropFoundOfJobSQL = `DELETE FROM folder_members WHERE ` + foundOfJobWhere
	// foundOfJobWhere picks the row of the share whose job ?1 found its
	// file already uploaded (addFoundSQL): one of finishJobTx's share
	// writes and its look (sharesOfJobSQL) both use it.
	foundOfJobWhere = `job_id = ?1`
)

// A file a share left to another Add call's job (LeftFile) is a row of
// folder_members keyed by that job's id, a slash, the share's batch, a
// slash and its folder (LeftFile.key), whose history_id is 0 until the
// job's upload is recorded: the transaction that records it
// (finishJobTx) gives every such row the new entry (joinLeftSQL), so the
// file is in the share from then on, with seen_after the new entry's id
// (the share is newer than the Add call the job came with). A row
// written when that upload is recorded already takes it at once. A share
// that has a row of that job already (a listing resumed after a kill
// meets the file again) adds none, whatever its key: a version before
// 2026-12-05 keyed the row without the folder.
var (
	insertLeftSQL = `INSERT INTO folder_members (job_id, added_folder, batch_id, history_id, size, seen_after)
		SELECT ?1, ?2, ?3, coalesce((SELECT id FROM history WHERE job_id = ?4), 0),
			coalesce((SELECT size FROM history WHERE job_id = ?4), 0), coalesce((SELECT max(id) FROM history), 0)
		WHERE NOT EXISTS (SELECT 1 FROM folder_members m WHERE ` + leftToSQL("m.job_id", "?4") + `
			AND +m.added_folder = ?2 AND +m.batch_id = ?3)
		ON CONFLICT (job_id) DO NOTHING` // (+: as waitingUnderSQL)
	joinLeftSQL = `UPDATE folder_members SET history_id = iif(history_id = 0, (SELECT id FROM history WHERE job_id = ?1), history_id),
		size = iif(history_id = 0, (SELECT size FROM history WHERE job_id = ?1), size), seen_after = (SELECT max(id) FROM history)
		WHERE ` + leftToJobWhere
	// leftToJobWhere picks the rows of the shares that left their file to
	// the job ?1 (leftToSQL) that do not hold another upload (joinLeftSQL;
	// sharesOfJobSQL).
	leftToJobWhere = leftToSQL("job_id", "?1") + ` AND +history_id <= 0` // (+: by job_id, not by every row still waiting)
	// supersedeLeftSQL: the job ?1 of a share uploads the file itself, so
	// the rows its share left to other jobs of that file hold no file any
	// more (history_id -1: not listed, not counted, not waiting; a listing
	// resumed after that job was canceled, or after the file changed,
	// queues the file itself), and the share holds the file once. They
	// still rank the share when that job uploads later (joinLeftSQL): the
	// share is the later add. A row is keyed with the share's folder
	// (LeftFile.key), or without it (a version before 2026-12-05): each
	// other job gives both keys (v), so the job and the others are looked
	// up once, not once per key, and the job is told from the others by
	// its row (seq), which the index holds, not by its id, which the row
	// holds. It runs for every file a share uploads. No row has the job's
	// own keys (a listing never leaves a file to a job of its own share,
	// and the older key was only ever given to another Add call's job), so
	// o.seq != j.seq changes nothing the statement writes: it spares the
	// two index probes of those keys for a file whose only job is j, the
	// usual case (TestSupersedeLeftAgreesWithItsFormerQuery).
	supersedeLeftSQL = `UPDATE folder_members SET history_id = -1, size = 0
	WHERE job_id IN (SELECT o.id || '/' || o.batch_id || iif(v.column1, '/' || o.beneath, '')
		FROM (` + otherJobsOfFileSQL + `) o CROSS JOIN (VALUES (0), (1)) v)`
	// otherJobsOfFileSQL are the other jobs of the file of the job ?1 of
	// a share (its batch and folder with each): the only jobs whose keys
	// supersedeLeftSQL writes, and what sharesOfJobSQL asks for.
	otherJobsOfFileSQL = `SELECT o.id, j.batch_id, j.beneath FROM jobs j
		JOIN jobs o ON o.env = j.env AND o.account = j.account AND o.local_path = j.local_path
		WHERE j.id = ?1 AND j.beneath != '' AND o.seq != j.seq`
	// sharesOfJobSQL holds when finishJobTx's share writes of the job ?1
	// may change a row (shareStmts.mayTouch): there is a row that
	// dropFoundOfJobSQL or joinLeftSQL picks, or another job of its file,
	// whose keys are the only rows supersedeLeftSQL writes; each
	// condition is written once, for its
	// write and this look. When it does not hold, the three change
	// nothing: none finds a row in the state before them, so none leaves
	// the next one a row to change. It is an UPDATE that changes nothing,
	// of the job's own row (written by the finish just before), whose
	// count of rows is the answer: a SELECT in a database/sql transaction
	// starts a goroutine per call (Rows.awaitDone), which cost as much as
	// the three writes it spares. Without any one of its clauses, folder
	// share tests fail (TestFoundFileSentAgainAloneInItsShareHoldsItsOwnUpload,
	// TestFoldersOfOneAddEachKeepTheirRowOfAFileLeftToAJob,
	// TestLeftRowGivesWayToTheSharesOwnUpload, and
	// TestSharesOfJobSaysWhenTheShareWritesChangeARow for each).
	sharesOfJobSQL = `UPDATE jobs SET reported = reported WHERE id = ?1 AND (
		EXISTS (SELECT 1 FROM folder_members WHERE ` + foundOfJobWhere + `)
		OR EXISTS (SELECT 1 FROM folder_members WHERE ` + leftToJobWhere + `)
		OR EXISTS (` + otherJobsOfFileSQL + `))`
	// awaitedSQL holds for a job (of the table jobs, unaliased) whose
	// file a share left to it and still counts on (a row at history_id
	// 0): a job taken out of the queue keeps its row, cleared (out of the
	// list and the counts), while it holds, since that row is all that
	// says which file the share's row is: supersedeLeftSQL finds the row
	// through it once the share uploads or finds that file itself. Once
	// no row counts on it, DeleteCleared deletes it.
	awaitedSQL = `EXISTS (SELECT 1 FROM folder_members m
		WHERE ` + leftToSQL("m.job_id", "jobs.id") + ` AND +m.history_id = 0)`  // (+: as joinLeftSQL)
	// leftOfShareSQL counts a share's files left to other jobs not
	// recorded yet: those whose job still waits (queued, uploading,
	// waiting for sign-in, states ?), and all of them; not a file the
	// share has a job of its own of not uploaded (its listing resumed
	// after that other job was canceled or removed), counted by that
	// job's state (BatchLeft, or Dropped), not twice; nor one left to a
	// job of the share's own Add call (sameCallLeftSQL counts those).
	leftOfShareSQL = `SELECT coalesce(sum(j.state IN (?, ?, ?) AND j.cleared = 0), 0), count(*)
		FROM folder_members m LEFT JOIN jobs j ON j.id = substr(m.job_id, 1, instr(m.job_id, '/') - 1)
		WHERE m.added_folder = ? AND m.batch_id = ? AND m.history_id = 0 AND j.batch_id IS NOT m.batch_id
		AND NOT EXISTS (SELECT 1 FROM jobs s WHERE s.batch_id = m.batch_id AND s.local_path = j.local_path
			AND s.state NOT IN ('` + string(JobDone) + `', '` + string(JobAlready) + `'))`
)

// SkipsByDesign are the reasons (api/worker's ReasonCode) a listing skips
// an entry of a folder for by design, whose share is the folder's whole
// list without it: a symbolic link or a junction (not followed), a pipe,
// socket, device or other special file, an empty folder, the app's own
// data folder, a path that no longer leads to the file listed (a link put
// in its place), and an entry gone from the folder while it was listed.
// A file skipped for any other reason (it could not be read, or a passing
// trouble: too many open files, a busy or disconnected drive), or as
// not-listed because another file took its place (ReplacedArg), is one
// the share lacks (FolderLeft.Dropped): droppedSQL says which.
var SkipsByDesign = []string{"symlink", "junction", "pipe", "socket", "device", "special-file",
	"empty-folder", "own-data", "not-listed", "vanished", "file-missing"}

// SkipsTooDeep are the reasons (api/worker's ReasonCode) a listing skips
// a folder of a folder for, with everything in it, because its folder
// path on dStor would be longer than dStor allows: a skip the share
// lacks the files of (FolderLeft.Dropped), said apart (FolderLeft.TooDeep)
// since nothing was canceled or unreadable.
var SkipsTooDeep = []string{"folder-too-deep", "destination-too-long"}

// SkipsFolderUnread are the reasons (api/worker's ReasonCode) a listing
// skips a folder of a folder for because it could not read it (permission
// denied, an I/O error): one row for all it held, never seen, which the
// share lacks (FolderLeft.Dropped), said apart as folders
// (FolderLeft.UnreadFolders), not as files.
var SkipsFolderUnread = []string{"folder-denied", "folder-unreadable"}

// ReplacedArg is the reason_arg of a file skipped as "not-listed"
// because another file took its place after its folder was listed: the
// folder holds a file its share did not upload, so that skip is not by
// design (a link put in its place is: links are not followed).
const ReplacedArg = "replaced"

// SkippedByDesign reports whether a folder's entry skipped for reason
// (with reason_arg arg) leaves its share the folder's whole list: the rule
// droppedSQL applies in the database, for a job in hand.
func SkippedByDesign(reason, arg string) bool {
	return slices.Contains(SkipsByDesign, reason) && (reason != "not-listed" || arg != ReplacedArg)
}

// droppedSQL holds for a job (of the table jobs, unaliased) of a folder's
// file (beneath set) that has not uploaded it: not done, not found
// already uploaded, and not skipped by design (SkipsByDesign, but for a
// file replaced after the listing: ReplacedArg). Such a job
// taken out of the queue (Remove, Clear finished, the cleared rows
// deleted at a start) keeps its row, cleared, as one a share awaits does
// (keptSQL): it is all that says the share of its Add call lacks that
// file (FolderLeft.Dropped). Retried and uploaded, it no longer holds;
// otherwise that share lacks the file for good, and only a later Add call
// of the folder, another share, sends it.
var droppedSQL = `(jobs.beneath != '' AND ` + notUploadedSQL + `)`

// notUploadedSQL holds for a job (of the table jobs, unaliased) that has
// not uploaded its file and is no skip by design: droppedSQL, for a job
// of a folder's file.
var notUploadedSQL = `(jobs.state NOT IN ('` + string(JobDone) + `', '` + string(JobAlready) + `')
	AND NOT (jobs.state = '` + string(JobSkipped) + `' AND jobs.reason IN (` + quotedList(SkipsByDesign) + `)
		AND NOT (jobs.reason = 'not-listed' AND jobs.reason_arg = '` + ReplacedArg + `')))`

// keptSQL holds for a job whose row is only marked cleared when it is
// taken out of the queue: a share awaits its file (awaitedSQL), or
// counts on not having it (droppedSQL).
var keptSQL = `(` + awaitedSQL + ` OR ` + droppedSQL + `)`

// droppedRowSQL holds for a job whose file its share lacks for good
// (droppedSQL): canceled or skipped, or taken out of the queue (cleared);
// not one still to upload or failed (BatchLeft counts it).
var droppedRowSQL = `(jobs.cleared = 1 OR jobs.state IN ('` + string(JobCanceled) + `', '` + string(JobSkipped) + `')) AND ` + droppedSQL

// quotedList is values as SQL strings, comma-separated (values of the
// code's own, no quote in them).
func quotedList(values []string) string {
	return "'" + strings.Join(values, "', '") + "'"
}

// LeftFile is a file of a folder a listing found already waiting in the
// queue, for the same place, in a job of another Add call (JobID), and so
// did not queue again: it is in the share (Folder, BatchID) all the same,
// with that job's upload once it is recorded.
//
// The job may be one of the share's own Add call that another of its
// paths listed (upload --parent-id N d d/sub: d's listing met the files
// of d/sub first, or the file was named on its own): the share counts
// that file as one of its own, by that job's state (BatchLeft, Dropped),
// not as one left to an earlier upload.
type LeftFile struct {
	JobID           string
	Folder, BatchID string
}

// key is the folder_members.job_id of l: the job's id, a slash, the
// share's batch (leftToSQL), a slash and the share's folder, as one call's
// folders may each leave a file to one job (upload --parent-id N d d/sub:
// both leave d/sub's files to the job of an earlier upload, or to d's).
func (l LeftFile) key() string {
	return l.JobID + "/" + l.BatchID + "/" + l.Folder
}

// leftToSQL picks the rows of folder_members (key column col) of the
// files left to the job whose id is the SQL expression id: keys from the
// id and a slash to the id and a '0', the byte after the slash (ids hold
// no slash). A range of col, so col's index finds them; every look for a
// job's left files uses it, so none can drift from LeftFile.key.
func leftToSQL(col, id string) string {
	return col + " > " + id + " || '/' AND " + col + " < " + id + " || '0'"
}

// insertLeft saves the files left to other jobs in tx.
func insertLeft(tx *sql.Tx, left []LeftFile) error {
	if len(left) == 0 {
		return nil
	}
	st, err := tx.Prepare(insertLeftSQL)
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	for _, l := range left {
		if _, err := st.Exec(l.key(), l.Folder, l.BatchID, l.JobID); err != nil {
			return fmt.Errorf("put the file job %s uploads in folder share %s: %w", l.JobID, l.Folder, err)
		}
	}
	return nil
}

// foundPageSQL reads a page of the files a share found, through the
// share's index in the order of their entries' ids.
var foundPageSQL = "SELECT " + historyColsOf("h") + ` FROM folder_members m JOIN history h ON h.id = m.history_id
	WHERE m.added_folder = ? AND m.batch_id = ? AND m.history_id < ? ORDER BY m.history_id DESC LIMIT ?`

// FolderTotal is what a whole folder share holds, whichever of its
// uploads a window has loaded.
type FolderTotal struct {
	// Files is how many files it has: its uploads and those it found
	// already uploaded.
	Files int
	// Size is their size in bytes.
	Size int64
	// Newest is when the newest of its own uploads finished (those it
	// found are older).
	Newest time.Time
	// LastID is the largest entry id of its uploads counted:
	// FolderTotalAfter counts on from it.
	LastID int64
	// Found and FoundSize are, of Files and Size, the files it found
	// already uploaded: counted whole each time, as a deleted entry or a
	// file sent again takes one away.
	Found     int
	FoundSize int64
}

// Plus is t with the uploads more counted after it, and the files found
// already uploaded as more counted them.
func (t FolderTotal) Plus(more FolderTotal) FolderTotal {
	t.Files += more.Files - t.Found // more.Found replaces t.Found
	t.Size += more.Size - t.FoundSize
	t.Found, t.FoundSize = more.Found, more.FoundSize
	if more.Newest.After(t.Newest) {
		t.Newest = more.Newest
	}
	t.LastID = max(t.LastID, more.LastID)
	return t
}

// FolderTotalAfter counts the uploads of the folder share k recorded
// after entry afterID (0: all of them; zero when none), and the files it
// found already uploaded (all of them), so a list that loads the history
// a page at a time can say how many files the share holds before it has
// loaded them all, and count on cheaply as uploads finish: the index
// holds each share's entries in id order, and the files found in
// folder_members with their sizes.
func (d *DB) FolderTotalAfter(k FolderKey, afterID int64) (FolderTotal, error) {
	var t FolderTotal
	var newest int64
	err := d.readHistory(func(tx *sql.Tx) error { // one snapshot: a file sent again is counted once
		if err := tx.QueryRow(folderTotalSQL, k.Folder, k.BatchID, afterID).Scan(&t.Files, &t.Size, &newest, &t.LastID); err != nil {
			return err
		}
		return tx.QueryRow(foundTotalSQL, k.Folder, k.BatchID).Scan(&t.Found, &t.FoundSize)
	})
	if err != nil {
		return FolderTotal{}, fmt.Errorf("count the uploads of folder %s: %w", k.Folder, err)
	}
	if t.Files > 0 {
		t.Newest = fromNanos(newest)
	}
	t.Files += t.Found
	t.Size += t.FoundSize
	return t, nil
}

// HistoryOfFolder returns every entry of the folder share k, newest first
// (Copy all links and the folder's index page take them all, not just the
// ones a window has loaded): its uploads, and the earlier uploads of the
// files it found already uploaded (whose own AddedFolder and BatchID are
// those of the share that sent them).
func (d *DB) HistoryOfFolder(k FolderKey) ([]HistoryEntry, error) {
	var out []HistoryEntry
	err := d.readHistory(func(tx *sql.Tx) error { // one snapshot: a file sent again is listed once
		var err error
		out, err = historyOfFolder(tx, k)
		return err
	})
	return out, err
}

// HistoryAndLeftOfFolder is HistoryOfFolder and FolderLeftOf of k read
// at one instant (one read transaction): the files Copy all links and
// the index page take, and whether they are the whole folder, so that a
// file recorded, a listing ended or entries deleted meanwhile is never in
// the one and not the other.
func (d *DB) HistoryAndLeftOfFolder(k FolderKey) ([]HistoryEntry, FolderLeft, error) {
	var out []HistoryEntry
	var left FolderLeft
	err := d.readHistory(func(tx *sql.Tx) error {
		var err error
		if left, err = folderLeftOf(tx, k); err == nil {
			out, err = historyOfFolder(tx, k)
		}
		return err
	})
	if err != nil {
		return nil, FolderLeft{}, err
	}
	return out, left, nil
}

// historyOfFolder is HistoryOfFolder, read within tx.
func historyOfFolder(tx *sql.Tx, k FolderKey) ([]HistoryEntry, error) {
	var out []HistoryEntry
	own := map[int64]bool{}
	err := eachRow(tx, scanHistory, func(e HistoryEntry) error {
		own[e.ID] = true
		out = append(out, e)
		return nil
	}, historyOfFolderSQL, k.Folder, k.BatchID)
	if err == nil {
		err = eachRow(tx, scanHistory, func(e HistoryEntry) error {
			if !own[e.ID] {
				out = append(out, e)
			}
			return nil
		}, foundOfFolderSQL, k.Folder, k.BatchID)
	}
	if err != nil {
		return nil, fmt.Errorf("read the uploads of folder %s: %w", k.Folder, err)
	}
	sortNewestFirst(out)
	return out, nil
}

// folderListSQL lists the folder share ?1, ?2 newest finished first, then
// newest recorded (HistoryOfFolder's order), at most ?3 (-1: all): its
// uploads, and the files it found already uploaded that are not among
// them (a file it found, then sent again, is listed once, by its upload).
// SQLite sorts them in a sorter of bounded memory, which spills to a
// temporary file past its cache.
var folderListSQL = "SELECT " + historyCols + ` FROM history
		WHERE added_folder = ?1 AND added_folder != '' AND batch_id = ?2
	UNION ALL
	SELECT ` + historyCols + ` FROM history
		WHERE id IN (SELECT history_id FROM folder_members WHERE added_folder = ?1 AND batch_id = ?2)
		AND NOT (added_folder = ?1 AND batch_id = ?2)
	ORDER BY finished_at DESC, id DESC LIMIT ?3`

// EachOfFolder calls fn with the entries of the folder share k, in
// HistoryOfFolder's order, reading them as it goes (one in memory at a
// time, however many files the share has), at most limit of them when
// limit > 0. An error of fn's own (its writer's) stops the walk and is
// returned as it is.
func (d *DB) EachOfFolder(k FolderKey, limit int, fn func(HistoryEntry) error) error {
	return d.eachOfShare(fn, func(tx *sql.Tx, each func(HistoryEntry) error) error {
		return eachOfFolder(tx, k, limit, each)
	})
}

// EachOfLatestShare is EachOfFolder of the latest share of folder (as
// added, absolute: NewestFolderShare), which it first tells found, with
// what that share lacks of its folder (FolderLeftOf): history --folder.
// The three are read in one read transaction, so a share whose entries
// are deleted, or whose listing ends, meanwhile is never listed as it is
// after and judged as it was before (its list empty and called whole,
// say). With no share of folder it returns an error wrapping
// [ErrNotFound] and calls neither found nor fn.
func (d *DB) EachOfLatestShare(folder string, limit int, found func(FolderKey, FolderLeft), fn func(HistoryEntry) error) error {
	return d.eachOfShare(fn, func(tx *sql.Tx, each func(HistoryEntry) error) error {
		k, err := newestFolderShare(tx, folder)
		if err != nil {
			return err
		}
		left, err := folderLeftOf(tx, k)
		if err != nil {
			return err
		}
		found(k, left)
		return eachOfFolder(tx, k, limit, each)
	})
}

// eachOfShare runs read in one read transaction with fn, returning an
// error of fn's own as it is.
func (d *DB) eachOfShare(fn func(HistoryEntry) error, read func(*sql.Tx, func(HistoryEntry) error) error) error {
	var fnErr error
	err := d.readHistory(func(tx *sql.Tx) error {
		return read(tx, func(e HistoryEntry) error {
			fnErr = fn(e)
			return fnErr
		})
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// eachOfFolder is EachOfFolder, read within tx.
func eachOfFolder(tx *sql.Tx, k FolderKey, limit int, fn func(HistoryEntry) error) error {
	if limit <= 0 {
		limit = -1
	}
	if err := eachRow(tx, scanHistory, fn, folderListSQL, k.Folder, k.BatchID, limit); err != nil {
		return fmt.Errorf("read the uploads of folder %s: %w", k.Folder, err)
	}
	return nil
}

// sortNewestFirst sorts entries newest finished first, then newest
// recorded: a folder has a few thousand files, sorted here rather than by
// a sort in the query.
func sortNewestFirst(entries []HistoryEntry) {
	slices.SortFunc(entries, newestFirst)
}

// newestFirst orders entries newest finished first, then newest recorded
// (an entry imported or recorded late can be older than its id says).
func newestFirst(a, b HistoryEntry) int {
	return cmp.Or(b.FinishedAt.Compare(a.FinishedAt), cmp.Compare(b.ID, a.ID))
}

// FoundInFolderPage returns up to limit of the entries of the files the
// folder share k found already uploaded (sent by an earlier upload, see
// folder_members), newest recorded first, before entry beforeID (0: from
// the newest): what a window lists under the share beside its own
// uploads, a page at a time, as a share may have found 100,000.
func (d *DB) FoundInFolderPage(k FolderKey, beforeID int64, limit int) ([]HistoryEntry, error) {
	if beforeID <= 0 {
		beforeID = math.MaxInt64
	}
	out, err := queryAll(d.r, scanHistory, foundPageSQL, k.Folder, k.BatchID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("read the files folder %s found already uploaded: %w", k.Folder, err)
	}
	return out, nil
}

// historyColsOf is historyCols, each column of the table named as.
func historyColsOf(as string) string {
	cols := strings.Split(historyCols, ",")
	for i, c := range cols {
		cols[i] = as + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// NewestFolderShare is the latest share of folder (as added, absolute):
// its Add call that came last (folder_shares), from the moment its
// listing saved its first files, or listed the folder to the end and
// found none to upload (it then holds no file: the folder was empty, or
// every file in it was skipped), not from its first upload; a share made
// before that table by the files it recorded last (see shareRank). It
// returns an error wrapping [ErrNotFound] when no Add call of folder
// listed it, and none of its files was uploaded, or found uploaded, as
// part of it (an Add call whose files were all deleted from the history
// has no row left: see forgetEmptiedShareSQL).
func (d *DB) NewestFolderShare(folder string) (FolderKey, error) {
	var k FolderKey
	err := d.readHistory(func(tx *sql.Tx) error {
		var err error
		k, err = newestFolderShare(tx, folder)
		return err
	})
	return k, err
}

// newestFolderShare is NewestFolderShare, read within tx.
func newestFolderShare(tx *sql.Tx, folder string) (FolderKey, error) {
	ranks := map[string]shareRank{}
	if err := rankFolderShares(tx, folder, ranks); err != nil {
		return FolderKey{}, fmt.Errorf("find the uploads of folder %s: %w", folder, err)
	}
	if len(ranks) == 0 {
		return FolderKey{}, fmt.Errorf("no upload of folder %s: %w", folder, ErrNotFound)
	}
	var newest shareRank
	for _, r := range ranks {
		if r.compare(newest) > 0 {
			newest = r
		}
	}
	return FolderKey{Folder: folder, BatchID: newest.batch}, nil
}

// shareRank places one share of a folder among the others by the
// history's ids, with no clock. A share with a folder_shares row ranks
// 2·added_after+1: its Add call's place (its files were first saved after
// entry added_after was recorded, so after it and before the next), with
// added its row's seq. A share made before that table ranks by what it
// recorded: 2·id for an entry it recorded, 2·seen_after+1 for a file it
// found, its largest; last, among those that found their files at the
// same point, is the newest folder_members row of it. At one rank a share
// with a row is the later (it was made after the others were).
type shareRank struct {
	batch             string
	rank, added, last int64
}

// compare orders r and o as shares of one folder, older first.
func (r shareRank) compare(o shareRank) int {
	return cmp.Or(cmp.Compare(r.rank, o.rank), cmp.Compare(r.added, o.added),
		cmp.Compare(r.last, o.last), cmp.Compare(r.batch, o.batch))
}

// folderSharesSQL lists the Add calls of a folder in folder_shares.
const folderSharesSQL = `SELECT batch_id, added_after, seq FROM folder_shares WHERE added_folder = ?`

// rankFolderShares ranks every share of folder into ranks, by batch:
// those with a file recorded or found, and every Add call of folder_shares
// (which places those of them that have a file recorded or found too).
func rankFolderShares(tx *sql.Tx, folder string, ranks map[string]shareRank) error {
	err := eachRow(tx, func(sc rowScanner) (shareRank, error) {
		var r shareRank
		err := sc.Scan(&r.batch, &r.rank)
		r.rank *= 2
		return r, err
	}, func(r shareRank) error { ranks[r.batch] = r; return nil }, folderBatchesSQL, folder)
	if err != nil {
		return err
	}
	err = eachRow(tx, func(sc rowScanner) (shareRank, error) {
		var r shareRank
		err := sc.Scan(&r.batch, &r.rank, &r.last)
		r.rank = 2*r.rank + 1
		return r, err
	}, func(r shareRank) error {
		r.rank = max(r.rank, ranks[r.batch].rank)
		ranks[r.batch] = r
		return nil
	}, foundBatchesSQL, folder)
	if err != nil {
		return err
	}
	return eachRow(tx, func(sc rowScanner) (shareRank, error) {
		var r shareRank
		err := sc.Scan(&r.batch, &r.rank, &r.added)
		r.rank = 2*r.rank + 1
		return r, err
	}, func(r shareRank) error { ranks[r.batch] = r; return nil }, folderSharesSQL, folder)
}

// waitingUnderSQL counts the jobs of env and account under a folder
// (local_path between its separator and the next byte: the jobs_file
// index) not uploaded yet, of files the Add call ? has no job of (it
// left them to the job already queued; a file it listed itself is in its
// own count: jobs_batch) nor a row of its share (the Add call ? and the
// folder ?) left to that job (counted by FolderLeftOf from the share's
// rows; a row of another folder of the call is that share's).
var waitingUnderSQL = `SELECT count(*) FROM jobs o
	WHERE o.env = ? AND o.account = ? AND o.local_path > ? AND o.local_path < ?
	AND o.state IN (?, ?, ?) AND o.cleared = 0
	AND NOT EXISTS (SELECT 1 FROM jobs s WHERE s.batch_id = ? AND s.local_path = o.local_path)
	AND NOT EXISTS (SELECT 1 FROM folder_members m WHERE ` + leftToSQL("m.job_id", "o.id") + `
		AND +m.batch_id = ? AND +m.added_folder = ?)` // (+: by job_id, not by every row of the share)

// WaitingUnder counts the files under k's folder that other Add calls of
// env and account left waiting in the queue (queued, interrupted, or
// waiting for a sign-in) and that k has no job of. A share of a folder
// added again does not hold them (a file already waiting for the same
// place is not added again), so a list of its links is not the folder's
// whole list while they wait.
func (d *DB) WaitingUnder(k FolderKey, env, account string) (int, error) {
	n, err := waitingUnder(d.r, k, env, account)
	return n, explainDBError(d.path, err)
}

// waitingUnder is WaitingUnder, read with q.
func waitingUnder(q queryer, k FolderKey, env, account string) (int, error) {
	under, next := pathsBelow(k.Folder)
	var n int
	err := q.QueryRow(waitingUnderSQL, env, account, under, next,
		string(JobQueued), string(JobUploading), string(JobWaitingSignIn), k.BatchID, k.BatchID, k.Folder).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count the files of %s still waiting in the queue: %w", k.Folder, err)
	}
	return n, nil
}

// pathsBelow is the range (under, next) of the paths below folder: its
// path with one separator at the end (a root such as / or D:\ has it
// already), and that with the separator's next byte in its place.
func pathsBelow(folder string) (under, next string) {
	sep := string(filepath.Separator)
	under = strings.TrimSuffix(folder, sep) + sep
	return under, strings.TrimSuffix(under, sep) + string(rune(filepath.Separator+1))
}

// shareOwnersSQL lists the environments and accounts of a folder share's
// files: its uploads' and those of the files it found already uploaded.
const shareOwnersSQL = `SELECT env, account FROM history
		WHERE added_folder = ? AND added_folder != '' AND batch_id = ?
	UNION SELECT h.env, h.account FROM folder_members m JOIN history h ON h.id = m.history_id
		WHERE m.added_folder = ? AND m.batch_id = ?`

// FolderLeft is what keeps a folder share from being its folder's whole
// list of links yet: its own files not uploaded (BatchLeft), and, for the
// folder's latest share, the files of the folder that earlier Add calls
// left waiting in the queue (Waiting; see WaitingUnder).
type FolderLeft struct {
	BatchLeft
	// Waiting is how many files of the folder an earlier Add call of the
	// same environment and account still has in the queue, not uploaded,
	// which this share found already queued and left to it.
	Waiting int
	// Unsent is how many files this share left to another Add call's job
	// that no longer waits and did not send them into it: the job failed,
	// was canceled or removed (or an older version recorded its upload).
	Unsent int
	// Dropped is how many of the share's own files it did not upload
	// and will not: canceled, skipped for a reason that is no choice of
	// the app's (the file or folder could not be read, or a passing
	// trouble: not SkipsByDesign; or replaced by another file after
	// the listing), or taken out of the queue before they
	// were uploaded (a failed one removed). Only a later Add call of the
	// folder sends them.
	Dropped int
	// TooDeep is how many of Dropped are folders skipped with everything
	// in them as their folder paths on dStor would be too long
	// (SkipsTooDeep): one row each, however many files they hold.
	TooDeep int
	// UnreadFolders is how many of Dropped are folders the listing could
	// not read (SkipsFolderUnread: permission denied, an I/O error): one
	// row each, for all they held, which no one saw.
	UnreadFolders int
}

// Any reports whether the share is not its folder's whole list yet.
func (l FolderLeft) Any() bool {
	return l.BatchLeft.Any() || l.Waiting > 0 || l.Unsent > 0 || l.Dropped > 0
}

// FolderLeftOf reads what folder share k lacks of its folder, the one
// rule the window and history --folder say "not the whole folder" by.
// Its own files not uploaded count (BatchLeft), and those it will not
// upload: canceled, skipped for a reason that is no choice of the app's,
// or taken out of the queue (Dropped), remembered when their jobs leave
// the list. The files it left to another Add call's job (LeftFile) count
// until that job's upload joins it. Other files waiting from an earlier Add call
// (those a share made before it recorded what it left) count only for
// the folder's latest share: an older share is the folder as its Add call
// found it, and a file a later Add call queued is that share's, not its
// own.
func (d *DB) FolderLeftOf(k FolderKey) (FolderLeft, error) {
	var l FolderLeft
	err := d.readHistory(func(tx *sql.Tx) error {
		var err error
		l, err = folderLeftOf(tx, k)
		return err
	})
	if err != nil {
		return FolderLeft{}, err
	}
	return l, nil
}

// folderLeftOf is FolderLeftOf, read within tx: one snapshot of the
// history, so a listing that saves its last files and ends meanwhile is
// found either still listing or with those files not uploaded, never
// over with them uncounted (a share called whole whose list lacks them).
func folderLeftOf(tx *sql.Tx, k FolderKey) (FolderLeft, error) {
	l, err := shareJobsLeft(tx, k)
	if err != nil {
		return FolderLeft{}, err
	}
	var all int
	err = tx.QueryRow(leftOfShareSQL, string(JobQueued), string(JobUploading), string(JobWaitingSignIn), k.Folder, k.BatchID).
		Scan(&l.Waiting, &all)
	if err != nil {
		return FolderLeft{}, fmt.Errorf("count the files folder %s left to an earlier upload: %w", k.Folder, err)
	}
	l.Unsent = all - l.Waiting
	newest, err := newestFolderShare(tx, k.Folder)
	switch {
	case errors.Is(err, ErrNotFound):
		return l, nil // none of its files recorded: no list to be whole
	case err != nil:
		return FolderLeft{}, err
	case newest != k:
		return l, nil
	}
	var owners [][2]string
	err = eachRow(tx, func(sc rowScanner) ([2]string, error) {
		var o [2]string
		return o, sc.Scan(&o[0], &o[1])
	}, func(o [2]string) error { owners = append(owners, o); return nil },
		shareOwnersSQL, k.Folder, k.BatchID, k.Folder, k.BatchID)
	if err != nil {
		return FolderLeft{}, fmt.Errorf("read who uploaded folder %s: %w", k.Folder, err)
	}
	for _, o := range owners {
		n, err := waitingUnder(tx, k, o[0], o[1])
		if err != nil {
			return FolderLeft{}, err
		}
		l.Waiting += n
	}
	return l, nil
}

// batchLeftSQL counts, in one scan of the rows of one Add call's folder
// (jobs of files found in that folder, beneath it, as their uploads'
// added_folder; not of other paths named in the same call), the jobs in
// the queue not uploaded yet (queued, interrupted or waiting for a
// sign-in), those that failed, and those whose file the share lacks for
// good (droppedRowSQL: canceled, skipped, or taken out of the queue),
// and of those the folders skipped as too deep (SkipsTooDeep) and the
// folders it could not read (SkipsFolderUnread).
var batchLeftSQL = `SELECT coalesce(sum(cleared = 0 AND state IN (?, ?, ?)), 0), coalesce(sum(cleared = 0 AND state = ?), 0),
	coalesce(sum(` + droppedRowSQL + `), 0),
	coalesce(sum(` + droppedRowSQL + ` AND jobs.reason IN (` + quotedList(SkipsTooDeep) + `)), 0),
	coalesce(sum(` + droppedRowSQL + ` AND jobs.reason IN (` + quotedList(SkipsFolderUnread) + `)), 0)
	FROM jobs WHERE batch_id = ? AND beneath = ?`

// sameCallLeftSQL counts as batchLeftSQL does the files of a share that
// its listing left to a job of the same Add call another of its paths
// listed (a LeftFile of a job of its call) and not recorded yet:
// waiting, failed, or not uploaded for good (taken out of the queue,
// canceled or skipped); not those the share has a job of its own of
// (counted by batchLeftSQL).
var sameCallLeftSQL = `SELECT coalesce(sum(jobs.cleared = 0 AND jobs.state IN (?, ?, ?)), 0),
	coalesce(sum(jobs.cleared = 0 AND jobs.state = ?), 0),
	coalesce(sum((jobs.cleared = 1 OR jobs.state IN ('` + string(JobCanceled) + `', '` + string(JobSkipped) + `')) AND ` + notUploadedSQL + `), 0)
	FROM folder_members m JOIN jobs ON jobs.id = substr(m.job_id, 1, instr(m.job_id, '/') - 1)
	WHERE m.added_folder = ? AND m.batch_id = ? AND m.history_id = 0 AND jobs.batch_id = m.batch_id
	AND NOT EXISTS (SELECT 1 FROM jobs s WHERE s.batch_id = m.batch_id AND s.local_path = jobs.local_path AND s.beneath = m.added_folder)`

// shareCutSQL reads why the listing of a share was cut short (0: it
// was not, or not yet).
const shareCutSQL = `SELECT coalesce((SELECT max(listing_end, 0) FROM folder_shares WHERE added_folder = ? AND batch_id = ?), 0)`

// ListingCut is why the listing of a folder share ended before it listed
// the folder (folder_shares.listing_end): the files it did not list have
// no job, and only a later Add call of the folder sends them.
type ListingCut int

// The reasons a listing is cut short, as folder_shares.listing_end holds
// them (CutStopped is 1, as folder_shares.stopped was).
const (
	// NotCut: listed to its end, still listing, or not listed yet.
	NotCut ListingCut = iota
	// CutStopped: Stop everything (Cancel all) while it was listed, or
	// before.
	CutStopped
	// CutFolderGone: no folder at its path when it was to be listed
	// (removed, moved or renamed since it was added).
	CutFolderGone
	// CutNotAFolder: a file (or something else) in its place when it was
	// to be listed.
	CutNotAFolder
	// CutUnreadable: the system did not let the folder be looked at when
	// it was to be listed (a folder above it denied, say).
	CutUnreadable
	// CutOwnData: it was the app's own data folder, never uploaded.
	CutOwnData
	// CutLedElsewhere: the path by which it was added led to another folder
	// when it was to be listed (a symbolic link on it pointed elsewhere
	// since): that folder was listed as a share of its own.
	CutLedElsewhere
)

// cutStoppedSQL is CutStopped as SQL text.
const cutStoppedSQL = "1"

// BatchLeft is what one Add call has not uploaded of a folder (a folder
// share's own files).
type BatchLeft struct {
	// Pending is how many of its files are still to upload: queued,
	// interrupted, or waiting for a sign-in.
	Pending int
	// Failed is how many failed (until retried or removed).
	Failed int
	// Listing is whether a folder of it is still being listed.
	Listing bool
	// Cut is why the listing of the folder ended before it listed the
	// whole folder (Stop everything, or its folder not there when it was
	// to be listed), NotCut when it did not.
	Cut ListingCut
}

// Any reports whether anything of the batch is not uploaded.
func (b BatchLeft) Any() bool { return b.Pending > 0 || b.Failed > 0 || b.Listing || b.Cut != NotCut }

// BatchLeftOf reads what the Add call k.BatchID has not uploaded of the
// folder k.Folder, so a list of that folder share's links can say it is
// not the whole folder yet (the upload still runs in another process, or
// was interrupted, or failed files). Another file or folder named in the
// same call is not the folder's: its failure does not keep the share from
// being whole. Listing is any walk of the call still saved (one saved by
// a window before a sign-in too): a walk is saved under the path as
// added, which may be a link to the folder. Cut is why the share's
// listing ended before the folder's end, if it did (CutWalks).
func (d *DB) BatchLeftOf(k FolderKey) (BatchLeft, error) {
	var b BatchLeft
	err := d.readHistory(func(tx *sql.Tx) error {
		l, err := shareJobsLeft(tx, k)
		b = l.BatchLeft
		return err
	})
	return b, err
}

// afterJobsCounted, when set (by a test), runs once shareJobsLeft has
// counted a share's own jobs, before it reads the rest.
var afterJobsCounted func()

// shareJobsLeft is what of FolderLeft the share's jobs tell: BatchLeftOf,
// read with q, with the number of the share's files it lacks for good
// (Dropped) counted in the same scans: its own jobs, and the jobs of its
// call it left files to (sameCallLeftSQL); and of those, its folders
// skipped as too deep (TooDeep) and its folders it could not read
// (UnreadFolders), which are its own jobs.
func shareJobsLeft(q queryer, k FolderKey) (FolderLeft, error) {
	var l FolderLeft
	b := &l.BatchLeft
	var same BatchLeft
	var sameDropped int
	states := []any{string(JobQueued), string(JobUploading), string(JobWaitingSignIn), string(JobFailed)}
	err := q.QueryRow(batchLeftSQL, append(states, k.BatchID, k.Folder)...).Scan(&b.Pending, &b.Failed, &l.Dropped, &l.TooDeep, &l.UnreadFolders)
	if err == nil && afterJobsCounted != nil {
		afterJobsCounted()
	}
	if err == nil {
		err = q.QueryRow(sameCallLeftSQL, append(states, k.Folder, k.BatchID)...).Scan(&same.Pending, &same.Failed, &sameDropped)
	}
	if err == nil {
		err = q.QueryRow(`SELECT EXISTS (SELECT 1 FROM walks WHERE batch_id = ?)`, k.BatchID).Scan(&b.Listing)
	}
	if err == nil {
		err = q.QueryRow(shareCutSQL, k.Folder, k.BatchID).Scan(&b.Cut)
	}
	if err != nil {
		return FolderLeft{}, fmt.Errorf("count what an upload has left: %w", err)
	}
	b.Pending, b.Failed = b.Pending+same.Pending, b.Failed+same.Failed
	l.Dropped += sameDropped
	return l, nil
}
