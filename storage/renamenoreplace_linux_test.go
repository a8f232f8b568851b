package storage

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// noRenameNoReplaceNorLinks makes renameNoReplace meet, for the test, a
// file system with neither RENAME_NOREPLACE (EINVAL) nor hard links
// (EPERM), as a FUSE mount of an exFAT stick or of a cloud drive is. As
// there, the names are looked up first: ENOENT for from gone, EEXIST for
// to taken.
func noRenameNoReplaceNorLinks(t *testing.T) {
	rename, link := renameat2, linkFile
	t.Cleanup(func() { renameat2, linkFile = rename, link })
	refused := func(from, to string, err error) error {
		if _, lerr := os.Lstat(from); lerr != nil {
			return unix.ENOENT
		}
		if _, lerr := os.Lstat(to); lerr == nil {
			return unix.EEXIST
		}
		return err
	}
	renameat2 = func(_ int, from string, _ int, to string, _ uint) error { return refused(from, to, unix.EINVAL) }
	linkFile = func(from, to string) error {
		return &os.LinkError{Op: "link", Old: from, New: to, Err: refused(from, to, unix.EPERM)}
	}
}

// TestQuitsKeepTheirLinksOnAFileSystemWithoutHardLinks: a data folder on
// a file system with neither a rename that keeps a file there nor hard
// links: quits that cannot record their uploads still keep each its
// links in a file of its own (os.Rename did, before renames had to keep
// a file there), quits in the same second too, and leave nothing else.
func TestQuitsKeepTheirLinksOnAFileSystemWithoutHardLinks(t *testing.T) {
	noRenameNoReplaceNorLinks(t)
	const quits, rounds = 4, 20
	now := time.Now()
	for i := range rounds {
		dir := t.TempDir()
		quitAtOnce(t, dir, quits, now, i)
		left, err := filepath.Glob(filepath.Join(dir, ".*"))
		require.NoError(t, err)
		assert.Empty(t, left, "round %d: no temporary file left", i)
	}
}

// TestATempFileGoneMeanwhileLeavesNoFileOnAFileSystemWithoutHardLinks:
// of two starts placing a killed quit's temporary file on such a file
// system, the one that finds it gone (the other placed it just after this
// one's link was refused) puts nothing in the folder.
func TestATempFileGoneMeanwhileLeavesNoFileOnAFileSystemWithoutHardLinks(t *testing.T) {
	noRenameNoReplaceNorLinks(t)
	dir := t.TempDir()
	tmp, other := filepath.Join(dir, ".unrecorded-uploads-1.tmp"), filepath.Join(dir, "unrecorded-uploads-x-2.txt")
	require.NoError(t, os.WriteFile(tmp, []byte("a killed quit's"), 0o600))
	refuse := linkFile
	linkFile = func(from, to string) error {
		err := refuse(from, to)
		require.NoError(t, os.Rename(tmp, other), "the other start")
		return err
	}

	_, err := renameToUnused(tmp, filepath.Join(dir, "unrecorded-uploads-x"))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Equal(t, []string{other}, unrecordedFiles(t, dir), "the other start's only")
}
