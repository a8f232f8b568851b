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

// TestNewestUploadFrom: the newest upload to an environment from a path,
// by any account, under either spelling of the path, for verify to say
// that a file changed since it was uploaded from there.
func TestNewestUploadFrom(t *testing.T) {
	d := openTestDB(t)
	at := func(h int) time.Time { return time.Date(2026, 12, 6, h, 0, 0, 0, time.UTC) }
	p := filepath.FromSlash
	for _, e := range []HistoryEntry{
		{Env: "testnet", Account: "a@example.com", LocalPath: p("/home/a/x.pdf"), Hash: "QmA", FinishedAt: at(10), Verified: true},
		{Env: "testnet", Account: "b@example.com", LocalPath: p("/home/a/x.pdf"), Hash: "QmB", FinishedAt: at(11), Verified: true},
		{Env: "production", Account: "a@example.com", LocalPath: p("/home/a/x.pdf"), Hash: "QmProd", FinishedAt: at(12), Verified: true},
		{Env: "testnet", Account: "a@example.com", LocalPath: p("/home/a/x.pdf2"), Hash: "QmSibling", FinishedAt: at(13), Verified: true},
		{Env: "testnet", Account: "c@example.com", LocalPath: p("/real/y.pdf"), Hash: "QmUnverified", FinishedAt: at(9)},
		{Env: "testnet", Account: "a@example.com", LocalPath: p("/home/a/z.pdf"), Hash: "QmFirst", FinishedAt: at(8), Verified: true},
		{Env: "testnet", Account: "a@example.com", LocalPath: p("/home/a/z.pdf"), Hash: "QmSameTimeLater", FinishedAt: at(8), Verified: true},
		{Env: "testnet", Account: "a@example.com", LocalPath: p("/home/a/w.pdf"), Hash: "QmLaterFinished", FinishedAt: at(7), Verified: true},
		{Env: "testnet", Account: "", LocalPath: p("/home/a/w.pdf"), Hash: "QmRecordedLater", FinishedAt: at(6), Verified: true},
	} {
		_, err := d.AddHistory(e)
		require.NoError(t, err)
	}
	tests := []struct {
		name, env, path, also string
		want                  string // the hash found, "" for none
	}{
		{"another account's newer upload", "testnet", "/home/a/x.pdf", "/home/a/x.pdf", "QmB"},
		{"the other environment's", "production", "/home/a/x.pdf", "/home/a/x.pdf", "QmProd"},
		{"none to this environment", "sandbox", "/home/a/x.pdf", "/home/a/x.pdf", ""},
		{"under the other spelling, unverified too", "testnet", "/link/y.pdf", "/real/y.pdf", "QmUnverified"},
		{"the newer of two spellings", "testnet", "/home/a/w.pdf", "/real/y.pdf", "QmUnverified"},
		{"finished at once: the one recorded last", "testnet", "/home/a/z.pdf", "/home/a/z.pdf", "QmSameTimeLater"},
		{"finished later, recorded first (an account of no name too)", "testnet", "/home/a/w.pdf", "/home/a/w.pdf", "QmLaterFinished"},
		{"no prefix of a path", "testnet", "/home/a/x", "/home/a", ""},
		{"never uploaded", "testnet", "/home/a/v.pdf", "/home/a/v.pdf", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok, err := d.NewestUploadFrom(tt.env, p(tt.path), p(tt.also))
			require.NoError(t, err)
			assert.Equal(t, tt.want != "", ok)
			assert.Equal(t, tt.want, e.Hash)
		})
	}
}

// The lookup runs for each file verify finds no upload of: a seek per
// account in history_uploaded, never a scan of the history.
func TestNewestUploadFromUsesItsIndex(t *testing.T) {
	d := openTestDB(t)
	fillHistory(t, d, 300)
	plan := queryPlan(t, d, newestFromSQL, "testnet", "/p", "/q")
	assert.Contains(t, plan, "SEARCH history USING INDEX history_uploaded (account=? AND env=? AND local_path=?)", plan)
	assert.Contains(t, plan, "SEARCH history USING COVERING INDEX history_uploaded (account>?)", plan)
	assert.NotRegexp(t, `(?m)^SCAN history`, plan)
	assert.NotContains(t, plan, "TEMP B-TREE", plan)
}
