package storage

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFindUploaded(t *testing.T) {
	// Paths as the platform writes them: UploadedIn splits at its separator.
	d := openTestDB(t)
	v := FileVersion{Size: 1234, ModTime: time.Unix(1_700_000_000, 5), ChangeTime: time.Unix(1_700_000_100, 7), ID: "2049:77"}
	parent := int64(9)
	entry := HistoryEntry{Env: "testnet", Account: "a@example.com", LocalPath: filepath.FromSlash("/home/a/x.pdf"), Name: "x.pdf",
		Size: v.Size, Hash: "QmX", Verified: true, FolderPath: "/docs/", File: v,
		FinishedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	_, err := d.AddHistory(entry)
	require.NoError(t, err)
	other := entry
	other.FolderPath, other.ParentID, other.Hash = "", &parent, "QmP"
	_, err = d.AddHistory(other)
	require.NoError(t, err)

	// Loaded for the file itself and for folders above it: the same answer.
	find := func(q UploadedQuery) (HistoryEntry, bool) {
		t.Helper()
		var first HistoryEntry
		var firstOK bool
		for i, in := range []string{q.LocalPath, filepath.FromSlash("/home/a"), filepath.FromSlash("/")} {
			u, err := d.UploadedIn(q.Env, q.Account, in)
			require.NoError(t, err)
			e, ok := u.Find(q)
			if i == 0 {
				first, firstOK = e, ok
				continue
			}
			require.Equal(t, firstOK, ok, "loaded for %s", in)
			require.Equal(t, first.ID, e.ID, "loaded for %s", in)
		}
		return first, firstOK
	}
	q := UploadedQuery{Env: "testnet", Account: "a@example.com", LocalPath: filepath.FromSlash("/home/a/x.pdf"), FolderPath: "/docs/", File: v}
	got, ok := find(q)
	require.True(t, ok)
	assert.Equal(t, "QmX", got.Hash)
	assert.True(t, got.FinishedAt.Equal(entry.FinishedAt))

	byParent := q
	byParent.FolderPath, byParent.ParentID = "", &parent
	got, ok = find(byParent)
	require.True(t, ok, "by parent folder id")
	assert.Equal(t, "QmP", got.Hash)

	for name, change := range map[string]func(*UploadedQuery){
		"another size":        func(q *UploadedQuery) { q.File.Size++ },
		"another mtime":       func(q *UploadedQuery) { q.File.ModTime = q.File.ModTime.Add(time.Nanosecond) },
		"another ctime":       func(q *UploadedQuery) { q.File.ChangeTime = q.File.ChangeTime.Add(time.Second) },
		"another inode":       func(q *UploadedQuery) { q.File.ID = "2049:78" },
		"another path":        func(q *UploadedQuery) { q.LocalPath = filepath.FromSlash("/home/a/y.pdf") },
		"another folder":      func(q *UploadedQuery) { q.FolderPath = "/other/" },
		"another parent":      func(q *UploadedQuery) { q.FolderPath, q.ParentID = "", new(int64) },
		"another account":     func(q *UploadedQuery) { q.Account = "b@example.com" },
		"another environment": func(q *UploadedQuery) { q.Env = "production" },
		"an unknown version":  func(q *UploadedQuery) { q.File = FileVersion{} },
	} {
		q2 := q
		change(&q2)
		_, ok := find(q2)
		assert.False(t, ok, name)
	}

	unverified := entry
	unverified.LocalPath, unverified.Verified = filepath.FromSlash("/home/a/z.pdf"), false
	_, err = d.AddHistory(unverified)
	require.NoError(t, err)
	q.LocalPath = unverified.LocalPath
	_, ok = find(q)
	assert.False(t, ok, "only a verified upload counts")

	// A sibling whose name only starts like the folder is not in it.
	sibling := entry
	sibling.LocalPath = filepath.FromSlash("/home/ab/x.pdf")
	_, err = d.AddHistory(sibling)
	require.NoError(t, err)
	u, err := d.UploadedIn("testnet", "a@example.com", filepath.FromSlash("/home/a"))
	require.NoError(t, err)
	assert.Len(t, u.byPath, 1, "only /home/a/x.pdf")
}

// The lookup runs for every file or folder added: an index range scan.
func TestUploadedInUsesItsIndex(t *testing.T) {
	d := openTestDB(t)
	rows, err := d.r.Query(`EXPLAIN QUERY PLAN `+uploadedSQL, "a", "e", "/p", "/p/\xff")
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	joined := strings.Join(plan, "; ")
	assert.Contains(t, joined, "USING INDEX history_uploaded", joined)
	assert.NotContains(t, joined, "SCAN history", joined)
}
