package storage

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMigrateV21GivesOldSkipsByDesignTheirReason: a folder's entries a
// version before jobs.reason (schema 11 or before) skipped by design
// (a symbolic link, a junction, a pipe, socket, device or other special
// file, an empty folder) have only their English sentence, so they
// counted as files the share lacks (droppedSQL), and once migrateV20 gave
// them their folder, history --folder called a share not whole for a link
// in it. The first open of such a history gives each the reason its
// sentence says; a skip whose sentence says no skip by design (a file
// that could not be read) still counts. Migrating again changes nothing.
func TestMigrateV21GivesOldSkipsByDesignTheirReason(t *testing.T) {
	folder := stoppedTestFolder
	in := func(name string) string { return filepath.Join(folder, name) }
	skip := func(name, sentence string) JobRow {
		return JobRow{BatchID: "b1", Env: "testnet", Account: "someone@example.com", LocalPath: in(name), Name: name,
			State: JobSkipped, Error: sentence}
	}
	notRegular := func(kind string) string {
		return "this is " + kind + ", not a regular file — only regular files are uploaded"
	}
	want := map[string]string{
		"link.jpg": "symlink", "jn": "junction", "empty": "empty-folder", "fifo": "pipe", "sock": "socket",
		"null": "device", "door": "special-file", "lnk": "symlink", "c.jpg": "",
	}
	rows := []JobRow{
		skip("link.jpg", "symbolic link — not followed; add the target itself"),
		skip("jn", "junction (a link to another folder) — not followed; add the target itself"),
		skip("empty", "folder is empty"),
		skip("fifo", notRegular("a named pipe")), skip("sock", notRegular("a socket")),
		skip("null", notRegular("a device")), skip("door", notRegular("a special file")),
		skip("lnk", notRegular("a symbolic link")),
		skip("c.jpg", "open "+in("c.jpg")+": permission denied"),
		{BatchID: "b1", Env: "testnet", Account: "someone@example.com", LocalPath: in("a.jpg"), Name: "a.jpg",
			Beneath: folder, State: JobDone},
	}
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	require.NoError(t, d.InsertListing(rows, nil, FolderKey{Folder: folder, BatchID: "b1"}))
	_, err = d.w.Exec(`PRAGMA user_version = 19`) // migrateV20 gives them their folder first
	require.NoError(t, err)

	migratedTwice(t, d, dir, 19, func(d *DB) {
		left, err := d.FolderLeftOf(FolderKey{Folder: folder, BatchID: "b1"})
		require.NoError(t, err)
		assert.Equal(t, FolderLeft{Dropped: 1}, left, "only the file that could not be read")
		for _, r := range rows[:len(rows)-1] {
			var reason, sentence string
			require.NoError(t, d.r.QueryRow(`SELECT reason, error FROM jobs WHERE id = ?`, r.ID).Scan(&reason, &sentence))
			assert.Equal(t, want[r.Name], reason, r.Name)
			assert.Equal(t, r.Error, sentence, "%s keeps its sentence", r.Name)
		}
	})
}
