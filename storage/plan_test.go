package storage

import (
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// queryPlan is SQLite's EXPLAIN QUERY PLAN of query, one step per line.
func queryPlan(t *testing.T, d *DB, query string, args ...any) string {
	t.Helper()
	rows, err := d.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err, query)
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &notused, &detail))
		b.WriteString(detail + "\n")
	}
	require.NoError(t, rows.Err())
	return b.String()
}

var (
	// fullScan is a step that reads a whole table with no index.
	fullScan = regexp.MustCompile(`(?m)^SCAN [a-z_]+$`)
	// ftsFullScan is a step that reads a whole FTS5 index: no MATCH ('M')
	// in its index string, whatever the order (the number). A scan of
	// json_each reads the list bound (inList), not a table.
	ftsFullScan = regexp.MustCompile(`(?m)^SCAN history_fts VIRTUAL TABLE INDEX \d+:[^M\n]*$`)
	// indexWalk is a step that reads an index from one end, with no key
	// to seek: every entry of it, O(n), unless a LIMIT stops the walk
	// after k rows in the index's order. The plan does not show a LIMIT,
	// so each query allowed one says why it stops (walkBound).
	indexWalk = regexp.MustCompile(`(?m)^SCAN \w+ USING (?:COVERING )?INDEX \w+$`)
)

// planProblem says what makes plan cost more than O(log n) per row it
// returns — a table scan, a scan of the whole FTS index, a walk of a whole
// index, or a sort of every match — or "" when it has none of those.
// walkBound is why the plan's index walks stop after a number of rows that
// the history and the queue do not grow ("" when they may not walk one):
// only a LIMIT in the index's order does, with no filter in the walk.
func planProblem(plan, walkBound string) string {
	switch {
	case fullScan.MatchString(plan):
		return "a full table scan"
	case ftsFullScan.MatchString(plan):
		return "a full scan of the FTS index"
	case walkBound == "" && indexWalk.MatchString(plan):
		return "a walk of a whole index"
	case strings.Contains(plan, "TEMP B-TREE"):
		return "a sort of every match"
	}
	return ""
}

