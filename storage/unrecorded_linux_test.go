package storage

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuitThatCannotKeepTheLinksInAFileSaysWhy: the history was deleted
// while the window ran and its data folder cannot take a file (chattr +i):
// neither a new history nor the file of uploads not recorded can be
// written. The error holds the uploads (the caller names their links) and
// why the file could not be written; nothing is left in the folder.
func TestQuitThatCannotKeepTheLinksInAFileSaysWhy(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	require.NoError(t, os.Remove(d.Path()))
	immutable(t, dir)

	_, err = d.CloseCarryingOver([]JobFinish{lostUpload()}, nil)
	var nc *NotCarriedError
	require.ErrorAs(t, err, &nc)
	assert.Empty(t, nc.SavedIn)
	require.Error(t, nc.SaveErr)
	assert.ErrorIs(t, nc.SaveErr, os.ErrPermission)
	require.Len(t, nc.Uploads, 1)
	assert.Equal(t, "QmLostLink", nc.Uploads[0].History.Hash)
	assert.True(t, nc.Gone.Deleted)
	assert.Empty(t, unrecordedFiles(t, dir))
}

// TestUnrecordedFileThatCannotBeRemovedIsCarriedOnce: the data folder
// refuses a delete (chattr +i), so a file of uploads not recorded is put
// into the history but not removed, and said so; its file not uploaded is
// then uploaded and cleared. The next start does not queue it again, and
// says the file's uploads are in the history, only the file not removed;
// once the folder takes a delete again, the file goes, and the start that
// removes it does not say it carried it (an earlier one did).
func TestUnrecordedFileThatCannotBeRemovedIsCarriedOnce(t *testing.T) {
	d := openTestDB(t)
	dir := filepath.Dir(d.Path())
	queued := JobRow{ID: "queued", BatchID: "b", Env: "e", Account: "a", LocalPath: "/f/q.txt", Name: "q.txt", State: JobQueued}
	saved, err := saveUnrecorded(dir, &NotCarriedError{Path: d.Path(), Queued: []JobRow{queued}}, time.Now())
	require.NoError(t, err)
	immutable(t, dir)

	_, err = d.CarryUnrecorded()
	var kept *UnrecordedFileError
	assert.NotErrorAs(t, err, &kept, "its uploads are in the history: not said to be not put there")
	var left *CarriedNotRemovedError
	require.ErrorAs(t, err, &left)
	assert.Equal(t, CarriedNotRemovedError{Path: saved, Before: false}, CarriedNotRemovedError{Path: left.Path, Before: left.Before})
	assert.ErrorIs(t, err, os.ErrPermission)
	_, err = d.DeleteJobIDs("queued")
	require.NoError(t, err, "uploaded and cleared")
	carried, err := d.CarryUnrecorded()
	assert.Empty(t, carried)
	assert.NotErrorAs(t, err, &kept, "its uploads are in the history: not said to be not put there")
	require.ErrorAs(t, err, &left)
	assert.Equal(t, CarriedNotRemovedError{Path: saved, Before: true}, CarriedNotRemovedError{Path: left.Path, Before: left.Before})
	assert.ErrorIs(t, err, os.ErrPermission)
	assert.Contains(t, err.Error(), "in the upload history since an earlier start, but the file is still not removed")
	rows, err := d.Jobs()
	require.NoError(t, err)
	assert.Empty(t, rows, "not queued again")

	out, err := exec.Command("chattr", "-i", dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
	carried, err = d.CarryUnrecorded()
	require.NoError(t, err)
	assert.Empty(t, carried)
	assert.NoFileExists(t, saved)
}
