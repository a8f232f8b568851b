package worker

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderSwappedForALinkWhileListedIsNotListedInto: a folder inside the
// one uploaded that becomes a symbolic link after its own folder was read
// (here: as the listing reaches it; on a big folder, while the entries
// before it are queued) is one skipped row saying it is a link, and
// nothing behind the link is listed. Before, the walk listed into it by
// the entry it had read: a skipped row for every file of the link's
// target (a link to / would list the whole disk).
func TestFolderSwappedForALinkWhileListedIsNotListedInto(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	outside := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(outside, "deeper"), 0o755))
	for _, name := range []string{"private.txt", "deeper/secret.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(outside, name), []byte(name), 0o600))
	}
	good := e.write("pick/a.txt", []byte("a\n"))
	e.write("pick/sub/b.txt", []byte("b\n"))
	dir := filepath.Dir(good)
	sub := filepath.Join(dir, "sub")
	testfs.SymlinkOrSkip(t, outside, filepath.Join(t.TempDir(), "can-link")) // skips here, not in the walk
	cfg := e.config()
	swapped, swapErr := false, error(nil)
	cfg.beforeListingEntry = func(p string) { // on the walk's goroutine: no require
		if p == sub && !swapped {
			swapped = true
			swapErr = errors.Join(os.RemoveAll(sub), os.Symlink(outside, sub))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))
	require.True(t, swapped, "the listing reached sub")
	require.NoError(t, swapErr)

	got := jobsByPath(q.Jobs())
	assert.Len(t, got, 2, "a.txt and the link, nothing behind it: %v", got)
	assert.Equal(t, storage.JobDone, got[good].State)
	if j, ok := got[sub]; assert.True(t, ok, "no row for %s: %v", sub, got) {
		assert.Equal(t, storage.JobSkipped, j.State)
		assert.Contains(t, j.Err, "symbolic link")
	}
	uploads := e.sandboxUploads()
	require.Len(t, uploads, 1)
	assert.Equal(t, "a.txt", uploads[0].Name)
}
