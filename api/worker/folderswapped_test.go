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
	cfg.beforeListingEntry = func(p string) { // off the test's goroutine: no require
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

// TestFolderSwappedForAFileWhileListedIsOneRow: a folder inside the one
// uploaded that becomes a regular file after its own folder was read is
// that file, one row, uploaded as verify DIR checks it, and the entries
// after it are listed (ListFolder gives
// it once, as a file). Before, the walk queued the file and then, listing
// into it by the entry it had read, failed to read it as a folder: a
// second row for the same path, "could not be read".
func TestFolderSwappedForAFileWhileListedIsOneRow(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	good := e.write("pick/a.txt", []byte("a\n"))
	e.write("pick/sub/b.txt", []byte("b\n"))
	after := e.write("pick/zz.txt", []byte("zz\n")) // listed after sub: the walk goes on
	dir := filepath.Dir(good)
	sub := filepath.Join(dir, "sub")
	cfg := e.config()
	swapped, swapErr := false, error(nil)
	cfg.beforeListingEntry = func(p string) { // off the test's goroutine: no require
		if p == sub && !swapped {
			swapped = true
			swapErr = errors.Join(os.RemoveAll(sub), os.WriteFile(sub, []byte("now a file\n"), 0o600))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))
	require.True(t, swapped, "the listing reached sub")
	require.NoError(t, swapErr)

	jobs := q.Jobs()
	var rows []string
	for _, j := range jobs {
		rows = append(rows, string(j.State)+" "+j.LocalPath+" "+j.Err)
	}
	require.Len(t, jobs, 3, "a.txt, sub and zz.txt, once each: %q", rows)
	got := jobsByPath(jobs)
	for _, p := range []string{good, sub, after} {
		assert.Equal(t, storage.JobDone, got[p].State, "%s: %q", p, rows)
	}
	assert.Len(t, e.sandboxUploads(), 3)
}

// TestFolderSwappedForAJunctionWhileListedIsNotListedInto: as a folder
// swapped for a symbolic link, one swapped for a junction (Windows; under
// Wine, a Unix link to a folder, which os.Lstat shows as the folder
// itself and only its folder's listing as a link) after its own folder
// was read is one skipped row, for the upload and for verify's listing;
// nothing behind it is listed. Under Wine the walk listed into it: a
// skipped row for every file of the junction's target.
func TestFolderSwappedForAJunctionWhileListedIsNotListedInto(t *testing.T) {
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
	testfs.JunctionOrSkip(t, outside, filepath.Join(t.TempDir(), "can-link")) // skips here, not in the walk
	cfg := e.config()
	swapped, swapErr := false, error(nil)
	cfg.beforeListingEntry = func(p string) { // off the test's goroutine: no require
		if p == sub && !swapped {
			swapped = true
			if swapErr = os.RemoveAll(sub); swapErr == nil {
				testfs.JunctionOrSkip(t, outside, sub)
			}
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))
	require.True(t, swapped, "the listing reached sub")
	require.NoError(t, swapErr)

	var rows []string
	for _, j := range q.Jobs() {
		rows = append(rows, string(j.State)+" "+j.LocalPath+" "+j.Err)
	}
	got := jobsByPath(q.Jobs())
	assert.Len(t, got, 2, "a.txt and the junction, nothing behind it: %q", rows)
	if j, ok := got[sub]; assert.True(t, ok, "no row for %s: %q", sub, rows) {
		assert.Equal(t, storage.JobSkipped, j.State)
		assert.Equal(t, ReasonJunction, j.Reason, rows)
	}
}

// TestFolderReplacedByALinkWhileListedUploadsNoFileOfTheOther: the chosen
// folder moved away while it is listed, a symbolic link to another folder
// put at its path: the listing queues no file of the other folder (it
// reads each through the folder's path), and nothing is recorded as the
// chosen folder's b.txt. Before, the other folder's b.txt was uploaded and
// recorded as the chosen folder's b.txt, a file it never held.
func TestFolderReplacedByALinkWhileListedUploadsNoFileOfTheOther(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, "b.txt"), []byte("someone else's\n"), 0o600))
	good := e.write("pick/a.txt", []byte("a\n"))
	e.write("pick/b.txt", []byte("mine\n"))
	dir := filepath.Dir(good)
	testfs.SymlinkOrSkip(t, other, filepath.Join(t.TempDir(), "can-link")) // skips here, not in the walk
	cfg := e.config()
	swapped, swapErr := false, error(nil)
	cfg.beforeListingEntry = func(p string) { // off the test's goroutine: no require
		if filepath.Base(p) == "b.txt" && !swapped {
			swapped = true
			swapErr = errors.Join(os.Rename(dir, dir+"-moved"), os.Symlink(other, dir))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))
	require.True(t, swapped, "the listing reached b.txt")
	require.NoError(t, swapErr)

	for _, u := range e.sandboxUploads() {
		assert.NotEqual(t, "b.txt", u.Name, "the other folder's b.txt was uploaded as the chosen folder's")
	}
	for _, h := range history(t, e.db) {
		assert.NotEqual(t, filepath.Join(dir, "b.txt"), h.LocalPath, "recorded as the chosen folder's b.txt: %+v", h)
	}
}

// TestFolderReplacedByAnotherWhileListedUploadsNoFileOfTheOther: the
// chosen folder moved away while it is listed and another folder made at
// its path (no link: this runs under Wine too): no file of that folder is
// queued, and the share is not called whole. The walk tells by the ID of
// the folder each file was opened through (api.ListedFile), not by a
// look at the path per file.
func TestFolderReplacedByAnotherWhileListedUploadsNoFileOfTheOther(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	good := e.write("pick/a.txt", []byte("a\n"))
	e.write("pick/b.txt", []byte("mine\n"))
	dir := filepath.Dir(good)
	cfg := e.config()
	swapped, swapErr := false, error(nil)
	cfg.beforeListingEntry = func(p string) { // off the test's goroutine: no require
		if filepath.Base(p) == "b.txt" && !swapped {
			swapped = true
			swapErr = errors.Join(os.Rename(dir, dir+"-moved"), os.Mkdir(dir, 0o755),
				os.WriteFile(filepath.Join(dir, "b.txt"), []byte("someone else's\n"), 0o600))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))
	require.True(t, swapped, "the listing reached b.txt")
	require.NoError(t, swapErr)

	for _, u := range e.sandboxUploads() {
		assert.NotEqual(t, "b.txt", u.Name, "the other folder's b.txt was uploaded as the chosen folder's")
	}
	for _, h := range history(t, e.db) {
		assert.NotEqual(t, filepath.Join(dir, "b.txt"), h.LocalPath, "recorded as the chosen folder's b.txt: %+v", h)
	}
}
