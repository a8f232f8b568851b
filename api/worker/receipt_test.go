package worker

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestReceiptsInHistory: each history entry keeps the SHA-256 of the file
// as it was sent and its local path; a file whose SHA-256 is not the
// expected one fails before anything reaches the sandbox, also when it
// waited in the database across a restart of the queue.
func TestReceiptsInHistory(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	good := []byte("the contract, signed\n")
	goodPath := e.write("contract.txt", good)
	sum := sha256.Sum256(good)
	right := hex.EncodeToString(sum[:])
	badPath := e.write("swapped.txt", []byte("not the contract\n"))
	folder := e.write("dir/a.txt", []byte("a"))

	q := e.queue(e.config())
	q.Add(Request{Path: goodPath, ExpectSHA256: strings.ToUpper(right)},
		Request{Path: badPath, ExpectSHA256: right},
		Request{Path: filepath.Dir(folder), ExpectSHA256: right},
		Request{Path: e.write("plain.bin", []byte{1, 2, 3})})
	require.NoError(t, wait(t, q, 10*time.Second))

	bad := jobFor(t, q, badPath)
	assert.Equal(t, storage.JobFailed, bad.State)
	assert.Contains(t, bad.Err, "is not the expected file")
	assert.Contains(t, bad.Err, "nothing was sent")
	assert.Equal(t, 1, bad.Attempts, "a checksum that differs is not retried")
	dir := jobFor(t, q, filepath.Dir(folder))
	assert.Equal(t, storage.JobFailed, dir.State)
	assert.Contains(t, dir.Err, "names one file, not a folder")

	uploads := e.sandboxUploads()
	require.Len(t, uploads, 2, "only the right file and the one without a checksum reach the sandbox")
	entries := history(t, e.db)
	require.Len(t, entries, 2)
	for _, h := range entries {
		assert.Equal(t, testfs.Sha256sum(t, h.LocalPath), h.SHA256, h.Name)
		assert.NotEmpty(t, h.LocalPath)
	}
}

// TestExpectedChecksumSurvivesRestart: a job saved with its expected
// checksum keeps it in the database, so a queue that resumes it still
// refuses a file that differs.
func TestExpectedChecksumSurvivesRestart(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	p := e.write("later.txt", []byte("changed before the restart\n"))
	wrong := strings.Repeat("0", 64)
	require.NoError(t, e.db.InsertJobs([]storage.JobRow{{BatchID: "b", Env: testEnvName, Account: testEmail,
		LocalPath: p, Name: "later.txt", ExpectSHA256: wrong}}))
	rows, err := e.db.Jobs()
	require.NoError(t, err)
	require.Len(t, rows, 1)
	assert.Equal(t, wrong, rows[0].ExpectSHA256)

	q := e.queue(e.config())
	require.NoError(t, wait(t, q, 10*time.Second))
	j := jobFor(t, q, p)
	assert.Equal(t, storage.JobFailed, j.State)
	assert.Contains(t, j.Err, "is not the expected file")
	assert.Empty(t, e.sandboxUploads())
}
