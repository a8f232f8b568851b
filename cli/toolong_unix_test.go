//go:build unix

package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUploadOfAPathTooLongForTheSystemIsRefused: with v1/f.txt here,
// `upload v1/../v1/../…/v1/f.txt` (700 times, longer than PATH_MAX) or a
// path with a name longer than 255 bytes queued a failed upload, exit 0,
// and `resume` then said "1 failed upload(s) can be tried again", though
// no retry can ever open it. Each is now refused before the queue, exit
// 1, saying what to do.
func TestUploadOfAPathTooLongForTheSystemIsRefused(t *testing.T) {
	sb := keyedSandbox(t)
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	makeFiles(t, filepath.Join(here, "v1"), 1, func(int) int { return 900 })
	t.Chdir(here)
	for _, tt := range []struct{ path, want string }{
		{strings.Repeat("v1/../", 700) + "v1/file-000.bin",
			" has a path longer than this system allows — name it by a shorter path, or move it to a folder with a shorter one"},
		{strings.Repeat("n", 256), " has a name longer than the system allows (255 bytes), so no file has that path — check the path for a mistake"},
	} {
		t.Run(tt.path[:12], func(t *testing.T) {
			p := here + "/" + tt.path
			said := uploadRefused(t, sb, tt.path)
			assert.Contains(t, said, "FAILED  "+p+`: "…`, "named, cut to its end")
			assert.Contains(t, said, p[len(p)-60:]+`"`+tt.want+"\n")
		})
	}
}
