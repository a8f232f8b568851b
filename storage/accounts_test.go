package storage

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAccountNames: the names an account's rows are filed under (its email
// for a password sign-in, its id for its API key) are found from its id,
// per environment, and a note is written only when it is news.
func TestAccountNames(t *testing.T) {
	d := openTestDB(t)
	const id = "352457c0-80b4-5683-b8a8-04f59e9e06d2"
	names, err := d.AccountNames("testnet", id)
	require.NoError(t, err)
	assert.Equal(t, []string{id}, names, "an API key's name is the id itself")

	require.NoError(t, d.NoteAccountID("testnet", "a@example.com", id))
	require.NoError(t, d.NoteAccountID("testnet", id, id))
	require.NoError(t, d.NoteAccountID("testnet", "b@example.com", "another-id"))
	require.NoError(t, d.NoteAccountID("production", "c@example.com", id))
	require.NoError(t, d.NoteAccountID("testnet", "d@example.com", ""))
	names, err = d.AccountNames("testnet", id)
	require.NoError(t, err)
	assert.Equal(t, []string{id, "a@example.com"}, names)

	commits := d.Commits()
	require.NoError(t, d.NoteAccountID("testnet", "a@example.com", id))
	assert.Equal(t, commits, d.Commits(), "nothing new, nothing written")
	require.NoError(t, d.NoteAccountID("testnet", "a@example.com", "another-id"))
	names, err = d.AccountNames("testnet", id)
	require.NoError(t, err)
	assert.Equal(t, []string{id}, names, "an email now of another account")
}

// TestFindUploadedUnderOtherNames: a file uploaded under one of an
// account's names is found already uploaded under another, the newest
// upload first whichever name it was filed under.
func TestFindUploadedUnderOtherNames(t *testing.T) {
	d := openTestDB(t)
	const id = "352457c0-80b4-5683-b8a8-04f59e9e06d2"
	v := FileVersion{Size: 10, ModTime: time.Unix(1_700_000_000, 5), ChangeTime: time.Unix(1_700_000_100, 7), ID: "2049:77"}
	p := filepath.FromSlash("/home/a/x.pdf")
	add := func(account, hash string) {
		_, err := d.AddHistory(HistoryEntry{Env: "testnet", Account: account, LocalPath: p, Name: "x.pdf",
			Size: v.Size, Hash: hash, Verified: true, FolderPath: "/docs/", File: v, FinishedAt: time.Now()})
		require.NoError(t, err)
	}
	add("a@example.com", "QmOld")
	add(id, "QmNew")
	add("b@example.com", "QmOther")
	q := UploadedQuery{Env: "testnet", Account: id, LocalPath: p, FolderPath: "/docs/", File: v}

	u, err := d.UploadedIn("testnet", id, filepath.Dir(p), id, "a@example.com")
	require.NoError(t, err)
	e, ok := u.Find(q)
	require.True(t, ok)
	assert.Equal(t, "QmNew", e.Hash, "the newest")

	q.Account = "a@example.com"
	u, err = d.UploadedIn("testnet", "a@example.com", p, id)
	require.NoError(t, err)
	e, ok = u.Find(q)
	require.True(t, ok)
	assert.Equal(t, "QmNew", e.Hash, "the newest, filed under the id")

	u, err = d.UploadedIn("testnet", "c@example.com", p)
	require.NoError(t, err)
	q.Account = "c@example.com"
	_, ok = u.Find(q)
	assert.False(t, ok, "not another account's")
}
