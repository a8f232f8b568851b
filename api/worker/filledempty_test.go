package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderFilledAfterItsListingIsListedAgain: a folder's empty
// folders are said ("folder is empty") once the whole folder is listed,
// which for a big one is minutes after each was listed. A file put into
// one meanwhile was never sent, the folder said empty, and the run ended
// with nothing failed. Such a folder is now listed again, once, as the
// listing ends: its file is sent and the folder is not said empty.
// Another still empty is said empty as before. The file is put in while
// the listing looks at z.jpg, listed after both folders.
func TestFolderFilledAfterItsListingIsListedAgain(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "trip")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "e"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "still"), 0o755))
	z := e.write("trip/z.jpg", []byte("z"))
	late := filepath.Join(dir, "e", "late.txt")
	cfg := e.config()
	cfg.beforeListingEntry = func(p string) {
		if p == z {
			assert.NoError(t, os.WriteFile(late, []byte("late\n"), 0o600))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))

	got := jobsByPath(q.Jobs())
	e1, ok := got[filepath.Join(dir, "e")]
	assert.False(t, ok, "not said of a folder holding a file: %+v", e1)
	assert.Equal(t, storage.JobDone, got[late].State, "the file put in after its folder was listed is sent: %+v", got[late])
	assert.Equal(t, "/trip/e/", got[late].FolderPath)
	assert.Equal(t, storage.JobDone, got[z].State)
	still := got[filepath.Join(dir, "still")]
	assert.Equal(t, storage.JobSkipped, still.State)
	assert.Equal(t, ReasonEmptyFolder, still.Reason, "still empty: said as before")
	assert.Len(t, got, 3)
	assert.Zero(t, leftOf(t, e, shareOf(t, e, dir)).Dropped, "the share is the whole folder")
}

// TestFolderFilledAfterItsListingAgainIsNotSaidEmpty: a folder is
// listed again once at most, only when the first listing found it
// empty; a folder that listing again finds empty (sub, made meanwhile)
// and that holds a file by the time it is said is not said empty, nor
// listed again: it is said to have been empty when listed and not now,
// with what it holds not uploaded, a skip that leaves the share not the
// whole folder. The folder listed again (e) is not said at all: its
// files speak for it.
func TestFolderFilledAfterItsListingAgainIsNotSaidEmpty(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "trip")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "e"), 0o755))
	z := e.write("trip/z.jpg", []byte("z"))
	sub, tt := filepath.Join(dir, "e", "sub"), filepath.Join(dir, "e", "t.txt")
	cfg := e.config()
	cfg.beforeListingEntry = func(p string) {
		switch p {
		case z: // e listed empty: a folder and a file put in
			assert.NoError(t, os.Mkdir(sub, 0o755))
			assert.NoError(t, os.WriteFile(tt, []byte("t\n"), 0o600))
		case tt: // e listed again, sub found empty: a file put in
			assert.NoError(t, os.WriteFile(filepath.Join(sub, "late.txt"), []byte("late\n"), 0o600))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))

	got := jobsByPath(q.Jobs())
	assert.Equal(t, storage.JobDone, got[tt].State, "%+v", got[tt])
	assert.Equal(t, storage.JobDone, got[z].State)
	s := got[sub]
	assert.Equal(t, storage.JobSkipped, s.State)
	assert.Equal(t, ReasonFilledSinceListed, s.Reason)
	assert.Equal(t, MsgFilledSinceListed+": what it holds was not uploaded — upload the folder again", s.Err)
	assert.Equal(t, "/trip/e/sub/", s.FolderPath)
	assert.Len(t, got, 3, "e is not said, nor sub's file listed")
	assert.Equal(t, 1, leftOf(t, e, shareOf(t, e, dir)).Dropped, "the share lacks what sub holds")
}
