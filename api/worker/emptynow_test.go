package worker

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestEmptyNow: a folder a listing found empty is empty now only while it
// still holds nothing, or is gone (nothing in it to pass over); one that
// holds a file or a folder, or was replaced by a file or a symbolic link
// (to a folder, even an empty one: not a folder of the listing), is not.
// `verify DIR` says "folder is empty" only when it is.
func TestEmptyNow(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir string) // after the listing
		want   bool
	}{
		{name: "still empty", change: func(*testing.T, string) {}, want: true},
		{name: "gone", change: func(t *testing.T, dir string) { require.NoError(t, os.Remove(dir)) }, want: true},
		{name: "a file put in", change: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "late.txt"), []byte("late\n"), 0o600))
		}},
		{name: "a folder put in", change: func(t *testing.T, dir string) { require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755)) }},
		{name: "replaced by a file", change: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(dir))
			require.NoError(t, os.WriteFile(dir, []byte("file\n"), 0o600))
		}},
		{name: "replaced by a link to an empty folder", change: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(dir))
			if !testfs.Symlink(t, t.TempDir(), dir) {
				t.Skip(testfs.NoSymlinks)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "empty")
			require.NoError(t, os.Mkdir(dir, 0o755))
			tt.change(t, dir)
			assert.Equal(t, tt.want, EmptyNow(dir))
		})
	}
}
