package linkchain

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestFollowGoesAsFarAsACreate: a chain of MaxLinks links is one a
// create follows (as Linux does: MAXSYMLINKS, 40), so Follow leads to the
// file that create writes; one link more is ELOOP. Each chain ends at a
// file written through it, so Dest is checked against the file itself.
func TestFollowGoesAsFarAsACreate(t *testing.T) {
	for _, n := range []int{MaxLinks - 1, MaxLinks} {
		dir := t.TempDir()
		first := testfs.LinkChain(t, dir, n, "end.txt")
		require.NoError(t, os.WriteFile(first, []byte("x"), 0o600), "a create through %d links", n)
		got, err := Follow(first)
		require.NoError(t, err, "%d links", n)
		sameFile(t, filepath.Join(dir, "end.txt"), got.Dest)
		assert.Equal(t, first, got.Chosen)
	}
	first := testfs.LinkChain(t, t.TempDir(), MaxLinks+1, "end.txt")
	_, err := Follow(first)
	assert.ErrorIs(t, err, syscall.ELOOP, "%d links", MaxLinks+1)
}

// sameFile fails unless got is the file at want.
func sameFile(t *testing.T, want, got string) {
	t.Helper()
	w, err := os.Stat(want)
	require.NoError(t, err)
	g, err := os.Stat(got)
	require.NoError(t, err, "Follow's Dest %s", got)
	assert.True(t, os.SameFile(w, g), "Follow's Dest %s is not %s", got, want)
}
