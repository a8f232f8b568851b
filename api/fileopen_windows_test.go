package api

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestListedFileRefusesJunctionsBelowTheFolder: on Windows the no-link rule
// below the chosen folder covers junctions too (mount points, which any
// user can make), whether they lead out of the folder or stay inside it; a
// junction in the chosen folder's own path is the person's choice.
func TestListedFileRefusesJunctionsBelowTheFolder(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "private.txt"), []byte("private"), 0o600))
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(sub, "ok.txt"), []byte("fine"), 0o644))
	testfs.JunctionOrSkip(t, outside, filepath.Join(root, "out"))
	testfs.JunctionOrSkip(t, sub, filepath.Join(root, "in"))

	_, _, err := ListedFile(root, filepath.Join(sub, "ok.txt"))
	require.NoError(t, err)
	for _, p := range []string{
		filepath.Join(root, "out", "private.txt"),
		filepath.Join(root, "in", "ok.txt"),
	} {
		_, _, err := ListedFile(root, p)
		require.Error(t, err, p)
		assert.ErrorIs(t, err, ErrNotListedFile, p)
		assert.Contains(t, Human(err), "not followed", p)
	}

	alias := filepath.Join(t.TempDir(), "alias")
	testfs.JunctionOrSkip(t, root, alias)
	_, _, err = ListedFile(alias, filepath.Join(alias, "sub", "ok.txt"))
	require.NoError(t, err)
}

// TestNameSurrogateTags: the reparse points that stand for another file
// (refused below the chosen folder) against those that are the file itself
// (opened through their filter).
func TestNameSurrogateTags(t *testing.T) {
	for tag, surrogate := range map[uint32]bool{
		0xA000000C: true,  // IO_REPARSE_TAG_SYMLINK
		0xA0000003: true,  // IO_REPARSE_TAG_MOUNT_POINT (a junction)
		0xA000001D: true,  // IO_REPARSE_TAG_LX_SYMLINK (WSL)
		0x80000013: false, // IO_REPARSE_TAG_DEDUP
		0x9000001A: false, // IO_REPARSE_TAG_CLOUD (OneDrive)
		0x80000017: false, // IO_REPARSE_TAG_WOF (compressed system files)
		0x8000001B: false, // IO_REPARSE_TAG_APPEXECLINK
	} {
		assert.Equal(t, surrogate, isNameSurrogate(tag), "%#x", tag)
	}
}
