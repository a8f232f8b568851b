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

// TestFollowGivesTheFileACreateWrites: Follow lands where opening the path
// with O_CREATE writes: the path itself when it is no link (there or not),
// the end of a chain of links (absolute or relative to each link's folder)
// whether that file is there or not, the path's folder taken where it
// really is; a link into no folder and a loop are errors.
func TestFollowGivesTheFileACreateWrites(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	file := filepath.Join(dir, "file.txt")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	link := func(name, to string) string {
		p := filepath.Join(dir, name)
		testfs.SymlinkOrSkip(t, to, p)
		return p
	}
	toFile := link("to-file", file)
	toNew := link("to-new", filepath.Join(elsewhere, "new.txt"))
	relative := link("relative", filepath.Join("..", filepath.Base(elsewhere), "rel.txt"))
	chain := link("chain", "relative")
	folderLink := link("folder-link", elsewhere)
	for _, tc := range []struct {
		name, path, chosen, dest string
	}{
		{"a file", file, file, file},
		{"no file yet", filepath.Join(dir, "none.txt"), filepath.Join(dir, "none.txt"), filepath.Join(dir, "none.txt")},
		{"a link to a file", toFile, toFile, file},
		{"a link to no file yet", toNew, toNew, filepath.Join(elsewhere, "new.txt")},
		{"a relative link", relative, relative, filepath.Join(elsewhere, "rel.txt")},
		{"a chain of links", chain, chain, filepath.Join(elsewhere, "rel.txt")},
		{"a file in a linked folder", filepath.Join(folderLink, "x.txt"), filepath.Join(elsewhere, "x.txt"), filepath.Join(elsewhere, "x.txt")},
	} {
		got, err := Follow(tc.path)
		require.NoError(t, err, tc.name)
		assert.Equal(t, Target{Chosen: tc.chosen, Dest: tc.dest}, got, tc.name)
	}

	intoNothing := link("into-nothing", filepath.Join(dir, "gone", "x.txt"))
	_, err := Follow(intoNothing)
	var missing *MissingFolderError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, MissingFolderError{Link: intoNothing, Target: filepath.Join(dir, "gone", "x.txt")}, *missing)

	loop := link("loop", "loop")
	_, err = Follow(loop)
	assert.ErrorIs(t, err, syscall.ELOOP)
}
