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
	dir := t.TempDir()
	e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lostUpload()}}
	text, err := unrecordedText(e, time.Now())
	require.NoError(t, err)
	a, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	b, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	p := filepath.Join(dir, "unrecorded-uploads-20261206T170000Z.txt")
	for i := range 500 {
		require.NoError(t, os.WriteFile(p, text, 0o600))
		left := time.Now().Add(-time.Hour) // by a killed quit
		require.NoError(t, os.Chtimes(p, left, left))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k, d := range []*DB{a, b} {
			wg.Go(func() { _, errs[k] = d.CarryUnrecorded() })
		}
		wg.Wait()
		require.NoError(t, errs[0], "round %d", i)
		require.NoError(t, errs[1], "round %d", i)
		assert.NoFileExists(t, p)
	}
	assertHistoryCount(t, a, "", 1, "recorded once")
}

// TestTwoProcessesCarryingTheSameTempFileAtOnce: as above, for the hidden
// temporary file a quit killed before its rename left: one of them renames
// it into place and carries it, and neither says it could not.
func TestTwoProcessesCarryingTheSameTempFileAtOnce(t *testing.T) {
	dir := t.TempDir()
	e := &NotCarriedError{Path: filepath.Join(dir, DBFileName), Uploads: []JobFinish{lostUpload()}}
	text, err := unrecordedText(e, time.Now())
	require.NoError(t, err)
	a, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = a.Close() })
	b, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	p := filepath.Join(dir, ".unrecorded-uploads-2718281.tmp")
	for i := range 200 {
		require.NoError(t, os.WriteFile(p, text, 0o600))
		left := time.Now().Add(-time.Hour) // by a killed quit
		require.NoError(t, os.Chtimes(p, left, left))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		carried := make([][]string, 2)
		for k, d := range []*DB{a, b} {
			wg.Go(func() { carried[k], errs[k] = d.CarryUnrecorded() })
		}
		wg.Wait()
		require.NoError(t, errs[0], "round %d", i)
		require.NoError(t, errs[1], "round %d", i)
		// Both may say it (one carried it, the other removed it first),
		// as for the named file; at least one does.
		assert.NotEmpty(t, append(carried[0], carried[1]...), "round %d: said carried", i)
		assert.NoFileExists(t, p)
		assert.Empty(t, unrecordedFiles(t, dir))
	}
	assertHistoryCount(t, a, "", 1, "recorded once")
}
