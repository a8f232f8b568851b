package storage

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

// HistoryEntry is one finished upload, kept so the person can find a file's
// hash and link again later, search them, and export them.
type HistoryEntry struct {
	// ID is the row id, assigned by the database; newer rows have larger ids.
	ID int64 `json:"id"`
	// JobID is the queue job that produced this entry. It is the idempotency
	// key: a job is recorded at most once. Empty means "not from a job".
	JobID string `json:"job_id"`
	// Env is the dStor environment (production, testnet or a base URL).
	Env string `json:"env"`
	// Account is the account name (email) the file was uploaded as.
	Account string `json:"account"`
	// LocalPath is where the file was on this machine.
	LocalPath string `json:"local_path"`
	// Name is the file's name as sent: the local name (see api.RemoteName),
	// never one a server chose.
	Name string `json:"name"`
	// ServerName is the name dStor's answer gave the file when it differed
	// from Name, inert (each control or formatting character escaped where
	// it stands, its spaces kept); empty otherwise. It is server text, kept
	// apart so it can never pass for the local name.
	// Shown to the person only when NamedOtherwise.
	ServerName string `json:"server_name,omitempty"`
	// Size is the file size in bytes.
	Size int64 `json:"size"`
	// Hash is the IPFS CID dStor returned.
	Hash string `json:"hash"`
	// Verified is true when Hash equals the CID computed locally.
	Verified bool `json:"verified"`
	// FolderPath is the destination folder path on dStor, if one was used.
	FolderPath string `json:"folder_path"`
	// ParentID is the destination folder id on dStor, if one was used.
	ParentID *int64 `json:"parent_id"`
	// Comment is the comment sent with the upload.
	Comment string `json:"comment"`
	// StartedAt is when the first attempt started.
	StartedAt time.Time `json:"started_at"`
	// FinishedAt is when the upload completed; zero means "now" on insert.
	FinishedAt time.Time `json:"finished_at"`
	// Attempts is how many attempts the upload took.
	Attempts int `json:"attempts"`
	// File is the local file's identity when it was sent (see FileVersion),
	// so the same file added again is found as already uploaded
	// (DB.FindUploaded). It is written, not read back by the listing
	// queries, and never exported: an inode means nothing elsewhere.
	File FileVersion `json:"-"`
	// SHA256 is the SHA-256 of the file as it was sent (lowercase hex),
	// for checking a copy with sha256sum; empty for entries recorded
	// before receipts existed.
	SHA256 string `json:"sha256"`
	// Live is the last check that the entry's gateway link serves the
	// file; zero when it was never checked.
	Live LiveCheck `json:"live"`
	// AddedFolder is the folder the person added that the file was found
	// in (absolute), empty for a file added on its own: the files of one
	// added folder share its links together (see FolderKey).
	AddedFolder string `json:"added_folder,omitempty"`
	// BatchID is the Add call the file came with, so two uploads of the
	// same folder stay two shares.
	BatchID string `json:"batch_id,omitempty"`
}

// NamedOtherwise reports whether dStor's answer named the file otherwise
// as a person reads the name, for the window's row and `history`'s line
// to say so: ServerName is set and is not Name in another Unicode form (a
// Mac's decomposed "café.txt" answered composed), which any screen draws
// the same, so "dStor named it "café.txt"" would be a rename no one can
// see. ServerName keeps what dStor answered, not normalized, either way
// (the JSON and CSV exports give it). It is escaped as inert.Literal
// escapes a name (api.UploadResult.ServerName), and Name is compared so.
// Versions before it escaped it as inert.Line does, which differs only
// for a name with a backslash that reads as an escape: Name in that form
// is not taken too, since a row stored now for the six characters \u202e
// sent and U+202E answered holds that very form. Such an older row is
// said renamed, also when dStor answered the name in another Unicode
// form: the text stored cannot tell the two apart.
func (e HistoryEntry) NamedOtherwise() bool {
	return e.ServerName != "" && norm.NFC.String(e.ServerName) != norm.NFC.String(inert.Literal(e.Name))
}

