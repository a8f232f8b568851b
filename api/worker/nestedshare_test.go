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