// TestHotPathQueryPlans runs every query made per file, per keystroke or
// per page through EXPLAIN QUERY PLAN and fails on a full scan or a sort:
// with the indexes these cost O(log n) in the size of the history and the
// queue, which is what keeps 100,000 files and a million history rows as
// fast as a hundred. No ANALYZE: the app never runs it, so the plans must
// hold without statistics. A walk of a whole index is allowed only to the
// queries boundedWalks names, with what stops it.
func TestHotPathQueryPlans(t *testing.T) {
	d := openTestDB(t)
	fillHistory(t, d, 300)
	seedJobs(t, d, 300)

	// history is the plan of every part of a history read: a page's, in
	// its order, or a count's (up to 1,000), in none.
	history := func(q HistoryQuery, cols string, count bool) string {
		var plans strings.Builder
		require.NoError(t, d.readHistory(func(tx *sql.Tx) error {
			parts, err := historyParts(tx, q, cols)
			require.NoError(t, err)
			for _, p := range parts {
				query := p.query + p.order + " LIMIT 50"
				if count {
					query = "SELECT count(*) FROM (" + p.query + " LIMIT 1001)"
				}
				plans.WriteString(queryPlan(t, d, query, p.args...))
			}
			return nil
		}))
		return plans.String()
	}
	tests := []struct {
		name, plan, want string
	}{
		{"history: first page", history(HistoryQuery{}, historyCols, false), "history_newest"},
		{"history: next page (keyset)", history(HistoryQuery{BeforeID: 100}, historyCols, false), "history_newest"},
		{"history: search", history(HistoryQuery{Search: "img_0012"}, historyCols, false), "history_fts VIRTUAL TABLE INDEX"},
		{"history: search, next page", history(HistoryQuery{Search: "img_0012", BeforeID: 100}, historyCols, false), "history_fts VIRTUAL TABLE INDEX"},
		{"history: short search, bounded", history(HistoryQuery{Search: "im", MaxScan: 1000}, historyCols, false), "COVERING INDEX history_newest"},
		{"history: short search, bounded, next page", history(HistoryQuery{Search: "im", MaxScan: 1000, BeforeID: 100}, historyCols, false), "COVERING INDEX history_newest"},
		{"history: search, unindexed tail", history(HistoryQuery{Search: "img_0012"}, historyCols, false), "history USING INTEGER PRIMARY KEY (rowid>?)"},
		{"history: count of a search", history(HistoryQuery{Search: "img_0012"}, "1", true), "history_fts VIRTUAL TABLE INDEX"},
		{"history: count of a short search, bounded", history(HistoryQuery{Search: "im", MaxScan: 1000}, "1", true), "COVERING INDEX history_newest"},
		{"history: next entries to index", queryPlan(t, d, `SELECT max(id) FROM (SELECT id FROM history WHERE id > ? ORDER BY id LIMIT ?)`, 1, 500), "INTEGER PRIMARY KEY (rowid>?)"},
		{"history: a refold batch's rewrite", queryPlan(t, d, refoldRewriteSQL(2), 1, "a", 2, "b"), "SEARCH history USING INTEGER PRIMARY KEY (rowid=?)"},
		{"history: total", queryPlan(t, d, historyTotalSQL), "history_stats USING INTEGER PRIMARY KEY"},
		{"history: entry by id", queryPlan(t, d, historyByIDSQL, 1), "INTEGER PRIMARY KEY"},
		{"history: entry of a job", queryPlan(t, d, historyOfJobSQL, "j"), "sqlite_autoindex_history_1"},
		{"history: delete", queryPlan(t, d, deleteHistoryIDsSQL, "[1]"), "INTEGER PRIMARY KEY"},
		{"history: delete, the shares that hold it", queryPlan(t, d, sharesHoldingSQL, "[1]", "[1]"), "COVERING INDEX sqlite_autoindex_folder_shares_1"},
		{"history: … through what they found", queryPlan(t, d, sharesHoldingSQL, "[1]", "[1]"), "folder_members_entry"},
		{"history: delete, the shares it empties", queryPlan(t, d, forgetEmptiedSharesSQL, "[1]"), "SEARCH s USING INTEGER PRIMARY KEY"},
		{"history: … holding no other entry", queryPlan(t, d, forgetEmptiedSharesSQL, "[1]"), "history_added_folder"},
		{"history: … nor file found or left", queryPlan(t, d, forgetEmptiedSharesSQL, "[1]"), "folder_members_share"},
		{"history: … nor job still to upload", queryPlan(t, d, forgetEmptiedSharesSQL, "[1]"), "jobs_batch"},
		{"history: live check", queryPlan(t, d, setLiveSQL, 1, 1, "", 1), "INTEGER PRIMARY KEY"},
		{"history: live check of a job", queryPlan(t, d, setLiveOfJobSQL, 1, 1, "", "j"), "sqlite_autoindex_history_1"},
		{"history: a folder's uploads", queryPlan(t, d, historyOfFolderSQL, "/f", "b"), "history_added_folder"},
		{"history: a folder's shares", queryPlan(t, d, folderBatchesSQL, "/f"), "history_added_folder"},
		{"history: a folder's total", queryPlan(t, d, folderTotalSQL, "/f", "b", 0), "history_added_folder"},
		{"history: the files a folder share found", queryPlan(t, d, foundOfFolderSQL, "/f", "b"), "folder_members_share"},
		{"history: a page of the files a folder share found", queryPlan(t, d, foundPageSQL, "/f", "b", 100, 50), "folder_members_share"},
		{"history: the shares that found files of a folder", queryPlan(t, d, foundBatchesSQL, "/f"), "folder_members_share"},
		{"history: the files a folder share found, counted", queryPlan(t, d, foundTotalSQL, "/f", "b"), "COVERING INDEX folder_members_share"},
		{"history: a file found, in its share", queryPlan(t, d, addFoundSQL, "j", "/f", "b", 1), "history USING INTEGER PRIMARY KEY"},
		{"jobs: finish, the file found no more", queryPlan(t, d, dropFoundOfJobSQL, "j"), "sqlite_autoindex_folder_members_1"},
		{"history: delete, its files found", queryPlan(t, d, `DELETE FROM folder_members WHERE history_id = ?`, 1), "folder_members_entry"},
		{"history: uploads of a content (verify)", queryPlan(t, d, historyOfContentSQL(4), "a", "b", "c", "d"), "history_hash"},
		{"jobs: state change", queryPlan(t, d, updateJobSQL, "queued", 1, "", "", "", 1, "j", "done"), "sqlite_autoindex_jobs_1"},
		{"jobs: finish", queryPlan(t, d, finishJobSQL, "done", "h", true, 1, 100, 1, false, "j"), "sqlite_autoindex_jobs_1"},
		{"jobs: state of one", queryPlan(t, d, jobStateSQL, "j"), "sqlite_autoindex_jobs_1"},
		{"jobs: delete one", queryPlan(t, d, deleteJobSQL, "j"), "sqlite_autoindex_jobs_1"},
		{"jobs: … unless a folder share counts on it", queryPlan(t, d, deleteJobSQL, "j"), "sqlite_autoindex_folder_members_1"},
		{"jobs: remove one a folder share counts on", queryPlan(t, d, keepAwaitedJobSQL, "j"), "sqlite_autoindex_folder_members_1"},
		{"jobs: mark reported", queryPlan(t, d, markReportedSQL, "j"), "sqlite_autoindex_jobs_1"},
		{"jobs: mark cleared, a list of them", queryPlan(t, d, markClearedSQL, `["j","k"]`), "sqlite_autoindex_jobs_1"},
		{"jobs: done, not reported", queryPlan(t, d, unreportedDoneSQL, "testnet", "a@example.com", "done"), "jobs_queue"},
		{"walks: delete one", queryPlan(t, d, deleteWalkSQL, "w"), "sqlite_autoindex_walks_1"},
		{"walks: delete one saved before a sign-in, its share", queryPlan(t, d, forgetUnlistedShareSQL, "w"), "sqlite_autoindex_folder_shares_1"},
		{"history: why a share's listing was cut short", queryPlan(t, d, shareCutSQL, "/f", "b"), "sqlite_autoindex_folder_shares_1"},
		{"jobs: counts of an account", queryPlan(t, d, jobCountsSQL, "testnet", "a@example.com"), "jobs_queue"},
		{"jobs: next queued window", queryPlan(t, d, queuedJobsSQL, "testnet", "a@example.com", "queued", 10, 256), "jobs_queue"},
		{"jobs: list page after a row", queryPlan(t, d, listJobsSQL, "testnet", "a@example.com", 10, 64, 0), "jobs_list"},
		{"jobs: list page before a row", queryPlan(t, d, listJobsBackSQL, "testnet", "a@example.com", 100, 64), "jobs_list"},
		{"jobs: the jobs of a file or folder (already queued)", queryPlan(t, d, fileJobsSQL, "testnet", "a@example.com", "/f", "/f/\xff"), "jobs_file"},
		{"jobs: the files of a folder an earlier upload left waiting", queryPlan(t, d, waitingUnderSQL, "testnet", "a@example.com", "/f/", "/f0", "queued", "uploading", "waiting-signin", "b", "b", "/f"), "jobs_file"},
		{"jobs: … that the share has no job of", queryPlan(t, d, waitingUnderSQL, "testnet", "a@example.com", "/f/", "/f0", "queued", "uploading", "waiting-signin", "b", "b", "/f"), "COVERING INDEX jobs_batch"},
		{"jobs: … nor left to that job", queryPlan(t, d, waitingUnderSQL, "testnet", "a@example.com", "/f/", "/f0", "queued", "uploading", "waiting-signin", "b", "b", "/f"), "sqlite_autoindex_folder_members_1"},
		{"jobs: finish, the shares that left its file to it", queryPlan(t, d, joinLeftSQL, "j"), "sqlite_autoindex_folder_members_1"},
		{"jobs: finish, its share's rows left to other jobs of the file", queryPlan(t, d, supersedeLeftSQL, "j"), "jobs_file"},
		{"jobs: … by their key", queryPlan(t, d, supersedeLeftSQL, "j"), "sqlite_autoindex_folder_members_1"},
		{"jobs: finish, whether its share writes may change a row: the file found", queryPlan(t, d, sharesOfJobSQL, "j"), "sqlite_autoindex_folder_members_1 (job_id=?)"},
		{"jobs: … the shares that left its file to it", queryPlan(t, d, sharesOfJobSQL, "j"), "sqlite_autoindex_folder_members_1 (job_id>? AND job_id<?)"},
		{"jobs: … other jobs of the file", queryPlan(t, d, sharesOfJobSQL, "j"), "jobs_file"},
		{"jobs: a file left to a job, in its share", queryPlan(t, d, insertLeftSQL, "j/b//f", "/f", "b", "j"), "sqlite_autoindex_history_1"},
		{"jobs: … unless the share has a row of that job", queryPlan(t, d, insertLeftSQL, "j/b//f", "/f", "b", "j"), "sqlite_autoindex_folder_members_1"},
		{"history: a share's files left to other jobs", queryPlan(t, d, leftOfShareSQL, "queued", "uploading", "waiting-signin", "/f", "b"), "folder_members_share"},
		{"history: … not those the share has a job of", queryPlan(t, d, leftOfShareSQL, "queued", "uploading", "waiting-signin", "/f", "b"), "USING INDEX jobs_batch"},
		{"jobs: a share's files left to upload, failed, and those it will not upload", queryPlan(t, d, batchLeftSQL, "queued", "uploading", "waiting-signin", "failed", "b", "/f"), "jobs_batch"},
		{"jobs: bulk change by state", bulkPlan(t, d, "UPDATE jobs SET state = 'canceled' WHERE %s", []JobState{JobQueued, JobWaitingSignIn}), "jobs_queue"},
		{"jobs: bulk count by state", bulkPlan(t, d, "SELECT state, count(*) FROM jobs WHERE %s GROUP BY state", []JobState{JobDone, JobSkipped}), "jobs_queue"},
		{"jobs: bulk clear by state", bulkPlan(t, d, "DELETE FROM jobs WHERE %s", []JobState{JobDone, JobCanceled}), "jobs_queue"},
		{"jobs: bulk clear, those a folder share counts on kept", bulkPlan(t, d, "UPDATE jobs SET cleared = 1 WHERE %s AND "+keptSQL, []JobState{JobDone, JobCanceled}), "sqlite_autoindex_folder_members_1"},
	}
	named := map[string]bool{}
	for _, tt := range tests {
		named[tt.name] = true
		t.Run(tt.name, func(t *testing.T) {
			bound, walks := boundedWalks[tt.name]
			assert.Empty(t, planProblem(tt.plan, bound), tt.plan)
			assert.Contains(t, tt.plan, tt.want, tt.plan)
			if walks {
				assert.Regexp(t, indexWalk, tt.plan, "no walk of a whole index: drop it from boundedWalks")
			}
		})
	}
	for name := range boundedWalks {
		assert.True(t, named[name], "boundedWalks names no query: %s", name)
	}
}