// LiveCheck is what one check of a link found (see DB.SetLive).
type LiveCheck struct {
	// At is when the link was checked; zero means never.
	At time.Time `json:"checked_at,omitzero"`
	// Took is how long the gateway took to serve the first bytes.
	Took time.Duration `json:"took_ns,omitempty"`
	// Error says why the link did not serve the file; empty when it did.
	Error string `json:"error,omitempty"`
}

// Served reports a check that found the link serving the file.
func (l LiveCheck) Served() bool { return !l.At.IsZero() && l.Error == "" }

// DefaultPageSize is the page length used when [HistoryQuery.Limit] is not
// set, sized for one screen of the history list.
const DefaultPageSize = 50

// HistoryQuery selects one page of history, newest first. Use Offset for
// simple paging or, for long lists, keyset paging: pass the last entry of the
// previous page as BeforeID (and BeforeFinishedAt) so each page costs the
// same however deep it is.
type HistoryQuery struct {
	// Search, when not blank, keeps entries whose name, hash, comment or
	// folder path contains it, ignoring case. It is a plain substring:
	// '%', '_', '*' and quotes have no special meaning. A search of three
	// characters or more uses the trigram index and lists the entries
	// newest recorded first (by ID); without a search, or with a shorter
	// one, entries come newest finished first (FinishedAt, then ID). The app
	// records an entry when its upload finishes, so both orders agree.
	Search string
	// Limit is the page length; ≤ 0 means DefaultPageSize.
	Limit int
	// Offset skips that many matching entries (after the keyset cursor).
	Offset int
	// BeforeID, when > 0, returns only entries older than that entry in
	// the page's order (keyset paging).
	BeforeID int64
	// BeforeFinishedAt is the FinishedAt of the BeforeID entry. When zero it
	// is looked up, which fails with ErrNotFound if that entry was deleted
	// since; setting it makes the cursor survive deletes. An indexed search
	// pages by ID alone and ignores it.
	BeforeFinishedAt time.Time
	// MaxScan, when > 0, bounds a search of one or two characters (which no
	// index can answer, see ShortSearch) to that many entries after the
	// cursor, so that a window answers each keystroke in bounded time; the
	// next page goes on from the last entry returned. 0 reads as far as
	// needed, as the command line and exports do.
	MaxScan int
}

// historyCols is the SELECT list matching scanHistory.
const historyCols = `id, job_id, env, account, local_path, name, size, hash, verified,
	folder_path, parent_id, comment, started_at, finished_at, attempts, server_name, sha256, live_at, live_ms, live_error,
	added_folder, batch_id`

// searchSep joins the searchable fields so a search cannot match across the
// boundary of two fields.
const searchSep = "\x1f"

// searchText is what a search scans: the searchable fields, each folded
// (foldSearch). It is computed in Go because SQLite's lower() folds ASCII
// only.
func searchText(name, hash, comment, folderPath string) string {
	return foldSearch(name) + searchSep + foldSearch(hash) + searchSep + foldSearch(comment) + searchSep + foldSearch(folderPath)
}

const insertHistorySQL = recordHistorySQL + `
	RETURNING id`

// recordHistorySQL is insertHistorySQL without the new id, for the queue's
// finished uploads, which need none: it runs with Exec, with no result row
// to read and close for each file.
//
// OR FAIL, not SQLite's default ABORT: a statement that may abort after
// writing (this one fires the count trigger) copies every page it first
// touches into a statement journal, to undo only itself, which was about
// 40 % of the insert's cost. With FAIL no journal is kept and nothing
// changes: the row's constraints are checked before any of it is written,
// and every caller abandons the whole transaction when the insert fails
// (runTx rolls it back; TestHistoryInsertFailingLeavesNothing).
const recordHistorySQL = `INSERT OR FAIL INTO history (job_id, env, account, local_path, name, size, hash,
	verified, folder_path, parent_id, comment, started_at, finished_at, attempts, search_text, server_name,
	file_mtime, file_ctime, file_id, sha256, added_folder, batch_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (job_id) DO NOTHING`

