package worker

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// listedPaused adds reqs to a paused queue with e's config and returns it
// once n jobs are listed and saved: nothing has been uploaded yet.
func (e *testEnv) listedPaused(n int, reqs ...Request) *Queue {
	e.t.Helper()
	cfg := e.config()
	cfg.Paused = true
	q := e.queue(cfg)
	<-q.Add(reqs...).Done()
	eventually(e.t, hangGuard, func() bool { return len(q.Jobs()) == n }, "the %d files listed", n)
	return q
}

// TestFolderFileGoneBeforeItsUploadIsSkippedByDesign: a folder's file
// deleted (or its subfolder) after the listing and before its upload is
// treated as one gone before the listing: skipped, not failed (a retry
// can never send it), and the folder's share is its whole list without
// it. A file named on its own and deleted meanwhile fails, saying that
// it is gone and to put it back before retrying it.
func TestFolderFileGoneBeforeItsUploadIsSkippedByDesign(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("trip/a.jpg", []byte("a"))
	b := e.write("trip/b.jpg", []byte("b"))
	c := e.write("trip/sub/c.jpg", []byte("c"))
	alone := e.write("notes.txt", []byte("n"))
	folder := filepath.Dir(a)
	q := e.listedPaused(4, Request{Path: folder}, Request{Path: alone})

	require.NoError(t, os.Remove(b))
	require.NoError(t, os.RemoveAll(filepath.Dir(c)))
	require.NoError(t, os.Remove(alone))
	q.Resume()
	require.NoError(t, wait(t, q, hangGuard))

	jobs := jobsByPath(q.Jobs())
	assert.Equal(t, storage.JobDone, jobs[a].State)
	for _, gone := range []string{b, c} {
		assert.Equal(t, storage.JobSkipped, jobs[gone].State, "%s, gone from its folder", gone)
		assert.Equal(t, ReasonFileMissing, jobs[gone].Reason, gone)
		assert.Contains(t, jobs[gone].Err, "no longer in its folder", gone)
	}
	assert.Equal(t, storage.JobFailed, jobs[alone].State, "a file named on its own")
	assert.Equal(t, ReasonFileMissing, jobs[alone].Reason)
	assert.Contains(t, jobs[alone].Err, "; put it back, then retry it")
	assert.Equal(t, 1, q.Summary().Failed)

	key := newestShare(t, e, folder)
	left := leftOf(t, e, key)
	assert.False(t, left.Any(), "the share is the folder's whole list: %+v", left)
}

// TestFolderGoneBeforeItsFilesUploadFailsThem: when the folder itself is
// gone (moved away, a drive removed) before its files' uploads, they fail
// rather than being skipped as files the folder no longer holds, so its
// share is not called whole; the folder put back, Retry failed sends them.
func TestFolderGoneBeforeItsFilesUploadFailsThem(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("trip/a.jpg", []byte("a"))
	folder := filepath.Dir(a)
	q := e.listedPaused(1, Request{Path: folder})

	require.NoError(t, os.Rename(folder, folder+"-moved"))
	q.Resume()
	require.NoError(t, wait(t, q, hangGuard))
	job := jobFor(t, q, a)
	assert.Equal(t, storage.JobFailed, job.State)
	assert.Equal(t, ReasonFileMissing, job.Reason)
	key := newestShare(t, e, folder)
	left := leftOf(t, e, key)
	assert.True(t, left.Any(), "the folder's file was not uploaded")

	require.NoError(t, os.Rename(folder+"-moved", folder))
	q.RetryFailed()
	require.NoError(t, wait(t, q, hangGuard))
	assert.Equal(t, storage.JobDone, jobFor(t, q, a).State)
	left = leftOf(t, e, key)
	assert.False(t, left.Any(), "put back and retried: %+v", left)
}