// boundedWalks are the queries of TestHotPathQueryPlans allowed to walk a
// whole index, by name, each with what stops the walk after a number of
// rows the history does not grow (BenchmarkIndexWalks: as long at 200,000
// entries as at 20,000). A walk's LIMIT bounds it only in the index's order
// and with no filter in the walk: a filter passing few rows (a rare short
// needle) reads on to the end.
var boundedWalks = map[string]string{
	// A page in history_newest's order (finished_at DESC, id DESC),
	// nothing filtered out: 50 rows.
	"history: first page": "the page's LIMIT, in the index's order, nothing filtered",
	// boundedScan's window: the newest MaxScan entries, read in
	// history_newest's order with no filter; only those are checked for
	// the needle, and counted.
	"history: short search, bounded":            "MaxScan's LIMIT on the window, in the index's order, nothing filtered",
	"history: count of a short search, bounded": "MaxScan's LIMIT on the window, in the index's order, nothing filtered",
}

// TestNewestOfLooksUpEachID: verify's pick among the uploads of one file
// (newestOfSQL) and a selection's entries (historyByIDsSQL) look each up
// by its id, never read the history through, and sort those matches
// alone: they cost what the ids do, not what the history holds.
func TestNewestOfLooksUpEachID(t *testing.T) {
	d := openTestDB(t)
	fillHistory(t, d, 50)
	for _, query := range []string{newestOfSQL, historyByIDsSQL} {
		plan := queryPlan(t, d, query, "[3,1,2]")
		assert.Contains(t, plan, "SEARCH history USING INTEGER PRIMARY KEY (rowid=?)\nLIST SUBQUERY", plan)
		assert.NotRegexp(t, fullScan, plan)
		assert.NotRegexp(t, ftsFullScan, plan)
	}
}

