package worker

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
)

// TestFolderInAFolderOfOneAddHoldsTheFilesTheOtherListed: a folder and a
// folder in it named in one Add call with a parent folder id (upload
// --parent-id N d d/sub) send each file of d/sub once, to the same place
// whichever listing met it: the listing that met it second found it
// already queued and left it out, so that folder's share held no row of
// it and was called whole, and empty, while the file failed ("found no
// file to upload in it", exit 0), in either order, and after a cut
// between the two listings (a kill, then resume). Now the share holds the
// file through the other listing's job: its upload is in the share's
// list, and a failure of it counts as one of the share's own failed
// files, until a retry sends it.
func TestFolderInAFolderOfOneAddHoldsTheFilesTheOtherListed(t *testing.T) {
	for _, tc := range []struct {
		name       string
		innerFirst bool
		cut        bool // cut short between the two listings, then resumed
		fail       bool // every upload fails
	}{
		{"d then d/sub, uploaded", false, false, false},
		{"d then d/sub, failed", false, false, true},
		{"d/sub then d, uploaded", true, false, false},
		{"d/sub then d, failed", true, false, true},
		{"d then d/sub cut between them, uploaded", false, true, false},
		{"d then d/sub cut between them, failed", false, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			outer := filepath.Dir(e.write("d/a.txt", []byte("a")))
			inner := filepath.Dir(e.write("d/sub/f.txt", []byte("f")))
			parent := int64(7)
			first, second := Request{Path: outer, ParentID: &parent}, Request{Path: inner, ParentID: &parent}
			if tc.innerFirst {
				first, second = second, first
			}
			if tc.fail {
				e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusRequestEntityTooLarge, Count: -1})
			}
			var q *Queue
			if tc.cut {
				e.writeNumbered("other/%03d.txt", 100)
				other := Request{Path: filepath.Join(e.files, "other"), ParentID: &parent}
				cutAfterFirstName(t, e, first.Path, other.Path, first, other, second)
				q = e.queue(e.config())
			} else {
				q = e.queue(e.config())
				q.Add(first, second)
			}
			require.NoError(t, wait(t, q, hangGuard))

			if tc.fail {
				failed := map[string]int{outer: 2, inner: 1}
				for _, dir := range []string{outer, inner} {
					left := leftOf(t, e, newestShare(t, e, dir))
					assert.Equal(t, failed[dir], left.Failed, "%s: each file under it failed: %+v", dir, left)
				}
				e.srv.ClearFaults()
				q.RetryFailed()
				require.NoError(t, wait(t, q, hangGuard))
			}
			f := filepath.Join(inner, "f.txt")
			for _, dir := range []string{outer, inner} {
				k := newestShare(t, e, dir)
				left := leftOf(t, e, k)
				assert.False(t, left.Any(), "%s: %+v", dir, left)
				paths := map[string]bool{}
				for _, h := range filesOf(t, e, k) {
					paths[h.LocalPath] = true
				}
				assert.True(t, paths[f], "%s: its list holds %s: %v", dir, f, paths)
			}
			sent := 2
			if tc.cut {
				sent += 100 // other/
			}
			assert.Equal(t, sent, len(e.sandboxUploads()), "each file sent once")
		})
	}
}

