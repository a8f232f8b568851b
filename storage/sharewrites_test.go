package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A file a share found already uploaded, sent again (Upload again) while
// its job is the only job of that file (the earlier upload's job long
// gone): the share holds the new upload alone. Only the share's row keyed
// by the job itself says to drop what it found, so a finish that skipped
// the share writes by looking at other jobs of the file alone (the
// shortcut of shareStmts.mayTouch) would leave the share listing the
// file twice.
func TestFoundFileSentAgainAloneInItsShareHoldsItsOwnUpload(t *testing.T) {
	const folder = "/home/someone/Pictures"
	d := openTestDB(t)
	earlier := sampleEntry(1)
	earlier.JobID = "" // its job left the queue long ago
	earlier.LocalPath, earlier.AddedFolder, earlier.BatchID = folder+"/1.jpg", folder, "b1"
	var err error
	earlier.ID, err = d.AddHistory(earlier)
	require.NoError(t, err)

	job := JobRow{ID: "found-1", BatchID: "b2", Env: earlier.Env, Account: earlier.Account, LocalPath: earlier.LocalPath,
		Beneath: folder, State: JobAlready, Hash: earlier.Hash, Verified: true, Found: earlier.ID}
	require.NoError(t, d.InsertJobs([]JobRow{job}))
	share := FolderKey{Folder: folder, BatchID: "b2"}
	got, err := d.HistoryOfFolder(share)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, earlier.ID, got[0].ID, "the share holds the upload it found")

	require.NoError(t, d.UpdateJob(job.ID, JobUploading, 1, ""))
	resent := sampleEntry(2)
	resent.JobID = "" // the job's
	resent.LocalPath, resent.AddedFolder, resent.BatchID = job.LocalPath, folder, "b2"
	job.State, job.Hash, job.Verified = JobUploading, resent.Hash, true
	require.NoError(t, d.FinishJob(job, resent))

	got, err = d.HistoryOfFolder(share)
	require.NoError(t, err)
	require.Len(t, got, 1, "the file once")
	assert.Equal(t, job.ID, got[0].JobID, "the new upload, not the one it found")
	total, err := d.FolderTotalAfter(share, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, total.Files)
}
