//go:build unix

package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
)

// TestVerifyEndsWithACount: verify of a folder (or of more than one path)
// printed one line per file and nothing after: whether any of 20,000
// files was missing took a scroll through all of them. It now ends, on
// stderr (stdout stays one line or one JSON object per file, for
// scripts), with the counts it saw; a single FILE gets no such line.
func TestVerifyEndsWithACount(t *testing.T) {
	url, dir, _ := verifiedAlbum(t)
	emptyDir := t.TempDir()
	tests := []struct {
		name  string
		args  []string
		lines int    // on stdout
		want  string // stderr, "" for none
	}{
		{name: "a folder: uploaded, changed, new and skipped entries", args: []string{dir}, lines: 6,
			want: "Verified 4 file(s) against " + url + ": 2 uploaded · 2 not uploaded (1 of them changed since its upload) · 2 skipped\n"},
		{name: "a folder, --json", args: []string{"--json", dir}, lines: 6,
			want: "Verified 4 file(s) against " + url + ": 2 uploaded · 2 not uploaded (1 of them changed since its upload) · 2 skipped\n"},
		{name: "two files", args: []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "new.txt")}, lines: 2,
			want: "Verified 2 file(s) against " + url + ": 1 uploaded · 1 not uploaded\n"},
		{name: "two files, one that cannot be read", args: []string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "gone.txt")}, lines: 2,
			want: "Verified 2 file(s) against " + url + ": 1 uploaded · 1 could not be verified\n"},
		{name: "an empty folder: its note, no count", args: []string{"--json", emptyDir}, lines: 0,
			want: worker.ListedFolder(emptyDir) + ": no files in this folder — nothing to verify\n"},
		{name: "one file: no count", args: []string{filepath.Join(dir, "new.txt")}, lines: 1},
		{name: "one file, --json: no count", args: []string{"--json", filepath.Join(dir, "a.txt")}, lines: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"verify", "--env", url}, tt.args...)...)
			assert.NotEqual(t, 2, code, "%s%s", out, errOut)
			assert.Equal(t, tt.lines, strings.Count(out, "\n"), "stdout is one line per entry, nothing else:\n%s", out)
			require.Equal(t, tt.want, errOut)
		})
	}
}
