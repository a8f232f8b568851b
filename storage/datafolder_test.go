package storage

import (
	"os"
	"path/filepath"
	"strings"
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
// folder given with --home, is not. A file elsewhere that is the same file
// as one there (a hard or symbolic link) is told from a path in the data
// folder, so that the window says which the person picked.
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

	checkPlaces(t, d, []placeCase{
		{"the database", func() string { return d.Path() }, InsideDataFolder},
		{"a new file in the data folder", func() string { return filepath.Join(data, "export.csv") }, InsideDataFolder},
		{"a lock", func() string { return lock }, InsideDataFolder},
		{"a file of the Local sandbox's store", func() string { return blob }, InsideDataFolder},
		{"a new file in a folder under the data folder", func() string { return filepath.Join(data, "sandbox", "meta", "export.csv") }, InsideDataFolder},
		{"a file four folders down", func() string { return deep }, InsideDataFolder},
		{"a hard link to the database", func() string { return link("history.csv", d.Path()) }, LinkIntoDataFolder},
		{"a hard link to a lock", func() string { return link("lock.csv", lock) }, LinkIntoDataFolder},
		{"a hard link to a file of the sandbox's store", func() string { return link("blob.csv", blob) }, LinkIntoDataFolder},
		{"a hard link to a file four folders down", func() string { return link("page.csv", deep) }, LinkIntoDataFolder},
		{"a symbolic link to the database", func() string { return symlink("history.txt", d.Path()) }, LinkIntoDataFolder},
		{"through a link to a folder under the data folder", func() string {
			if store := symlink("store", filepath.Join(data, "sandbox", "blobs")); store != "" {
				return filepath.Join(store, "export.csv")
			}
			return ""
		}, InsideDataFolder},
		{"a file in a folder of the person's own there", func() string { return theirs }, OutsideDataFolder},
		{"a new file in a folder of the person's own there", func() string { return filepath.Join(data, "Documents", "export.csv") }, OutsideDataFolder},
		{"a hard link to a file in a folder of the person's own there", func() string { return link("notes.csv", theirs) }, OutsideDataFolder},
		{"a new file elsewhere", func() string { return filepath.Join(out, "export.csv") }, OutsideDataFolder},
		{"a file elsewhere", func() string { return write(filepath.Join(out, "mine.csv"), "mine") }, OutsideDataFolder},
		{"a copy of a file of the store, same size", func() string {
			return write(filepath.Join(out, "copy"), "an upload to the Local sandbox")
		}, OutsideDataFolder},
	})
}

// TestInDataFolderThroughLinksItHolds: a data folder may hold a link where
// a file or folder of its own would be — the history database, or the
// Local sandbox's store, moved to a larger disk and linked back. What the
// link leads to is the data folder's file all the same: a save onto the
// database where it really is, or onto a hard link elsewhere to a file of
// the store where it really is, would truncate it; so would a save onto
// the database's journal, which SQLite keeps beside the file the link
// leads to. A new file there under a name of its journal is no file to
// overwrite, but one SQLite could take for the database's own
// (NewJournalBesideDatabase: it was said to be that file, which would be
// overwritten). Another file in the folder the database was moved to is
// the person's own, also one whose name begins with the database's but
// is none SQLite gives (it was refused as the database's file).
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

	checkPlaces(t, d, []placeCase{
		{"the database where it really is", func() string { return realDB }, LinkIntoDataFolder},
		{"a hard link to the database", func() string { return link("history.csv", realDB) }, LinkIntoDataFolder},
		{"its journal where it really is", func() string { return realDB + "-wal" }, LinkIntoDataFolder},
		{"a new file named as its journal, where it really is", func() string { return realDB + "-journal" }, NewJournalBesideDatabase},
		{"a new file named as its journal in other letter case, where it really is", func() string {
			return filepath.Join(filepath.Dir(realDB), strings.ToUpper(DBFileName)+"-JOURNAL")
		}, NewJournalBesideDatabase},
		{"its shared memory file where it really is", func() string { return realDB + "-shm" }, LinkIntoDataFolder},
		{"a new file whose name begins with the database's, where it really is", func() string { return realDB + ".csv" }, OutsideDataFolder},
		{"a file whose name begins with the database's, where it really is", func() string {
			return write(realDB+"-notes.txt", "mine")
		}, OutsideDataFolder},
		{"a hard link to its journal", func() string { return link("wal.csv", realDB+"-wal") }, LinkIntoDataFolder},
		{"a file of the store where it really is", func() string { return blob }, InsideDataFolder},
		{"a hard link to a file of the store", func() string { return link("blob.csv", blob) }, LinkIntoDataFolder},
		{"a new file beside the database where it really is", func() string {
			return filepath.Join(filepath.Dir(realDB), "export.csv")
		}, OutsideDataFolder},
		{"a file elsewhere", func() string { return write(filepath.Join(out, "mine.csv"), "mine") }, OutsideDataFolder},
	})
}

