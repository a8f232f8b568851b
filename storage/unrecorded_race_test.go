package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTwoProcessesCarryingTheSameFileAtOnce: a window starting and a
// command (each its own handle on the history) find the same file of
// uploads not recorded. The upload is recorded once, the file removed,
// and only the one whose transaction put it into the history says it
// carried the file: neither says it could not carry a file the other just
// carried.
func TestTwoProcessesCarryingTheSameFileAtOnce(t *testing.T) {
	a := carriedAtOnce(t, "unrecorded-uploads-20261206T170000Z.txt", 500, func(i int, dir string, carried [2][]string) {
		assert.Len(t, append(carried[0], carried[1]...), 1, "round %d: said carried once", i)
	})
	assertHistoryCount(t, a, "", 1, "recorded once")
}

// TestACarryThatFindsTheFileCarriedMeanwhileSaysNothingOfIt: a window
// starting puts a file of uploads not recorded into the history; before it
// removes the file, a command starting reads it, finds it carried (its
// mark in the history) and removes it. Only the window says it carried the
// file: the command did not put its uploads there.
func TestACarryThatFindsTheFileCarriedMeanwhileSaysNothingOfIt(t *testing.T) {
	dir := t.TempDir()
	saved, err := saveUnrecorded(dir, &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lostUpload()}}, time.Now())
	require.NoError(t, err)
	var window, command *DB
	for _, d := range []**DB{&window, &command} {
		*d, err = Open(dir)
		require.NoError(t, err)
		db := *d
		t.Cleanup(func() { _ = db.Close() })
	}
	var byCommand []string
	var commandErr error
	window.afterCarryTx = func(string) { byCommand, commandErr = command.CarryUnrecorded() }
	byWindow, err := window.CarryUnrecorded()
	require.NoError(t, err)
	require.NoError(t, commandErr)
	assert.Equal(t, []string{saved}, byWindow, "the window put it into the history")
	assert.Empty(t, byCommand, "the command found it there")
	assert.NoFileExists(t, saved)
	assertHistoryCount(t, window, "", 1, "recorded once")
}

// TestTwoProcessesCarryingTheSameTempFileAtOnce: as above, for the hidden
// temporary file a quit killed before its rename left: one of them renames
// it into place and carries it, and neither says it could not.
func TestTwoProcessesCarryingTheSameTempFileAtOnce(t *testing.T) {
	a := carriedAtOnce(t, ".unrecorded-uploads-2718281.tmp", 200, func(i int, dir string, carried [2][]string) {
		assert.Len(t, append(carried[0], carried[1]...), 1, "round %d: said carried once", i)
		assert.Empty(t, unrecordedFiles(t, dir))
	})
	assertHistoryCount(t, a, "", 1, "recorded once")
}

// carriedAtOnce writes a file of one upload not recorded, named name, into
// a data folder, rounds times, dated an hour back (as a killed quit's
// temporary file is; a named file's time does not matter) and written at
// another time each round (so its bytes, and the mark a carry leaves, are
// new each round: no round finds it carried by an earlier one), and has
// two handles on its history (a window starting and a command) carry it
// at once. Each round neither may fail and the file must be gone; check
// looks at what each said it carried. It returns one handle.
func carriedAtOnce(t *testing.T, name string, rounds int, check func(round int, dir string, carried [2][]string)) *DB {
	t.Helper()
	dir := t.TempDir()
	e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lostUpload()}}
	var dbs [2]*DB
	var err error
	for k := range dbs {
		dbs[k], err = Open(dir)
		require.NoError(t, err)
		d := dbs[k]
		t.Cleanup(func() { _ = d.Close() })
	}
	p := filepath.Join(dir, name)
	written := time.Now()
	for i := range rounds {
		text, err := unrecordedText(e, written.Add(time.Duration(i)*time.Second))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, text, 0o600))
		left := time.Now().Add(-time.Hour)
		require.NoError(t, os.Chtimes(p, left, left))
		var wg sync.WaitGroup
		var errs [2]error
		var carried [2][]string
		for k, d := range dbs {
			wg.Go(func() { carried[k], errs[k] = d.CarryUnrecorded() })
		}
		wg.Wait()
		require.NoError(t, errs[0], "round %d", i)
		require.NoError(t, errs[1], "round %d", i)
		check(i, dir, carried)
		assert.NoFileExists(t, p)
	}
	return dbs[0]
}

// TestQuitsInTheSameSecondKeepEachTheirFile: windows on one data folder
// whose quits cannot carry over keep their links in files named by the
// same second, at once. Each quit's file is its own: none replaces
// another's (its links would be lost), each round of quits.
func TestQuitsInTheSameSecondKeepEachTheirFile(t *testing.T) {
	const quits, rounds = 6, 40
	now := time.Now()
	for i := range rounds {
		quitAtOnce(t, t.TempDir(), quits, now, i)
	}
}

// quitAtOnce has quits quits that cannot record their uploads keep their
// links in dir at the same time now (round i of a test), and checks that
// each kept its own file, holding its own link, and that there is one
// file a quit.
func quitAtOnce(t *testing.T, dir string, quits int, now time.Time, i int) {
	t.Helper()
	var wg sync.WaitGroup
	saved, errs := make([]string, quits), make([]error, quits)
	for k := range quits {
		up := lostUpload()
		up.History.Hash = fmt.Sprintf("QmQuit%d", k)
		e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{up}}
		wg.Go(func() { saved[k], errs[k] = saveUnrecorded(dir, e, now) })
	}
	wg.Wait()
	for k := range quits {
		require.NoError(t, errs[k], "round %d, quit %d", i, k)
		text, err := os.ReadFile(saved[k])
		require.NoError(t, err, "round %d, quit %d", i, k)
		require.Truef(t, strings.Contains(string(text), fmt.Sprintf("# QmQuit%d ", k)), "round %d: quit %d's file %s holds another's link", i, k, saved[k])
	}
	require.Len(t, unrecordedFiles(t, dir), quits, "round %d: a file each", i)
}
