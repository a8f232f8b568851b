package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderAddedAgainButNotListedIsNotWhole: DIR uploaded, then added
// again and saved for later, not listed (an upload killed before its
// listing saved a file; a window's add before a sign-in, or while another
// run holds the queue): history --folder DIR says that upload has not
// listed the folder yet, and exits 1; before, the first upload was the
// folder's latest, its list called whole (exit 0) though the person has
// asked to upload the folder again. Stop everything then (its walk
// stopped): the listing was stopped before it ended, exit 1. DIR
// uploaded again: whole, exit 0.
func TestFolderAddedAgainButNotListedIsNotWhole(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 3)
	recs := historyJSON(t)
	require.Len(t, recs, 3)

	db := openDataDB(t)
	require.NoError(t, worker.SaveForLater(db, recs[0].Env, recs[0].Account, worker.Request{Path: dir}))
	walks, err := db.Walks(recs[0].Env, recs[0].Account)
	require.NoError(t, err)
	require.Len(t, walks, 1)
	require.NoError(t, db.Close())
	code, cids, errOut := folderCIDs(t, dir)
	assert.Equal(t, 1, code, errOut)
	assert.Empty(t, cids, "that upload holds no file yet")
	assert.Contains(t, errOut, "this upload of "+dir+" has not listed the whole folder yet")

	db = openDataDB(t)
	_, err = db.CutWalks(storage.CutStopped, walks[0].ID)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	code, _, errOut = runCLI(t, "", "history", "--folder", dir)
	assert.Equal(t, 1, code, errOut)
	assert.Contains(t, errOut, "the listing of "+dir+" was stopped before it ended")

	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	code, cids, errOut = folderCIDs(t, dir)
	assert.Equal(t, 0, code, errOut)
	assert.ElementsMatch(t, cidsOf(t, files), cids, "uploaded again: whole")
}