// TestFolderInAFolderOfOneAddHoldsAFileAnEarlierAddLeftWaiting: with a
// parent folder id, a folder and a folder in it named in one Add call
// (upload --parent-id N d d/sub) while a file of d/sub still waits in the
// queue from an earlier Add call (upload --parent-id N d/sub, killed or
// still running) both leave that file to the earlier job. Each folder's
// share holds it, through a row of its own: both rows had the same key
// (the job, the share's call), so the second listing's was not saved, and
// d/sub's share held nothing: history --folder d/sub said it "found no file
// to upload in it" and exited 0, whether the file was uploaded or failed.
func TestFolderInAFolderOfOneAddHoldsAFileAnEarlierAddLeftWaiting(t *testing.T) {
	for _, tc := range []struct {
		name       string
		earlierOut bool // the earlier Add call named d, not d/sub
		innerFirst bool // the later one names d/sub before d
		fail       bool // every upload of the later run fails
	}{
		{"d/sub waits; d then d/sub, uploaded", false, false, false},
		{"d/sub waits; d then d/sub, failed", false, false, true},
		{"d/sub waits; d/sub then d, uploaded", false, true, false},
		{"d/sub waits; d/sub then d, failed", false, true, true},
		{"d waits; d then d/sub, failed", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			outer := filepath.Dir(e.write("d/a.txt", []byte("a")))
			inner := filepath.Dir(e.write("d/sub/f.txt", []byte("f")))
			f := filepath.Join(inner, "f.txt")
			parent := int64(7)
			earlier := Request{Path: inner, ParentID: &parent}
			if tc.earlierOut {
				earlier.Path = outer
			}
			waitingQ, err := New(e.tokenless()) // its jobs wait for a sign-in, as a killed run leaves them
			require.NoError(t, err)
			waitingQ.Add(earlier)
			eventually(t, hangGuard, func() bool { _, ok := findJob(waitingQ, f); return ok && !waitingQ.Summary().Walking })
			require.NoError(t, waitingQ.Close())

			later := []Request{{Path: outer, ParentID: &parent}, {Path: inner, ParentID: &parent}}
			if tc.innerFirst {
				later[0], later[1] = later[1], later[0]
			}
			if tc.fail {
				e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusRequestEntityTooLarge, Count: -1})
			}
			cfg := e.config()
			cfg.Paused = true // both listed while the earlier job still waits
			q := e.queue(cfg)
			q.Add(later...)
			eventually(t, hangGuard, func() bool { return !q.Summary().Walking })
			q.Resume()
			require.NoError(t, wait(t, q, hangGuard))

			if tc.fail {
				for _, dir := range []string{outer, inner} {
					left := leftOf(t, e, newestShare(t, e, dir))
					assert.True(t, left.Any(), "%s: %s failed, so its list is not whole: %+v", dir, f, left)
				}
				e.srv.ClearFaults()
				q.RetryFailed()
				require.NoError(t, wait(t, q, hangGuard))
			}
			for _, dir := range []string{outer, inner} {
				k := newestShare(t, e, dir)
				assert.False(t, leftOf(t, e, k).Any(), "%s: %+v", dir, leftOf(t, e, k))
				paths := map[string]bool{}
				for _, h := range filesOf(t, e, k) {
					paths[h.LocalPath] = true
				}
				assert.True(t, paths[f], "%s: its list holds %s: %v", dir, f, paths)
			}
			assert.Equal(t, 2, len(e.sandboxUploads()), "each file sent once")
		})
	}
}

// TestFileNamedBeforeItsFolderIsInTheFoldersListAfterACut: a file named
// on its own before its folder in one Add call with a parent folder id
// (upload --parent-id N d/x.jpg d), the call cut short between the two (a
// kill), then resumed: d's listing meets x already queued by the call and
// holds it in its share, as it does when nothing cuts it. The resumed
// listing took x's job, which names no folder, for one of its own saved
// by a version that did not record the folder, and left x out of d's
// list: uploaded, the list lacked it; failed, d was called whole.
func TestFileNamedBeforeItsFolderIsInTheFoldersListAfterACut(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(map[bool]string{false: "uploaded", true: "failed"}[fail], func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			x := e.write("d/x.jpg", []byte("x"))
			dir := filepath.Dir(e.write("d/a.txt", []byte("a")))
			e.writeNumbered("other/%03d.txt", 100)
			parent := int64(7)
			file, folder := Request{Path: x, ParentID: &parent}, Request{Path: dir, ParentID: &parent}
			other := Request{Path: filepath.Join(e.files, "other"), ParentID: &parent}
			if fail {
				e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusRequestEntityTooLarge, Count: -1})
			}
			cutAfterFirstName(t, e, file.Path, other.Path, file, other, folder)
			q := e.queue(e.config())
			require.NoError(t, wait(t, q, hangGuard))

			k := newestShare(t, e, dir)
			if fail {
				assert.Equal(t, 2, leftOf(t, e, k).Failed, "x and a.txt failed: %+v", leftOf(t, e, k))
				e.srv.ClearFaults()
				q.RetryFailed()
				require.NoError(t, wait(t, q, hangGuard))
			}
			assert.False(t, leftOf(t, e, k).Any(), "%+v", leftOf(t, e, k))
			paths := map[string]bool{}
			for _, h := range filesOf(t, e, k) {
				paths[h.LocalPath] = true
			}
			assert.Equal(t, map[string]bool{x: true, filepath.Join(dir, "a.txt"): true}, paths)
			assert.Equal(t, 2+100, len(e.sandboxUploads()), "each file sent once")
		})
	}
}
