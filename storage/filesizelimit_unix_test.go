//go:build unix

package storage

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// fileSizeLimitEnv makes this test binary the run under a file size limit
// of TestHistoryPastTheFileSizeLimitSaysSo, on the data folder it names.
const fileSizeLimitEnv = "DSTOR_TEST_FILE_SIZE_LIMIT_DIR"

// fileSizeLimit is the limit that run is started with: the write-ahead
// log outgrows it long before SQLite's checkpoint at 1,000 pages.
const fileSizeLimit = 256 << 10

// freshFileSizeLimit is a limit the schema of a new history outgrows
// (64 KiB: its one transaction writes 31 pages, 124 KiB, to the
// write-ahead log; made step by step, it outgrew 200 KiB at version 15).
const freshFileSizeLimit = 64 << 10

// A run started under a file size limit (ulimit -f, a service's
// LimitFSIZE) writes no file past it (EFBIG; Go ignores SIGXFSZ): the
// history's write-ahead log outgrew it and every write said SQLite's
// "disk I/O error (778)", which names neither the cause nor what to do
// (found with ulimit -f 400: each upload FAILED as not recorded in the
// history). The error now names the file, the limit and the way out. The
// limit is set in a process of its own, so no other test's files meet it.
// A new history whose schema outgrew it at its first open said the same
// bare words, as the write-ahead log was gone by the time its error was
// looked at.
func TestHistoryPastTheFileSizeLimitSaysSo(t *testing.T) {
	if dir := os.Getenv(fileSizeLimitEnv); dir != "" {
		writePastTheFileSizeLimit(t, dir)
		return
	}
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	cmd := exec.Command(os.Args[0], "-test.run=^TestHistoryPastTheFileSizeLimitSaysSo$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), fileSizeLimitEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the run under the limit:\n%s", out)
	assert.Contains(t, string(out), "--- PASS", "the run under the limit ran the test")
}

// writePastTheFileSizeLimit adds uploads to the history in dir under
// fileSizeLimit until one fails, checks what the error says, and that the
// history takes them again once the limit is lifted.
func writePastTheFileSizeLimit(t *testing.T, dir string) {
	var was unix.Rlimit
	require.NoError(t, unix.Getrlimit(unix.RLIMIT_FSIZE, &was))
	require.NoError(t, unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: freshFileSizeLimit, Max: was.Max}))
	fresh := t.TempDir()
	_, err := Open(fresh)
	require.Error(t, err, "a new history's schema outgrows the limit")
	var fe *FileSizeLimitError
	require.ErrorAs(t, err, &fe, "a new history's schema: the error when it is opened")
	db := filepath.Join(fresh, DBFileName)
	assert.Contains(t, []string{db, db + "-wal"}, fe.File)

	require.NoError(t, unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: fileSizeLimit, Max: was.Max}))

	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	var failed error
	for i := 0; i < 2000 && failed == nil; i++ {
		_, failed = d.AddHistory(HistoryEntry{JobID: fmt.Sprint("j", i), Name: fmt.Sprintf("file-%d.txt", i),
			Hash: fakeCID(i), Comment: strings.Repeat("c", 900)})
	}
	require.Error(t, failed, "the history never met the limit")
	assert.ErrorIs(t, failed, ErrFileSizeLimit)
	require.ErrorAs(t, failed, &fe)
	db = filepath.Join(dir, DBFileName)
	assert.Contains(t, []string{db, db + "-wal"}, fe.File)
	assert.Equal(t, int64(fileSizeLimit), fe.Limit)
	assert.Contains(t, failed.Error(), "the upload history "+db+" cannot grow: "+fe.File+" has reached 262,144 bytes, "+
		"the largest file this program may write (its file size limit, ulimit -f) — start dStor Uploader where that limit is larger or unlimited (ulimit -f unlimited)")

	require.NoError(t, unix.Setrlimit(unix.RLIMIT_FSIZE, &was))
	_, err = d.AddHistory(HistoryEntry{JobID: "after", Name: "after.txt", Hash: fakeCID(99999)})
	assert.NoError(t, err, "the history takes uploads again once the limit is lifted")
}
