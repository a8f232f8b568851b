package storage

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFullDiskMidRoundLeavesTheHistoryWhole: the disk fills up while the
// queue records rounds of finished uploads, with a page cache so small
// that a history insert writes its pages to the log as it goes (a failure
// inside the statement, which keeps no statement journal: OR FAIL). Every
// round that fails is undone whole: each entry is of a job done and each
// done job has one entry, the count the triggers keep (history_stats)
// equals the rows, and the database is sound; with room again the rest
// are recorded.
func TestFullDiskMidRoundLeavesTheHistoryWhole(t *testing.T) {
	disk := testfs.SmallDisk(t, 2<<20)
	d, err := Open(filepath.Join(disk, "data"))
	require.NoError(t, err)
	defer d.Close()
	rows := sampleJobs(200, "full")
	for i := range rows {
		rows[i].ID = fmt.Sprintf("full-%03d", i)
	}
	require.NoError(t, d.InsertJobs(rows))
	_, err = d.w.Exec(`PRAGMA cache_size = 4`) // the one writing connection
	require.NoError(t, err)

	finish := func(from, to int) []error {
		fins := make([]JobFinish, 0, to-from)
		for _, r := range rows[from:to] {
			f := finishOf(r, "Qm"+r.ID)
			f.History.Comment = string(bytes.Repeat([]byte("c"), 900))
			fins = append(fins, f)
		}
		_, errs := d.WriteJobs(nil, fins)
		return errs
	}
	for _, err := range finish(0, 50) {
		require.NoError(t, err)
	}
	free := testfs.KeepDiskFull(t, disk)
	var full error
	for next := 50; next < len(rows) && full == nil; next += 10 {
		for _, err := range finish(next, next+10) {
			if errors.Is(err, ErrDiskFull) && full == nil {
				full = err
			}
		}
	}
	free()
	require.Error(t, full, "the disk never filled up")
	t.Logf("full: %v", full)
	assertHistoryWhole(t, d)

	for _, err := range finish(0, len(rows)) {
		require.NoError(t, err)
	}
	assertHistoryWhole(t, d)
	assertHistoryCount(t, d, "", len(rows))
}

// assertHistoryWhole asserts that d's history and queue agree: each entry
// is of a done job, each done job has one entry, the kept count is the
// rows', and SQLite finds the file sound.
func assertHistoryWhole(t *testing.T, d *DB) {
	t.Helper()
	var entries, counted, orphans, unrecorded int
	require.NoError(t, d.w.QueryRow(`SELECT count(*), (SELECT entries FROM history_stats),
		(SELECT count(*) FROM history h LEFT JOIN jobs j ON j.id = h.job_id WHERE j.state IS NOT ?),
		(SELECT count(*) FROM jobs j WHERE j.state = ? AND (SELECT count(*) FROM history h WHERE h.job_id = j.id) != 1)
		FROM history`, string(JobDone), string(JobDone)).Scan(&entries, &counted, &orphans, &unrecorded))
	assert.Equal(t, entries, counted, "history_stats counts the rows")
	assert.Zero(t, orphans, "entries of jobs not done")
	assert.Zero(t, unrecorded, "done jobs without exactly one entry")
	var check string
	require.NoError(t, d.w.QueryRow(`PRAGMA integrity_check`).Scan(&check))
	assert.Equal(t, "ok", check)
	t.Logf("%d entries", entries)
}
