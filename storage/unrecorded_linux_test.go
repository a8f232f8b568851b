package storage

import (
	"os"
	"testing"

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