// bulkPlan is the plan of one of the bulk statements of ChangeJobs and
// ClearJobs (format: the statement around its WHERE clause), with two ids
// held in memory left out.
func bulkPlan(t *testing.T, d *DB, format string, states []JobState) string {
	t.Helper()
	where, args, err := bulkWhere("testnet", "a@example.com", states, []string{"x", "y"})
	require.NoError(t, err)
	return queryPlan(t, d, fmt.Sprintf(format, where), args...)
}

// TestPlanProblemFindsFullScans keeps the check above honest: plans that
// do read everything are caught.
func TestPlanProblemFindsFullScans(t *testing.T) {
	d := openTestDB(t)
	fillHistory(t, d, 50)
	seedJobs(t, d, 50)
	for query, want := range map[string]string{
		"SELECT * FROM jobs WHERE error = 'x'":                            "a full table scan",
		"SELECT rowid FROM history_fts":                                   "a full scan of the FTS index",
		"SELECT rowid FROM history_fts ORDER BY rowid DESC":               "a full scan of the FTS index",
		"SELECT rowid FROM history_fts WHERE history_fts MATCH 'img'":     "",
		"SELECT * FROM history ORDER BY comment":                          "a full table scan",
		"SELECT id FROM history WHERE finished_at > 0 ORDER BY size DESC": "a sort of every match",
		// Walks of a whole index: in its order with no LIMIT, with a
		// LIMIT that a filter keeps from stopping the walk, and a count.
		"SELECT id FROM history ORDER BY finished_at DESC, id DESC":                                            "a walk of a whole index",
		"SELECT * FROM history WHERE instr(search_text, 'zq') > 0 ORDER BY finished_at DESC, id DESC LIMIT 50": "a walk of a whole index",
		"SELECT count(*) FROM jobs": "a walk of a whole index",
	} {
		plan := queryPlan(t, d, query)
		assert.Equal(t, want, planProblem(plan, ""), query+"\n"+plan)
	}
}

// seedJobs adds n queued jobs of one account.
func seedJobs(t *testing.T, d *DB, n int) {
	t.Helper()
	rows := make([]JobRow, n)
	for i := range rows {
		rows[i] = JobRow{BatchID: "b", Env: "testnet", Account: "a@example.com", LocalPath: "/f/" + newUUID(), Name: "f"}
	}
	require.NoError(t, d.InsertJobs(rows))
}