func historyArgs(e HistoryEntry) []any {
	var jobID any
	if e.JobID != "" {
		jobID = e.JobID // NULL otherwise: entries without a job are never merged
	}
	finished := e.FinishedAt
	if finished.IsZero() {
		finished = time.Now()
	}
	return []any{jobID, e.Env, e.Account, e.LocalPath, e.Name, e.Size, e.Hash,
		e.Verified, e.FolderPath, nullInt(e.ParentID), e.Comment,
		nanos(e.StartedAt), nanos(finished), e.Attempts,
		searchText(e.Name, e.Hash, e.Comment, e.FolderPath), e.ServerName,
		nanos(e.File.ModTime), nanos(e.File.ChangeTime), e.File.ID, e.SHA256,
		e.AddedFolder, e.BatchID}
}

// The history's one-row statements, named for TestHotPathQueryPlans.
const (
	historyOfJobSQL = `SELECT id FROM history WHERE job_id = ?`
	historyByIDSQL  = "SELECT " + historyCols + " FROM history WHERE id = ?"
)

type execQueryer interface {
	QueryRow(query string, args ...any) *sql.Row
}

// addHistory inserts e unless its JobID is already recorded, returning the
// new or the existing id.
func addHistory(q execQueryer, e HistoryEntry) (int64, error) {
	var id int64
	err := q.QueryRow(insertHistorySQL, historyArgs(e)...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) && e.JobID != "" {
		err = q.QueryRow(historyOfJobSQL, e.JobID).Scan(&id)
	}
	if err != nil {
		return 0, err
	}
	return id, nil
}

// AddHistory records a finished upload and returns its id. It is idempotent
// by JobID: when an entry with the same JobID exists, nothing is written and
// the existing id is returned, so a retried "finish" can never double a row.
// A zero FinishedAt is recorded as now.
func (d *DB) AddHistory(e HistoryEntry) (int64, error) {
	var id int64
	err := d.withTx("add history entry", func(tx *sql.Tx) error {
		var err error
		id, err = addHistory(tx, e)
		return err
	})
	d.noteHistoryWritten()
	return id, err
}

// insertHistoryBatch adds many entries in one transaction with one prepared
// statement. It backs the benchmarks and imports; entries are not merged by
// JobID beyond the usual ON CONFLICT DO NOTHING.
func (d *DB) insertHistoryBatch(entries []HistoryEntry) error {
	defer d.noteHistoryWritten()
	return d.withTx("add history entries", func(tx *sql.Tx) error {
		st, err := tx.Prepare(insertHistorySQL)
		if err != nil {
			return err
		}
		defer func() { _ = st.Close() }()
		for i, e := range entries {
			var id int64
			if err := st.QueryRow(historyArgs(e)...).Scan(&id); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("entry %d: %w", i, err)
			}
		}
		return nil
	})
}

func scanHistory(sc rowScanner) (HistoryEntry, error) {
	var liveAt, liveMS int64
	var e HistoryEntry
	var jobID sql.NullString
	var parent sql.NullInt64
	var started, finished int64
	err := sc.Scan(&e.ID, &jobID, &e.Env, &e.Account, &e.LocalPath, &e.Name, &e.Size, &e.Hash,
		&e.Verified, &e.FolderPath, &parent, &e.Comment, &started, &finished, &e.Attempts, &e.ServerName, &e.SHA256, &liveAt, &liveMS, &e.Live.Error,
		&e.AddedFolder, &e.BatchID)
	if err != nil {
		return HistoryEntry{}, err
	}
	e.JobID = jobID.String
	e.ParentID = ptrInt(parent)
	e.StartedAt = fromNanos(started)
	e.FinishedAt = fromNanos(finished)
	e.Live.At, e.Live.Took = fromNanos(liveAt), time.Duration(liveMS)*time.Millisecond
	return e, nil
}

