package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestEmptyFolderSwappedBeforeTheListingEndsIsSaidOnce: a folder the
// listing found empty, replaced before the listing ends by a symbolic link
// to a private folder, or by a file, moves its parent's modification time,
// so the parent's entries are listed again (relistChanged) as the listing
// ends, and the folder found empty is looked at again too (listAgain). Each
// said the path: "symbolic link — not followed" and "this folder was empty
// when it was listed and is not now", two skips of one entry, with
// opposite advice; the file in its place was uploaded and said not
// uploaded. The folder is said once, by its own look again; nothing the
// link leads to reaches the server.
func TestEmptyFolderSwappedBeforeTheListingEndsIsSaidOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		link bool                         // the swap makes a symbolic link
		swap func(t *testing.T, e string) // off the test's goroutine
	}{
		{"for a link to a private folder", true, func(t *testing.T, e string) {
			private := t.TempDir()
			assert.NoError(t, os.WriteFile(filepath.Join(private, "secret.txt"), []byte("very private"), 0o600))
			assert.NoError(t, os.Symlink(private, e))
		}},
		{"for a file", false, func(t *testing.T, e string) {
			assert.NoError(t, os.WriteFile(e, []byte("a file now"), 0o600))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.link {
				testfs.SymlinkOrSkip(t, t.TempDir(), filepath.Join(t.TempDir(), "link"))
			}
			e := newTestEnv(t, sandbox.Config{})
			dir := filepath.Join(e.files, "trip")
			empty := filepath.Join(dir, "e")
			require.NoError(t, os.MkdirAll(empty, 0o755))
			z := e.write("trip/z.jpg", []byte("z"))
			cfg := e.config()
			cfg.beforeListingEntry = func(p string) {
				if p == z { // e listed, found empty
					assert.NoError(t, os.Remove(empty))
					tc.swap(t, empty)
				}
			}
			q := e.queue(cfg)
			q.Add(Request{Path: dir})
			require.NoError(t, wait(t, q, hangGuard))

			var said []Job
			for _, j := range q.Jobs() {
				if j.LocalPath == empty {
					said = append(said, j)
				}
			}
			require.Len(t, said, 1, "the folder found empty is said once: %+v", said)
			assert.Equal(t, storage.JobSkipped, said[0].State)
			assert.Equal(t, ReasonFilledSinceListed, said[0].Reason)
			assert.Equal(t, storage.JobDone, jobsByPath(q.Jobs())[z].State)
			require.Len(t, e.sandboxUploads(), 1, "z.jpg alone is sent")
			assert.Equal(t, testutil.CIDOf(t, z), e.sandboxUploads()[0].Hash)
		})
	}
}
