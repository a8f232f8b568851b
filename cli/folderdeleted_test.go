package cli

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestFolderWhoseUploadsWereDeletedIsNotCalledEmpty: every entry of a
// folder's upload deleted from the history (the window's Delete
// selected) leaves no upload of it there: history --folder says so and
// exits 1, not that the upload found no file in the folder (which it
// did not: the folder still holds its files) with an empty list and exit
// 0. With an earlier upload of the folder still in the history, that one
// is the folder's latest there and is listed.
func TestFolderWhoseUploadsWereDeletedIsNotCalledEmpty(t *testing.T) {
	sb, files, dir := uploadedTrip(t, 2)
	before := []string{testutil.CIDOf(t, files[0]), testutil.CIDOf(t, files[1])}
	for _, f := range files { // changed: the next upload sends them again
		require.NoError(t, os.WriteFile(f, []byte("changed "+f), 0o600))
	}
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	require.Len(t, historyJSON(t), 4)

	deleteEntriesOf(t, true, files...)
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 0, code, errOut)
	assert.ElementsMatch(t, before, strings.Fields(out), "the later upload's entries deleted: the earlier upload is the folder's latest in the history")
	assert.NotContains(t, errOut, "found no file")

	deleteEntriesOf(t, false, files...)
	code, out, errOut = runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	assert.Equal(t, 1, code, errOut)
	assert.Empty(t, strings.TrimSpace(out))
	assert.Contains(t, errOut, "no upload of the folder "+dir+" is in the history")
	assert.NotContains(t, errOut, "found no file")
}

// deleteEntriesOf deletes from the history the entries of these files,
// the newest of each (newest) or all of them, as the window's Delete
// selected does.
func deleteEntriesOf(t *testing.T, newest bool, paths ...string) {
	t.Helper()
	var ids []int64
	seen := map[string]bool{}
	for _, rec := range historyJSON(t) { // newest first
		if slices.Contains(paths, rec.LocalPath) && !(newest && seen[rec.LocalPath]) {
			ids = append(ids, rec.ID)
			seen[rec.LocalPath] = true
		}
	}
	require.NotEmpty(t, ids, "entries of %v", paths)
	db := openDataDB(t)
	defer func() { require.NoError(t, db.Close()) }()
	n, err := db.DeleteHistoryIDs(t.Context(), ids)
	require.NoError(t, err)
	require.Equal(t, len(ids), n)
}

// TestFolderDeletedWhileReadIsNotCalledEmpty: history --folder read the
// folder's latest upload and what it lacked, then, in a read of its own,
// its files: every entry of that upload deleted in between (the window's
// Delete selected, while the command ran) left the list empty and the
// upload whole, "found no file to upload in it" and exit 0, for a folder
// whose files were all uploaded. The three are read at one instant: here
// the entries are deleted once the upload and what it lacks are read, and
// the list is the upload as it was then, every file of it.
func TestFolderDeletedWhileReadIsNotCalledEmpty(t *testing.T) {
	_, files, dir := uploadedTrip(t, 2)
	deleted := false
	afterFolderShareRead = func() {
		if !deleted {
			deleted = true
			deleteEntriesOf(t, false, files...)
		}
	}
	t.Cleanup(func() { afterFolderShareRead = func() {} })
	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--format", "cid")
	require.True(t, deleted, "the entries were deleted while the folder was read")
	assert.NotContains(t, errOut, "found no file")
	assert.Equal(t, 0, code, errOut)
	assert.ElementsMatch(t, []string{testutil.CIDOf(t, files[0]), testutil.CIDOf(t, files[1])}, strings.Fields(out),
		"the upload as read before its entries were deleted")
	assert.Empty(t, historyJSON(t), "deleted")
}