// TestInDataFolderThroughALinkToANewFile: a save opens its file with
// O_CREATE, which follows a symbolic link that leads to no file yet and
// makes that file. A link elsewhere to a new name in the data folder (the
// database's -journal, not there at the moment; a blob of the Local
// sandbox's store; any name beside the database) passed the guard, as
// EvalSymlinks fails on a link to nothing, and the save made that file in
// the data folder, where the same name picked directly is refused. Such
// a link is refused as a link to a file there is, through a chain of
// links or a relative one too; a link to a new file elsewhere is not.
func TestInDataFolderThroughALinkToANewFile(t *testing.T) {
	d := openTestDB(t)
	data := filepath.Dir(d.Path())
	require.NoError(t, os.MkdirAll(filepath.Join(data, SandboxFolder, "blobs"), 0o700))
	out := t.TempDir()
	// dangling makes out/name a link to to, a file not there: made first
	// so that the link is known to lead to it where links are followed,
	// then removed. It gives "" where no such link can be made.
	dangling := func(name, to string) string {
		p := filepath.Join(out, name)
		abs := to
		if !filepath.IsAbs(to) {
			abs = filepath.Join(out, to)
		}
		require.NoError(t, os.WriteFile(abs, nil, 0o600))
		made := testfs.Symlink(t, to, p) && testfs.Resolves(p)
		require.NoError(t, os.Remove(abs))
		if !made {
			return ""
		}
		return p
	}
	relative := func(p string) string {
		rel, err := filepath.Rel(out, p)
		require.NoError(t, err)
		return rel
	}

	checkPlaces(t, d, []placeCase{
		{"a link to a new file beside the database", func() string {
			return dangling("export.json", filepath.Join(data, "export.json"))
		}, LinkToNewFileInDataFolder},
		{"a link to the database's journal, not there now", func() string {
			return dangling("journal.json", d.Path()+"-journal")
		}, LinkToNewFileInDataFolder},
		{"a link to a new file of the Local sandbox's store", func() string {
			return dangling("blob.json", filepath.Join(data, SandboxFolder, "blobs", "bafkreinew"))
		}, LinkToNewFileInDataFolder},
		{"a relative link to a new file beside the database", func() string {
			return dangling("rel.json", relative(filepath.Join(data, "export.json")))
		}, LinkToNewFileInDataFolder},
		{"a link to a link to a new file beside the database", func() string {
			second := dangling("second.json", filepath.Join(data, "export.json"))
			if second == "" {
				return ""
			}
			first := filepath.Join(out, "first.json")
			require.True(t, testfs.Symlink(t, second, first))
			return first
		}, LinkToNewFileInDataFolder},
		{"a link to a new file elsewhere", func() string {
			return dangling("mine.json", filepath.Join(out, "new.json"))
		}, OutsideDataFolder},
	})
}

// placeCase is a path made by path, and where InDataFolder must place it.
type placeCase struct {
	name string
	path func() string // "" where the file system cannot make it (a link)
	want DataFolderPlace
}

// checkPlaces runs each case as a subtest: InDataFolder of its path.
func checkPlaces(t *testing.T, d *DB, cases []placeCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.path()
			if p == "" {
				t.Skip(testfs.NoSymlinks)
			}
			assert.Equal(t, tc.want, d.InDataFolder(p))
		})
	}
}
