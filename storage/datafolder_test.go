package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestInDataFolderAtEveryDepth: the guard of the window's saves (Export…,
// a QR code's Save as PNG…) compared the path's folder with the data
// folder, and its hard links with the files of the data folder and of its
// locks folder only: a path in a folder under the data folder (the Local
// sandbox's store, its thumbnails, its index pages), or a hard link
// elsewhere to a file there, passed, and the save truncated that file. Now
// any depth of the folders dStor Uploader keeps there is refused, found by
// identity, and a path outside (a new file, a file of its own, a copy of a
// file of the data folder), or in a folder of the person's own in a data
// folder given with --home, is not.
func TestInDataFolderAtEveryDepth(t *testing.T) {
	d := openTestDB(t)
	data := filepath.Dir(d.Path())
	write := func(p, text string) string {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	blob := write(filepath.Join(data, "sandbox", "blobs", "bafkreiexample"), "an upload to the Local sandbox")
	deep := write(filepath.Join(data, "index-pages", "1", "a", "b", "index.html"), "<p>an index page</p>")
	lock := write(filepath.Join(data, "locks", "x.lock"), "")
	// A data folder given with --home can be a folder of the person's own
	// (their home folder): its other folders are theirs.
	theirs := write(filepath.Join(data, "Documents", "notes.txt"), "the person's own notes")
	out := t.TempDir()
	link := func(name, to string) string {
		p := filepath.Join(out, name)
		require.NoError(t, os.Link(to, p))
		return p
	}
	// symlink makes a link at name to to, or gives "" where no link that
	// can be followed can be made (testfs.NoSymlinks).
	symlink := func(name, to string) string {
		p := filepath.Join(out, name)
		if !testfs.Symlink(t, to, p) || !testfs.Resolves(p) {
			return ""
		}
		return p
	}

	for _, tc := range []struct {
		name string
		path func() string
		want bool
	}{
		{"the database", func() string { return d.Path() }, true},
		{"a new file in the data folder", func() string { return filepath.Join(data, "export.csv") }, true},
		{"a lock", func() string { return lock }, true},
		{"a file of the Local sandbox's store", func() string { return blob }, true},
		{"a new file in a folder under the data folder", func() string { return filepath.Join(data, "sandbox", "meta", "export.csv") }, true},
		{"a file four folders down", func() string { return deep }, true},
		{"a hard link to the database", func() string { return link("history.csv", d.Path()) }, true},
		{"a hard link to a lock", func() string { return link("lock.csv", lock) }, true},
		{"a hard link to a file of the sandbox's store", func() string { return link("blob.csv", blob) }, true},
		{"a hard link to a file four folders down", func() string { return link("page.csv", deep) }, true},
		{"through a link to a folder under the data folder", func() string {
			if store := symlink("store", filepath.Join(data, "sandbox", "blobs")); store != "" {
				return filepath.Join(store, "export.csv")
			}
			return ""
		}, true},
		{"a file in a folder of the person's own there", func() string { return theirs }, false},
		{"a new file in a folder of the person's own there", func() string { return filepath.Join(data, "Documents", "export.csv") }, false},
		{"a hard link to a file in a folder of the person's own there", func() string { return link("notes.csv", theirs) }, false},
		{"a new file elsewhere", func() string { return filepath.Join(out, "export.csv") }, false},
		{"a file elsewhere", func() string { return write(filepath.Join(out, "mine.csv"), "mine") }, false},
		{"a copy of a file of the store, same size", func() string {
			return write(filepath.Join(out, "copy"), "an upload to the Local sandbox")
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path()
			if p == "" {
				t.Skip(testfs.NoSymlinks)
			}
			assert.Equal(t, tc.want, d.InDataFolder(p))
		})
	}
}

// TestInDataFolderThroughLinksItHolds: a data folder may hold a link where
// a file or folder of its own would be — the history database, or the
// Local sandbox's store, moved to a larger disk and linked back. What the
// link leads to is the data folder's file all the same: a save onto the
// database where it really is, or onto a hard link elsewhere to a file of
// the store where it really is, would truncate it; so would a save onto
// the database's journal, which SQLite keeps beside the file the link
// leads to. Another file in the folder the database was moved to is the
// person's own.
func TestInDataFolderThroughLinksItHolds(t *testing.T) {
	data, moved, out := t.TempDir(), t.TempDir(), t.TempDir()
	write := func(p, text string) string {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	symlink := func(to, p string) { testfs.SymlinkOrSkip(t, to, p) }
	blob := write(filepath.Join(moved, SandboxFolder, "blobs", "bafkreiexample"), "an upload to the Local sandbox")
	symlink(filepath.Join(moved, SandboxFolder), filepath.Join(data, SandboxFolder))
	if !testfs.Resolves(filepath.Join(data, SandboxFolder)) { // the database's link is made before its file
		t.Skip(testfs.NoSymlinks)
	}
	realDB := filepath.Join(moved, "db", DBFileName)
	require.NoError(t, os.MkdirAll(filepath.Dir(realDB), 0o700))
	symlink(realDB, filepath.Join(data, DBFileName))
	d, err := Open(data)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	_, err = d.AddHistory(HistoryEntry{JobID: "job-1", Name: "a.txt"})
	require.NoError(t, err)
	require.FileExists(t, realDB+"-wal", "SQLite's journal is beside the file the link leads to")
	link := func(name, to string) string {
		p := filepath.Join(out, name)
		require.NoError(t, os.Link(to, p))
		return p
	}

	for _, tc := range []struct {
		name string
		path func() string
		want bool
	}{
		{"the database where it really is", func() string { return realDB }, true},
		{"a hard link to the database", func() string { return link("history.csv", realDB) }, true},
		{"its journal where it really is", func() string { return realDB + "-wal" }, true},
		{"a new file named as its journal, where it really is", func() string { return realDB + "-journal" }, true},
		{"a hard link to its journal", func() string { return link("wal.csv", realDB+"-wal") }, true},
		{"a file of the store where it really is", func() string { return blob }, true},
		{"a hard link to a file of the store", func() string { return link("blob.csv", blob) }, true},
		{"a new file beside the database where it really is", func() string {
			return filepath.Join(filepath.Dir(realDB), "export.csv")
		}, false},
		{"a file elsewhere", func() string { return write(filepath.Join(out, "mine.csv"), "mine") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, d.InDataFolder(tc.path()))
		})
	}
}