// HistoryByID returns one history entry by id, or an error wrapping
// [ErrNotFound]; the UI uses it to refresh a single row.
func (d *DB) HistoryByID(id int64) (HistoryEntry, error) {
	return queryOne(d.r, scanHistory, fmt.Sprintf("history entry %d", id), historyByIDSQL, id)
}

const setLiveSQL = `UPDATE history SET live_at = ?, live_ms = ?, live_error = ? WHERE id = ?`
const setLiveOfJobSQL = `UPDATE history SET live_at = ?, live_ms = ?, live_error = ? WHERE job_id = ?`

// SetLive records a check of entry id's link; a missing entry (deleted
// meanwhile) is not an error.
func (d *DB) SetLive(id int64, c LiveCheck) error {
	return d.withTx(fmt.Sprintf("record the live check of entry %d", id), func(tx *sql.Tx) error {
		_, err := tx.Exec(setLiveSQL, nanos(c.At), c.Took.Milliseconds(), c.Error, id)
		return err
	})
}

// JobLive is a check of the link of the history entry a job made.
type JobLive struct {
	JobID string
	Check LiveCheck
}

// SetLiveOfJobs records checks of the links of the entries jobs made, all
// in one transaction; a job without an entry (deleted meanwhile) is
// skipped.
func (d *DB) SetLiveOfJobs(checks []JobLive) error {
	if len(checks) == 0 {
		return nil
	}
	st, err := d.writeStmt(setLiveOfJobSQL)
	if err != nil {
		return err
	}
	return d.withTx(fmt.Sprintf("record %d live checks", len(checks)), func(tx *sql.Tx) error {
		up := tx.Stmt(st)
		for _, l := range checks {
			c := l.Check
			if _, err := up.Exec(nanos(c.At), c.Took.Milliseconds(), c.Error, l.JobID); err != nil {
				return err
			}
		}
		return nil
	})
}

// HistoryOfContent returns the entries whose hash is one of cids (the
// forms one content's CID can take), newest first: the uploads a file with
// that content matches.
func (d *DB) HistoryOfContent(cids ...string) ([]HistoryEntry, error) {
	if len(cids) == 0 {
		return nil, nil
	}
	args := make([]any, len(cids))
	for i, c := range cids {
		args[i] = c
	}
	out, err := queryAll(d.r, scanHistory, historyOfContentSQL(len(cids)), args...)
	if err != nil {
		return nil, fmt.Errorf("find uploads of %s: %w", cids[0], err)
	}
	// A content has a handful of uploads: sorted here, not by a sort in
	// the query.
	slices.SortFunc(out, newestFirst)
	return out, nil
}

// historyOfContentSQL reads the entries whose hash is one of n values
// (through history_hash).
func historyOfContentSQL(n int) string {
	return "SELECT " + historyCols + " FROM history WHERE hash IN (?" + strings.Repeat(", ?", n-1) + ")"
}

// DeleteHistory removes one entry, or returns an error wrapping
// [ErrNotFound] when there is no entry with that id.
func (d *DB) DeleteHistory(id int64) error {
	return d.withTx(fmt.Sprintf("delete history entry %d", id), func(tx *sql.Tx) error {
		n, err := deleteEntries(tx, []int64{id})
		if err == nil && n == 0 {
			err = ErrNotFound
		}
		return err
	})
}

