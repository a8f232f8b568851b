package testfs

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMadeWithIDKeepsTheOneWithTheIDAndRemovesTheRest: with an id that
// says "wanted" at the Nth file made, MadeWithID stops there, leaves that
// file at the path and none of the ones moved aside; with none in tries,
// it reports false and leaves nothing of its own.
func TestMadeWithIDKeepsTheOneWithTheIDAndRemovesTheRest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		wantAt  int // the try whose file has the ID; past tries for none
		tries   int
		reused  bool
		present bool
	}{
		{"the first", 0, 5, true, true},
		{"the third", 2, 5, true, true},
		{"the last try", 4, 5, true, true},
		{"none in tries", 5, 5, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "made")
			made := 0
			create := func(p string) error {
				made++
				return os.WriteFile(p, []byte(strconv.Itoa(made)), 0o600)
			}
			id := func(p string) (string, error) {
				b, err := os.ReadFile(p)
				if string(b) == strconv.Itoa(tc.wantAt+1) {
					return "wanted", err
				}
				return "other", err
			}
			reused, err := MadeWithID(path, "wanted", tc.tries, create, id)
			require.NoError(t, err)
			assert.Equal(t, tc.reused, reused)
			assert.Equal(t, min(tc.wantAt+1, tc.tries), made, "files made")
			left, err := os.ReadDir(dir)
			require.NoError(t, err)
			if !tc.present {
				assert.Empty(t, left, "the ones moved aside are removed")
				return
			}
			require.Len(t, left, 1, "the ones moved aside are removed")
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, strconv.Itoa(tc.wantAt+1), string(b), "the one with the ID is at the path")
		})
	}
}
