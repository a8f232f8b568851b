package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"
)

// CarriedOver counts what [DB.CloseCarryingOver] wrote into the database
// at the path.
type CarriedOver struct {
	// Uploads is how many of the uploads given are in the history there
	// now (recorded now, or found there).
	Uploads int
	// Jobs is how many jobs not uploaded (queued, interrupted, waiting
	// for sign-in or failed) were put in the queue there.
	Jobs int
	// Walks is how many added files and folders not listed completely
	// (and of those given, added once the file was gone) were saved
	// there, for the next start to list.
	Walks int
}

// carriedStates are the jobs CloseCarryingOver puts in the queue at the
// path: those whose file is not uploaded (a done job's upload is in the
// history the file took away; a canceled, skipped or already uploaded one
// is not to be sent).
var carriedStates = []JobState{JobQueued, JobUploading, JobWaitingSignIn, JobFailed}

// CloseCarryingOver closes d and, when d's file was deleted or another
// file put in its place while it was open (CheckFile), writes into the
// database now at its path (a new, empty one where nothing is; the file
// put there otherwise, if it opens as a database of this app) what d held
// that no history at the path has: the uploads in done, which could not
// be recorded (each job done with its history entry, once per job id), the
// jobs of d's queue not uploaded, the jobs of files folder shares lack
// (canceled, unreadable or taken out of the queue: FolderLeft.Dropped,
// cleared as they were), the added files and folders not listed
// completely, and those in added (added once the file was gone, so never
// saved in d). The next start then shows those uploads in its
// history and goes on with the rest. Rows the database at the path has
// already (by id) are left as they are. With d's file still at its path it
// saves added in d and closes it.
//
// When that fails, what was to be written is saved in a file of the data
// folder for the next start (CarryUnrecorded), and the error is a
// *NotCarriedError that names it (or, when even that file could not be
// written, why not).
//
// d is closed first, so that its WAL goes into the file it opened and
// never to the one at the path (see emptyWALOfAGoneFile); d's rows are read
// before, through its writing connection, which holds the file it opened
// (a new reading connection would open the one at the path).
func (d *DB) CloseCarryingOver(done []JobFinish, added []WalkRow) (CarriedOver, error) {
	gone := d.CheckFile()
	if gone == nil {
		err := d.InsertWalks(added)
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return CarriedOver{}, d.notCarried(nil, carried{walks: added}, nil, err)
		}
		return CarriedOver{Walks: len(added)}, nil
	}
	c := carried{walks: added}
	n, err := d.closeCarryingOverGone(&c, done)
	if err != nil {
		return CarriedOver{}, d.notCarried(gone, c, done, err)
	}
	return n, nil
}

// closeCarryingOverGone is CloseCarryingOver of a d whose file went: c
// holds added, and gets what d's queue holds not uploaded once read.
func (d *DB) closeCarryingOverGone(c *carried, done []JobFinish) (CarriedOver, error) {
	if d.rowsAtThePath() {
		return d.closeCarryingOverFrom(*c, done)
	}
	states, args, err := statesClause(carriedStates)
	if err != nil {
		_ = d.Close()
		return CarriedOver{}, err
	}
	jobs, err := queryAll(d.w, scanJob, "SELECT "+jobSelect+" FROM jobs WHERE cleared = 0 AND "+states+" ORDER BY seq", args...)
	if err != nil {
		_ = d.Close()
		return CarriedOver{}, fmt.Errorf("read the queue of %s: %w", d.path, err)
	}
	dropped, err := queryAll(d.w, scanJob, "SELECT "+jobSelect+" FROM jobs WHERE "+droppedRowSQL+" ORDER BY seq")
	if err != nil {
		_ = d.Close()
		return CarriedOver{}, fmt.Errorf("read the files folder uploads did not upload of %s: %w", d.path, err)
	}
	walks, err := queryAll(d.w, scanWalk, "SELECT "+walkCols+" FROM walks ORDER BY seq")
	if err != nil {
		_ = d.Close()
		return CarriedOver{}, fmt.Errorf("read the folders being listed of %s: %w", d.path, err)
	}
	c.walks = append(walks, c.walks...)
	c.jobs = jobs
	shares, err := cutSharesOf(d, jobs, done)
	if err != nil {
		_ = d.Close()
		return CarriedOver{}, fmt.Errorf("read the folder uploads of %s: %w", d.path, err)
	}
	c.dropped, c.ended = dropped, shares
	return d.closeCarryingOverFrom(*c, done)
}