// DeleteHistoryIDs removes the entries with these ids (the window's
// "Delete selected") and returns how many there were; ids no longer
// there are skipped. Only the list forgets them: the files stay on dStor.
// It deletes them newest id first, deleteBatch a transaction, and leaves
// the history free between two (upkeepPause) so that another process
// (a command on the same data folder) opens it or writes to it meanwhile:
// at a million entries one transaction of 10,000 held it 12 s, past the
// 2 s a command waits to open it. A batch is deleted whole or not at all
// (its shares with it, deleteEntries), so a kill or an error leaves the
// batches before it deleted and the rest of the selection in the list; the
// count returned with an error is what was deleted. When ctx is done (a
// quit, or Stop in the window) it stops between two batches, with ctx's
// error.
func (d *DB) DeleteHistoryIDs(ctx context.Context, ids []int64) (int, error) {
	return d.DeleteHistoryIDsShowing(ctx, ids, nil)
}

// DeleteHistoryIDsShowing is DeleteHistoryIDs calling progress (when not
// nil) after each batch is committed, with the entries deleted so far and
// how many ids there are to delete (each once), so the window can say how
// far a delete of minutes (100,000 entries of a million) has got. progress
// runs on the caller's goroutine, between two batches, with the history
// free: a ctx canceled in it stops the delete before the next batch.
func (d *DB) DeleteHistoryIDsShowing(ctx context.Context, ids []int64, progress func(deleted, total int)) (int, error) {
	batches := deleteBatches(ids)
	total := 0
	for _, b := range batches {
		total += len(b)
	}
	n := 0
	for i, batch := range batches {
		began := time.Now()
		var k int
		err := d.withTx(fmt.Sprintf("delete %d history entries", len(batch)), func(tx *sql.Tx) error {
			var err error
			k, err = deleteEntries(tx, batch)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("delete history entries (batch %d of %d, %d entries deleted before it): %w", i+1, len(batches), n, err)
		}
		n += k
		if afterDeleteBatch != nil {
			afterDeleteBatch(n, time.Since(began))
		}
		if progress != nil {
			progress(n, total)
		}
		if i == len(batches)-1 {
			break
		}
		stopped := ctx.Err()
		if stopped == nil {
			t := time.NewTimer(upkeepPause(time.Since(began)))
			select {
			case <-ctx.Done():
				t.Stop()
				stopped = ctx.Err()
			case <-t.C:
			}
		}
		if stopped != nil {
			return n, fmt.Errorf("delete history entries (stopped after batch %d of %d, %d entries deleted): %w", i+1, len(batches), n, stopped)
		}
	}
	return n, nil
}

// deleteBatch is how many entries DeleteHistoryIDs deletes in one
// transaction: at a million entries (TestDeleteSelectedTimes1M, load
// average 7-20 on 2 cores) a batch of 250 took 0.1-0.5 s (median) and
// 1.6 s at most (when FTS5 merged its segments), under the 2 s a command
// waits to open the history (openBusyTimeout).
// Fewer a batch cost more in all: one flush of the index, and its merge
// work, each. A variable: tests make it small.
var deleteBatch = 250

// afterDeleteBatch, when a test sets it, runs after each batch of
// DeleteHistoryIDs is committed, with the entries deleted so far and how
// long the batch's transaction took.
var afterDeleteBatch func(deleted int, took time.Duration)

// deleteBatches is ids, each once, newest (highest) first, cut into
// batches of deleteBatch: the entries at the top of the list go first.
func deleteBatches(ids []int64) [][]int64 {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	slices.Reverse(sorted)
	return slices.Collect(slices.Chunk(sorted, deleteBatch))
}

// sharesHoldingSQL lists the folder shares (folder_shares.seq) that hold
// one of the entries whose ids the JSON array lists (bound twice): its own upload,
// or one it found (folder_members). Read before they are deleted, for
// forgetEmptiedSharesSQL.
var sharesHoldingSQL = `SELECT s.seq FROM history e JOIN folder_shares s ON s.added_folder = e.added_folder AND s.batch_id = e.batch_id
		WHERE e.id` + inJSON + ` AND e.added_folder != ''
	UNION ALL SELECT s.seq FROM folder_members f JOIN folder_shares s ON s.added_folder = f.added_folder AND s.batch_id = f.batch_id
		WHERE f.history_id` + inJSON

// forgetEmptiedSharesSQL, run after entries are deleted, deletes the
// folder_shares row of each share the JSON array ?1 lists
// (sharesHoldingSQL: it held one of them; a share may be listed twice) that now holds nothing: no
// other entry, no file it found or left to a job still to come
// (folder_members), no job of its own that may still upload or whose
// file it lacks (droppedSQL: not done, not already uploaded, not skipped
// by design), no listing stopped or cut short for another reason
// (folder_shares.listing_end: it lacks the files it did not list). Such
// an Add call is no longer in the history and so not its folder's latest
// upload (NewestFolderShare): the one before it is, or none. Its row
// would keep it the latest with no file, which is what an Add call that
// found no file to upload is (d0e4b19), and history --folder would say
// the folder was empty. A share that still lacks a file keeps its row,
// and its place: an upload it records later ranks it as before.
var forgetEmptiedSharesSQL = `DELETE FROM folder_shares AS s WHERE s.seq` + inJSON + ` AND s.listing_end <= 0
	AND NOT EXISTS (SELECT 1 FROM history h WHERE h.added_folder = s.added_folder AND h.added_folder != ''
		AND h.batch_id = s.batch_id)
	AND NOT EXISTS (SELECT 1 FROM folder_members m WHERE m.added_folder = s.added_folder
		AND m.batch_id = s.batch_id AND m.history_id >= 0)
	AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.batch_id = s.batch_id
		AND jobs.beneath = s.added_folder AND ` + droppedSQL + `)`

// deleteHistoryIDsSQL deletes the entries whose ids the JSON array ? lists,
// in one statement: FTS5 flushes its in-memory table at the start of
// each statement that writes to it (the trigger history_fts_delete), so
// one DELETE per entry made one index segment per entry, and its merge
// work (4d51381). SQLite visits the ids rising, as FTS5 wants them.
var deleteHistoryIDsSQL = `DELETE FROM history WHERE id` + inJSON

// deleteEntries deletes the entries ids in tx (deleteHistoryIDsSQL), and
// the folder_shares row of each share that held one of them and holds
// nothing any more (forgetEmptiedSharesSQL), and returns how many
// entries there were.
func deleteEntries(tx *sql.Tx, ids []int64) (int, error) {
	list := jsonList(ids)
	var shares []int64
	err := eachRow(tx, func(sc rowScanner) (seq int64, err error) { return seq, sc.Scan(&seq) },
		func(seq int64) error { shares = append(shares, seq); return nil }, sharesHoldingSQL, list, list)
	if err != nil {
		return 0, fmt.Errorf("read the folder uploads of %d entries: %w", len(ids), err)
	}
	n, err := rowsTouched(tx.Exec(deleteHistoryIDsSQL, list))
	if err != nil {
		return 0, err
	}
	if len(shares) > 0 {
		if _, err := tx.Exec(forgetEmptiedSharesSQL, jsonList(shares)); err != nil {
			return 0, fmt.Errorf("forget the folder uploads of %d entries: %w", len(ids), err)
		}
	}
	return int(n), nil
}

// HistoryByIDs returns the entries with these ids that still exist, newest
// first (a selection, for its export), each once: one list of them all
// (inJSON), however many, each looked up by its id.
func (d *DB) HistoryByIDs(ids []int64) ([]HistoryEntry, error) {
	out := make([]HistoryEntry, 0, len(ids))
	err := eachRow(d.r, scanHistory, func(e HistoryEntry) error { out = append(out, e); return nil },
		historyByIDsSQL, jsonList(ids))
	if err != nil {
		return nil, fmt.Errorf("read %d history entries: %w", len(ids), err)
	}
	return out, nil
}

// ExportOptions choose what an export holds.
type ExportOptions struct {
	// Search keeps the entries whose name, hash, comment or folder
	// contains it (all when blank).
	Search string
	// Limit is the most entries, newest first (0 = all).
	Limit int
	// Link gives an entry's shareable link for the "link" column or field;
	// nil leaves it empty.
	Link func(HistoryEntry) string
	// IDs, when not nil, export exactly these entries (a selection),
	// newest first; Search, Limit and Folder are then ignored.
	IDs []int64
	// Folder, when set, makes the export the files of that folder's
	// latest share (history --folder; the folder as added, absolute):
	// without IDs, DB.EachOfLatestShare, at most Limit of them when > 0
	// (Search is ignored), which tells Found (when not nil) the share and
	// what it lacks, read at the instant its files are, before the first
	// of them. With no share of the folder the export fails with an error
	// wrapping [ErrNotFound], having written nothing. The JSON export
	// names the share on each file, in added_folder and batch_id, so a
	// script picks the whole share by them, and a file the share found
	// already uploaded gets the share of the upload that sent it in
	// sent_by (its other fields are that upload's).
	Folder string
	// Found is told the share of Folder and what it lacks.
	Found func(FolderKey, FolderLeft)

	// share is the share of Folder, once Each found it.
	share *FolderKey
}

// Each calls fn for every entry o selects, newest first (Link aside): what
// an export writes, for a listing of its own. Only a selection (IDs) is
// held in memory whole; the rest is read as it goes. With Folder it
// notes the share it lists in o, for the JSON export to name.
func (o *ExportOptions) Each(d *DB, fn func(HistoryEntry) error) error {
	if o.IDs == nil && o.Folder != "" {
		return d.EachOfLatestShare(o.Folder, o.Limit, func(k FolderKey, left FolderLeft) {
			o.share = &k
			if o.Found != nil {
				o.Found(k, left)
			}
		}, fn)
	}
	if o.IDs == nil {
		return d.EachHistory(HistoryQuery{Search: o.Search, Limit: o.Limit}, fn)
	}
	entries, err := d.HistoryByIDs(o.IDs)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

func (o ExportOptions) link(e HistoryEntry) string {
	if o.Link == nil {
		return ""
	}
	return o.Link(e)
}

// csvHeader is the first row of a CSV export; the column order is part of
// the export format and only ever grows at the end.
var csvHeader = []string{"id", "job_id", "env", "account", "local_path", "name", "size", "hash",
	"verified", "folder_path", "parent_id", "comment", "started_at", "finished_at", "attempts", "server_name", "sha256", "link"}

// csvSafe defuses spreadsheet formula injection: a cell that starts with
// = + - @ or a tab/CR, after any spaces (an import that trims them, as
// LibreOffice's "Trim spaces" does, would see the formula), is prefixed
// with a single quote, because file names and comments are user-controlled
// and exports are opened in spreadsheets. A cell that starts with ' itself
// (after spaces too) gets one more, so the rule reads back one way: a cell
// that starts with ' was prefixed, and without that one ' it is the text
// as it was ('=1 would otherwise export as =1 does). Text that is not
// printable is quoted and escaped first (inert.Text).
func csvSafe(s string) string {
	s = inert.Text(s)
	if t := strings.TrimLeft(s, " "); t != "" && strings.ContainsRune("=+-@\t\r'", rune(t[0])) {
		return "'" + s
	}
	return s
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ExportHistoryCSV writes the entries o selects, newest first, as CSV with
// a header row, streaming row by row: the one CSV export of the window and
// the command line. Times are RFC 3339 UTC. Every cell, the link included,
// goes through csvSafe: one starting with = + - @ (after spaces too) gets
// a leading ' so spreadsheets do not run it as a formula, and so does one
// starting with ' (a cell that starts with ' lost nothing but that one). It returns how
// many entries it wrote, for the window to say.
func (d *DB) ExportHistoryCSV(w io.Writer, o ExportOptions) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return 0, fmt.Errorf("export history as CSV: %w", err)
	}
	parent := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	n := 0
	err := o.Each(d, func(e HistoryEntry) error {
		row := []string{
			strconv.FormatInt(e.ID, 10), e.JobID, e.Env, e.Account, e.LocalPath,
			e.Name, strconv.FormatInt(e.Size, 10), e.Hash, strconv.FormatBool(e.Verified),
			e.FolderPath, parent(e.ParentID), e.Comment, csvTime(e.StartedAt),
			csvTime(e.FinishedAt), strconv.Itoa(e.Attempts), e.ServerName, e.SHA256, o.link(e),
		}
		// One rule for every cell, the link (the caller's) and the
		// columns the program fills itself too.
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
		if n++; n%512 == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("export history as CSV: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return n, fmt.Errorf("export history as CSV: %w", err)
	}
	return n, nil
}

// exportedEntry is an entry as the JSON export writes it.
type exportedEntry struct {
	HistoryEntry
	Link string `json:"link,omitempty"`
	// The paths' bytes when they are not UTF-8 (inert.PathBytes).
	LocalPathBase64   []byte `json:"local_path_base64,omitempty"`
	AddedFolderBase64 []byte `json:"added_folder_base64,omitempty"`
	// SentBy is, for a file a folder share found already uploaded
	// (ExportOptions.Folder), the share of the upload that sent it.
	SentBy *sentBy `json:"sent_by,omitempty"`
}

// sentBy is the share of the upload that sent a file (exportedEntry.SentBy),
// its folder's bytes too when they are not UTF-8, as the entry's own. A
// file added on its own was sent by no folder's share: only its Add call
// (batch_id) is named, with no added_folder.
type sentBy struct {
	Folder            string `json:"added_folder,omitempty"`
	BatchID           string `json:"batch_id"`
	AddedFolderBase64 []byte `json:"added_folder_base64,omitempty"`
}

// exported is e as the JSON export of o writes it.
func (o ExportOptions) exported(e HistoryEntry) exportedEntry {
	x := exportedEntry{HistoryEntry: e, Link: o.link(e)}
	if k, _ := e.Folder(); o.share != nil && k != *o.share {
		x.SentBy = &sentBy{Folder: e.AddedFolder, BatchID: e.BatchID, AddedFolderBase64: inert.PathBytes(e.AddedFolder)}
		x.AddedFolder, x.BatchID = o.share.Folder, o.share.BatchID
	}
	x.LocalPathBase64, x.AddedFolderBase64 = inert.PathBytes(x.LocalPath), inert.PathBytes(x.AddedFolder)
	return x
}

// ExportHistoryJSON writes the entries o selects, newest first, as one JSON
// array with one object per line, streaming row by row; "[]" when there are
// none: the one JSON export of the window and the command line. Field names
// are those of [HistoryEntry]'s json tags, plus "link" (and "sent_by", see
// ExportOptions.Folder). Characters a terminal could act on are escaped
// (inert.JSON); the JSON means the same.
// It returns how many entries it wrote.
func (d *DB) ExportHistoryJSON(w io.Writer, o ExportOptions) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("["); err != nil {
		return 0, fmt.Errorf("export history as JSON: %w", err)
	}
	n := 0
	err := o.Each(d, func(e HistoryEntry) error {
		b, err := json.Marshal(o.exported(e))
		if err != nil {
			return err
		}
		sep := ",\n"
		if n == 0 {
			sep = "\n"
		}
		if _, err := bw.WriteString(sep); err != nil {
			return err
		}
		if _, err = bw.Write(inert.JSON(b)); err != nil {
			return err
		}
		n++
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("export history as JSON: %w", err)
	}
	end := "]\n"
	if n > 0 {
		end = "\n]\n"
	}
	if _, err := bw.WriteString(end); err != nil {
		return n, fmt.Errorf("export history as JSON: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return n, fmt.Errorf("export history as JSON: %w", err)
	}
	return n, nil
}