// TestFolderFileBackBeforeItsSkipIsSentAgain: a folder's file missing
// when its upload opened it but back at its path by the time the queue
// looks why is not skipped as no longer in its folder: the folder holds
// it, and the list of links would be called whole without it. It is sent
// again, as a file that changed while it was read: the same file moved
// aside and back (a sync or backup tool) is uploaded; another file
// written in its place (an editor that saves by moving the file aside and
// writing it anew) is told apart from the one listed, as any file
// replaced after the listing is ("replaced by another file").
func TestFolderFileBackBeforeItsSkipIsSentAgain(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("trip/a.jpg", []byte("a"))
	moved := e.write("trip/moved.jpg", []byte("moved aside and back"))
	rewritten := e.write("trip/rewritten.jpg", []byte("written anew"))
	folder := filepath.Dir(a)
	cfg := e.config()
	cfg.Paused = true
	putBack := map[string]func(){
		moved:     func() { require.NoError(t, os.Rename(moved+"~", moved)) },
		rewritten: func() { require.NoError(t, os.WriteFile(rewritten, []byte("written anew, saved"), 0o600)) },
	}
	var mu sync.Mutex
	cfg.beforeGoneCheck = func(path string) {
		mu.Lock()
		defer mu.Unlock()
		if back, ok := putBack[path]; ok {
			back()
			delete(putBack, path)
		}
	}
	q := e.queue(cfg)
	<-q.Add(Request{Path: folder}).Done()
	eventually(t, hangGuard, func() bool { return len(q.Jobs()) == 3 }, "the 3 files listed")

	require.NoError(t, os.Rename(moved, moved+"~"))
	require.NoError(t, os.Link(rewritten, rewritten+"~")) // its file stays: the new one is another
	require.NoError(t, os.Remove(rewritten))
	q.Resume()
	require.NoError(t, wait(t, q, hangGuard))
	jobs := jobsByPath(q.Jobs())
	assert.Equal(t, storage.JobDone, jobs[moved].State, "moved aside and back: %s", jobs[moved].Err)
	assert.Equal(t, storage.JobSkipped, jobs[rewritten].State, "another file in its place")
	assert.Contains(t, jobs[rewritten].Err, "replaced by another file", "not 'no longer in its folder'")
}

// TestFolderFileReplacedBeforeItsUploadLeavesTheShareNotWhole: a folder's
// file replaced by another file after the listing, before its upload, is
// skipped (the new one was not listed), but the folder holds a file the
// share never uploaded: the share lacks it (Dropped), unlike a file
// deleted meanwhile, which the folder no longer has. A later upload of
// the folder sends the new file, and its share is whole.
func TestFolderFileReplacedBeforeItsUploadLeavesTheShareNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	a := e.write("trip/a.jpg", []byte("a"))
	replaced := e.write("trip/replaced.jpg", []byte("the file listed"))
	deleted := e.write("trip/deleted.jpg", []byte("deleted"))
	folder := filepath.Dir(a)
	q := e.listedPaused(3, Request{Path: folder})

	require.NoError(t, os.Link(replaced, filepath.Join(filepath.Dir(folder), "kept.jpg"))) // the new file is another
	require.NoError(t, os.Remove(replaced))
	require.NoError(t, os.WriteFile(replaced, []byte("another file"), 0o600))
	require.NoError(t, os.Remove(deleted))
	q.Resume()
	require.NoError(t, wait(t, q, hangGuard))
	jobs := jobsByPath(q.Jobs())
	assert.Equal(t, storage.JobSkipped, jobs[replaced].State)
	assert.Contains(t, jobs[replaced].Err, "replaced by another file")
	assert.Equal(t, storage.JobSkipped, jobs[deleted].State)
	left := leftOf(t, e, newestShare(t, e, folder))
	assert.Equal(t, storage.FolderLeft{Dropped: 1}, left, "the replaced file counts, the deleted one does not")

	<-q.Add(Request{Path: folder}).Done()
	require.NoError(t, wait(t, q, hangGuard))
	again := newestShare(t, e, folder)
	left = leftOf(t, e, again)
	assert.False(t, left.Any(), "the new file uploaded: %+v", left)
}