// rowsAtThePath reports whether what d recorded is in the history at the
// path already, so is not to be read through d: its -shm was deleted or
// replaced, but the file and the -wal at the path are the ones d opened;
// d's commits are in that -wal (or moved into the file by a process
// started since), which the next open reads whole. d's index of the -wal
// no longer tells what is in it: a process started since may have written
// it again from its first frame, and a read through it fails ("malformed",
// "not a database") or misses rows.
func (d *DB) rowsAtThePath() bool {
	var gone *ReplacedError
	if !errors.As(d.CheckFile(), &gone) || !gone.SharedMemory || !d.walKnown {
		return false
	}
	same, err := d.file.isAt(d.path)
	if err != nil || !same {
		return false
	}
	same, err = d.wal.isAt(d.realPath + "-wal")
	return err == nil && same
}

// closeCarryingOverFrom closes d and writes c and done into the history at
// d's path (CloseCarryingOver).
func (d *DB) closeCarryingOverFrom(c carried, done []JobFinish) (CarriedOver, error) {
	if err := d.Close(); err != nil {
		// Its WAL may still be at the path: opening that file would apply it.
		return CarriedOver{}, err
	}
	at, err := Open(filepath.Dir(d.path))
	if err != nil {
		return CarriedOver{}, err
	}
	var n CarriedOver
	err = at.withTx("carry the uploads and the queue over", func(tx *sql.Tx) error {
		n = CarriedOver{}
		return carryOver(tx, c, done, &n)
	})
	if cerr := at.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return CarriedOver{}, fmt.Errorf("write the uploads not recorded and the queue into %s: %w", at.path, err)
	}
	return n, nil
}

// carried is what CloseCarryingOver reads from the database it closes.
type carried struct {
	jobs    []JobRow     // not uploaded (carriedStates), in the queue
	dropped []JobRow     // of files their folder shares lack (droppedRowSQL)
	walks   []WalkRow    // not listed completely
	ended   []endedShare // folder shares whose listing's end is known
}

