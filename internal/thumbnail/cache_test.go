package thumbnail

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCacheKeepsAndForgets(t *testing.T) {
	c := NewCache(filepath.Join(t.TempDir(), "thumbnails"), 1<<20)
	_, ok := c.Get("QmNone")
	assert.False(t, ok, "nothing kept yet")

	require.NoError(t, c.Put("QmPicture", []byte("png bytes")))
	got, ok := c.Get("QmPicture")
	assert.True(t, ok)
	assert.Equal(t, []byte("png bytes"), got)

	require.NoError(t, c.Put("QmNotAPicture", nil))
	got, ok = c.Get("QmNotAPicture")
	assert.True(t, ok, "known to have none")
	assert.Empty(t, got)

	require.NoError(t, c.Put("QmPicture", []byte("newer")))
	got, _ = c.Get("QmPicture")
	assert.Equal(t, []byte("newer"), got)
}

// Keys from a server make plain file names inside the folder.
func TestCacheKeysStayInTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "thumbnails")
	c := NewCache(dir, 1<<20)
	for _, key := range []string{"../../escape", "/etc/passwd", "a\x00b", ""} {
		require.NoError(t, c.Put(key, []byte("x")))
		assert.Equal(t, dir, filepath.Dir(c.path(key)), "%q", key)
	}
}

// used is the room the folder's thumbnails take on disk.
func used(t *testing.T, dir string) (n int64) {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		n += onDisk(info.Size())
	}
	return n
}

// Past its size the folder loses its least recently used thumbnails
// first, down to three quarters of its size; empty records count too.
func TestCacheStaysUnderItsSize(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "thumbnails")
	const limit = 10 * block
	c := NewCache(dir, limit)
	thumb := bytes.Repeat([]byte{1}, block) // one block each
	start := time.Now().Add(-time.Hour)
	for i := range 10 {
		key := string(rune('a' + i))
		require.NoError(t, c.Put(key, thumb))
		at := start.Add(time.Duration(i) * time.Minute) // a was used first, j last
		require.NoError(t, os.Chtimes(c.path(key), at, at))
	}
	assert.Equal(t, int64(limit), used(t, dir), "at the limit, nothing removed")
	_, ok := c.Get("b") // b is now the most recently used
	require.True(t, ok)

	require.NoError(t, c.Put("k", nil)) // an empty record takes a block too
	assert.LessOrEqual(t, used(t, dir), int64(limit*3/4))
	for key, kept := range map[string]bool{"a": false, "c": false, "d": false, "e": false, "b": true, "j": true, "k": true} {
		_, ok := c.Get(key)
		assert.Equal(t, kept, ok, "%s kept", key)
	}
}

// A new Cache on a folder that is already full counts it before its
// first put.
func TestCacheCountsWhatAnEarlierRunKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "thumbnails")
	first := NewCache(dir, 100*block)
	old := time.Now().Add(-time.Hour)
	for i := range 8 {
		key := string(rune('a' + i))
		require.NoError(t, first.Put(key, []byte("x")))
		require.NoError(t, os.Chtimes(first.path(key), old, old))
	}
	second := NewCache(dir, 4*block)
	require.NoError(t, second.Put("z", []byte("x")))
	assert.LessOrEqual(t, used(t, dir), int64(3*block))
	_, ok := second.Get("z")
	assert.True(t, ok, "the newest stays")
}