// TestFileGoneWhenAddedSaysPutItBackThenRetry: a file named on its own
// that is gone by the time its add is listed (dropped on the window or
// named to upload, then deleted or moved) failed saying only that it
// "does not exist — it may have been moved or deleted", while the same
// file gone by its upload's turn says to put it back, then retry it:
// both are failed rows whose Retry sends the file once it is back. They
// now say the same, with the same code, and the Retry does send it.
func TestFileGoneWhenAddedSaysPutItBackThenRetry(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	gone := filepath.Join(e.files, "gone.jpg")
	q := e.listedPaused(1, Request{Path: gone})
	q.Resume()
	require.NoError(t, wait(t, q, hangGuard))
	job := jobFor(t, q, gone)
	assert.Equal(t, storage.JobFailed, job.State)
	assert.Equal(t, ReasonFileMissing, job.Reason)
	assert.Contains(t, job.Err, "does not exist — it may have been moved or deleted; put it back, then retry it")

	e.write("gone.jpg", []byte("back"))
	q.Retry(job.ID)
	require.NoError(t, wait(t, q, hangGuard))
	assert.Equal(t, storage.JobDone, jobFor(t, q, gone).State, "put back and retried")
}

// TestFileNotAtItsPathSaysPutItBackThenRetry: a file named on its own
// whose path now goes through a file (its folder replaced by a file),
// found so when its add is listed or by its upload's turn, fails (its
// Retry sends it once the path leads to it again), but its sentence, the
// command line's FAILED line, said only "check the path, and add the file
// again from where it is now", where the window's row says to put it
// back, then retry it (5aa8c5c). It now says so too, with the check's
// code kept (the window words it by that). Found so when its add is
// listed, the path never led to the file as far as the queue saw (a
// file's name typed as a folder's, 'upload notes.txt/x'): that says the
// path goes through that file and to check it, the code kept too.
func TestFileNotAtItsPathSaysPutItBackThenRetry(t *testing.T) {
	for _, byTurn := range []bool{false, true} {
		t.Run(map[bool]string{false: "when added", true: "by its turn"}[byTurn], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			file := filepath.Join(e.files, "trip", "a.jpg")
			folder := filepath.Dir(file)
			replace := func() {
				require.NoError(t, os.RemoveAll(folder))
				e.write("trip", []byte("a file where the folder was"))
			}
			if byTurn {
				e.write("trip/a.jpg", []byte("a"))
			} else {
				replace()
			}
			q := e.listedPaused(1, Request{Path: file})
			if byTurn {
				replace()
			}
			q.Resume()
			require.NoError(t, wait(t, q, hangGuard))
			job := jobFor(t, q, file)
			assert.Equal(t, storage.JobFailed, job.State)
			if runtime.GOOS == "windows" {
				// Windows reports a path through a file as a path not
				// found: a gone file, whose sentence says the same.
				assert.Equal(t, ReasonFileMissing, job.Reason)
				assert.Contains(t, job.Err, "put it back, then retry it")
			} else {
				assert.Equal(t, ReasonFileRefused, job.Reason)
				assert.Equal(t, string(api.ProblemNotExist), job.ReasonArg)
				if byTurn {
					assert.Contains(t, job.Err, "a folder on its path is now a file, not a folder; put it back, then retry it, or add the file again from where it is now")
				} else {
					assert.Equal(t, `"`+file+`" does not exist — its path goes through "`+folder+`", a file, not a folder: check the path`, job.Err)
				}
			}

			require.NoError(t, os.Remove(folder))
			e.write("trip/a.jpg", []byte("a"))
			q.Retry(job.ID)
			require.NoError(t, wait(t, q, hangGuard))
			assert.Equal(t, storage.JobDone, jobFor(t, q, file).State, "put back and retried")
		})
	}
}