// carryOver writes c's walks (with their folder shares), the folder
// shares whose listing ended with how it ended, jobs and dropped jobs,
// and done in tx, leaving out the ids
// there already, and counts what it wrote in n (a dropped job is not put
// in the queue: it only keeps its share from being whole).
func carryOver(tx *sql.Tx, c carried, done []JobFinish, n *CarriedOver) error {
	walks := c.walks
	for i := range walks {
		if walks[i].CreatedAt.IsZero() {
			walks[i].CreatedAt = time.Now()
		}
	}
	if err := insertWalksTx(tx, insertWalkSQL+` ON CONFLICT (id) DO NOTHING`, walks, &n.Walks); err != nil {
		return err
	}
	if err := carryShares(tx, c.ended); err != nil {
		return err
	}

	job, err := tx.Prepare(`INSERT INTO jobs (` + jobCols + `)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
	if err != nil {
		return err
	}
	defer func() { _ = job.Close() }()
	insert := func(r JobRow) (int64, error) {
		res, err := job.Exec(r.ID, r.BatchID, r.Env, r.Account, r.LocalPath, r.Name, r.Size,
			r.FolderPath, nullInt(r.ParentID), r.Comment, string(r.State), r.Attempts, r.Error,
			r.Hash, r.Verified, nanos(r.CreatedAt), nanos(r.UpdatedAt), r.Beneath, r.FileID, r.ExpectSHA256, r.Reported,
			r.Reason, r.ReasonArg)
		if err != nil {
			return 0, fmt.Errorf("job %s: %w", r.ID, err)
		}
		return affected(res), nil
	}
	recorded := make(map[string]bool, len(done))
	for _, f := range done {
		recorded[f.Row.ID] = true
	}
	for _, r := range c.jobs {
		if recorded[r.ID] {
			continue // its finish below writes it
		}
		added, err := insert(r)
		if err != nil {
			return err
		}
		n.Jobs += int(added)
	}
	if err := carryDropped(tx, insert, c.dropped); err != nil {
		return err
	}

	fin, err := tx.Prepare(finishJobSQL)
	if err != nil {
		return err
	}
	defer func() { _ = fin.Close() }()
	hist, err := tx.Prepare(recordHistorySQL)
	if err != nil {
		return err
	}
	defer func() { _ = hist.Close() }()
	dropFound, err := tx.Prepare(dropFoundOfJobSQL)
	if err != nil {
		return err
	}
	defer func() { _ = dropFound.Close() }()
	joinLeft, err := tx.Prepare(joinLeftSQL)
	if err != nil {
		return err
	}
	defer func() { _ = joinLeft.Close() }()
	supersedeLeft, err := tx.Prepare(supersedeLeftSQL)
	if err != nil {
		return err
	}
	defer func() { _ = supersedeLeft.Close() }()
	shares := shareStmts{dropFound: dropFound, joinLeft: joinLeft, supersedeLeft: supersedeLeft}
	now := time.Now().UnixNano()
	for _, f := range done {
		if f.Row.ID == "" || f.History.JobID != "" && f.History.JobID != f.Row.ID {
			return invalidArg("job id", fmt.Sprintf("%q (history %q)", f.Row.ID, f.History.JobID))
		}
		row := f.Row
		row.State = JobUploading // finished below, as the queue finishes an upload
		if row.CreatedAt.IsZero() {
			row.CreatedAt = time.Now()
		}
		if row.UpdatedAt.IsZero() {
			row.UpdatedAt = row.CreatedAt
		}
		if _, err := insert(row); err != nil {
			return err
		}
		f.History.JobID = f.Row.ID
		if err := finishJobTx(tx, fin, hist, shares, f, now); err != nil {
			return fmt.Errorf("finish job %s: %w", f.Row.ID, err)
		}
		n.Uploads++
	}
	return nil
}

// carryDropped writes in tx, through insert, the jobs of files their
// folder shares lack, cleared as they were (out of the list), so a share
// carried over is not called its folder's whole list without them.
func carryDropped(tx *sql.Tx, insert func(JobRow) (int64, error), dropped []JobRow) error {
	for _, r := range dropped {
		added, err := insert(r)
		if err != nil {
			return err
		}
		if added == 0 || !r.Cleared {
			continue
		}
		if _, err := tx.Exec(`UPDATE jobs SET cleared = 1 WHERE id = ?`, r.ID); err != nil {
			return fmt.Errorf("job %s: %w", r.ID, err)
		}
	}
	return nil
}

// endedShare is a folder share and how its listing ended
// (folder_shares.listing_end).
type endedShare struct {
	FolderKey
	end int
}

// cutSharesOf reads, through d's writing connection, the folder shares
// of the Add calls of jobs and done whose listing's end is known (cut
// short, CutWalks): carried over, their files are still not the
// folder's whole list.
func cutSharesOf(d *DB, jobs []JobRow, done []JobFinish) ([]endedShare, error) {
	batches := map[string]bool{}
	for _, j := range jobs {
		batches[j.BatchID] = true
	}
	for _, f := range done {
		batches[f.Row.BatchID] = true
	}
	ended, err := queryAll(d.w, func(sc rowScanner) (endedShare, error) {
		var s endedShare
		return s, sc.Scan(&s.Folder, &s.BatchID, &s.end)
	}, `SELECT added_folder, batch_id, listing_end FROM folder_shares WHERE listing_end != 0`)
	return slices.DeleteFunc(ended, func(s endedShare) bool { return !batches[s.BatchID] }), err
}

// carryShares records in tx the folder shares ended, with how they ended.
func carryShares(tx *sql.Tx, ended []endedShare) error {
	keys := make([]FolderKey, len(ended))
	for i, s := range ended {
		keys[i] = s.FolderKey
	}
	if err := insertShares(tx, nil, nil, keys); err != nil {
		return err
	}
	for _, s := range ended {
		if _, err := tx.Exec(`UPDATE folder_shares SET listing_end = ? WHERE added_folder = ? AND batch_id = ?`, s.end, s.Folder, s.BatchID); err != nil {
			return fmt.Errorf("record how the listing of folder %s ended: %w", s.Folder, err)
		}
	}
	return nil
}

// affected is how many rows res changed (0 when the driver cannot say).
func affected(res sql.Result) int64 {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return n
}
