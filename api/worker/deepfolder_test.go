package worker

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderTooDeepForDStorIsOneRowSayingWhatToDo: dStor takes folder
// paths of at most api.MaxFolderPathLen bytes, and a folder added whole
// makes them from the destination, the folder's name and the folders
// inside it, none of which the person typed as a path. A folder inside
// whose path would be longer is listed once, skipped with everything in
// it, saying which folder it is, how long its path would be and what to
// do; nothing of it is sent, and the rest of the folder uploads. When the
// destination typed with the added folder's own name is already too long,
// the added folder is that one row, saying to choose a shorter destination.
func TestFolderTooDeepForDStorIsOneRowSayingWhatToDo(t *testing.T) {
	name := func(c string) string { return strings.Repeat(c, 200) }
	cases := []struct {
		name     string
		dest     string // the destination typed
		deepRel  string // the folder that is too deep, under the added one ("" for itself)
		pathLen  int    // its folder path's length on dStor
		code     ReasonCode
		says     []string
		uploaded int
	}{
		{name: "a folder inside", dest: "/backup/",
			// /backup/deep/a…/b…/c…/d…/e…/ is 8+5+5*201 = 1018; f…/ goes past 1024.
			deepRel: filepath.Join(name("a"), name("b"), name("c"), name("d"), name("e"), name("f")),
			pathLen: 8 + 5 + 6*201, code: ReasonFolderTooDeep,
			says: []string{"on dStor this folder's path would be 1219 bytes, more than the 1024 dStor allows, so it was skipped with everything in it",
				"give it or the folders above it shorter names, choose a shorter destination folder path, or add it by itself"},
			uploaded: 2},
		{name: "the added folder with the destination", dest: "/" + strings.Repeat("x", 1018),
			pathLen: 1019 + 6, code: ReasonDestinationTooLong,
			says: []string{"with the destination folder path, this folder's path on dStor would be 1025 bytes",
				"more than the 1024 dStor allows, so nothing in it was uploaded — choose a shorter destination folder path"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			top := e.write("deep/top.txt", testutil.Content("top", 100))
			root := filepath.Dir(top)
			e.write(filepath.Join("deep", name("a"), name("b"), name("c"), name("d"), name("e"), "near.txt"), testutil.Content("near", 100))
			deep := filepath.Join(root, tc.deepRel)
			for i := range 3 {
				e.write(filepath.Join("deep", tc.deepRel, name("g"), "far"+strconv.Itoa(i)+".txt"), testutil.Content("far", 100+i))
			}
			q := e.uploaded(Request{Path: root, FolderPath: tc.dest})

			var skipped, failed []Job
			for _, j := range q.Jobs() {
				switch j.State {
				case storage.JobSkipped:
					skipped = append(skipped, j)
				case storage.JobFailed:
					failed = append(failed, j)
				}
			}
			assert.Empty(t, failed, "no file fails: the folder is said once")
			require.Len(t, skipped, 1, "one row for the folder, not one per file")
			j := skipped[0]
			assert.Equal(t, deep, j.LocalPath, "the row names the folder that is too deep")
			assert.Equal(t, tc.code, j.Reason)
			assert.Equal(t, strconv.Itoa(tc.pathLen), j.ReasonArg, "the window says how long it would be")
			for _, s := range tc.says {
				assert.Contains(t, j.Err, s)
			}
			assert.Len(t, e.sandboxUploads(), tc.uploaded, "nothing of the folder too deep is sent")
			assert.True(t, j.Reason.RefusedBeforeReading())
			assert.False(t, storage.SkippedByDesign(string(j.Reason), j.ReasonArg), "the folder's share lacks its files")
			assert.Equal(t, api.MaxFolderPathLen, 1024)
		})
	}
}
