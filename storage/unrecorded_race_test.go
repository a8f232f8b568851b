package storage

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTwoProcessesCarryingTheSameFileAtOnce: a window starting and a
// command (each its own handle on the history) find the same file of
// uploads not recorded. The upload is recorded once, the file removed,
// and neither says it could not carry a file the other just carried.
func TestTwoProcessesCarryingTheSameFileAtOnce(t *testing.T) {
	a := carriedAtOnce(t, "unrecorded-uploads-20261206T170000Z.txt", 500, nil)
	assertHistoryCount(t, a, "", 1, "recorded once")
}

// TestTwoProcessesCarryingTheSameTempFileAtOnce: as above, for the hidden
// temporary file a quit killed before its rename left: one of them renames
// it into place and carries it, and neither says it could not.
func TestTwoProcessesCarryingTheSameTempFileAtOnce(t *testing.T) {
	a := carriedAtOnce(t, ".unrecorded-uploads-2718281.tmp", 200, func(i int, dir string, carried [2][]string) {
		// Both may say it (one carried it, the other removed it first),
		// as for the named file; at least one does.
		assert.NotEmpty(t, append(carried[0], carried[1]...), "round %d: said carried", i)
		assert.Empty(t, unrecordedFiles(t, dir))
	})
	assertHistoryCount(t, a, "", 1, "recorded once")
}

// carriedAtOnce writes a file of one upload not recorded, named name, into
// a data folder, rounds times, dated an hour back (as a killed quit's
// temporary file is; a named file's time does not matter), and has two
// handles on its history (a window starting and a command) carry it at
// once. Each round neither may fail and the file must be gone; check,
// when set, looks at what each said it carried. It returns one handle.
func carriedAtOnce(t *testing.T, name string, rounds int, check func(round int, dir string, carried [2][]string)) *DB {
	t.Helper()
	dir := t.TempDir()
	e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lostUpload()}}
	text, err := unrecordedText(e, time.Now())
	require.NoError(t, err)
	var dbs [2]*DB
	for k := range dbs {
		dbs[k], err = Open(dir)
		require.NoError(t, err)
		d := dbs[k]
		t.Cleanup(func() { _ = d.Close() })
	}
	p := filepath.Join(dir, name)
	for i := range rounds {
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
		if check != nil {
			check(i, dir, carried)
		}
		assert.NoFileExists(t, p)
	}
	return dbs[0]
}
