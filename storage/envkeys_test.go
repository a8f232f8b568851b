package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rows stored before environments were keyed in normal form, under other
// spellings of one server, are found under its normal form after the
// upgrade: the queue, the folders being listed, the history and the
// settings' accounts; nothing is lost, and the two spellings are one queue.
func TestRowsOfEverySpellingOfAServerAreOneEnvironment(t *testing.T) {
	const normal, acct = "http://127.0.0.1:8787", "a@example.com"
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	spellings := []string{"HTTP://127.0.0.1:8787", "http://127.0.0.1:8787/", normal, "Http://127.0.0.1:8787//"}
	for i, env := range spellings {
		require.NoError(t, d.InsertJobs([]JobRow{{Env: env, Account: acct, LocalPath: "/f" + string(rune('a'+i)), State: JobQueued}}))
		require.NoError(t, d.InsertWalks([]WalkRow{{BatchID: "b", Env: env, Account: acct, Path: "/d" + string(rune('a'+i))}}))
		_, err := d.AddHistory(HistoryEntry{Env: env, Account: acct, Name: "h" + string(rune('a'+i)), Hash: "QmA", Verified: true})
		require.NoError(t, err)
	}
	require.NoError(t, d.InsertJobs([]JobRow{{Env: "production", Account: acct, LocalPath: "/p", State: JobQueued}}))
	d = reopenAsVersion13(t, d, dir, `{"last_env": "HTTPS://Dstor.Example.com:443/", "remembered_accounts": [
			{"env": "HTTP://127.0.0.1:8787", "account": "a@example.com", "method": "api-key"},
			{"env": "http://127.0.0.1:8787", "account": "a@example.com", "method": "password"},
			{"env": "production", "account": "a@example.com", "method": "api-key"}]}`)

	counts, err := d.JobCounts(normal, acct)
	require.NoError(t, err)
	assert.Equal(t, len(spellings), counts[JobQueued].Jobs, "every spelling's queued files are in the one queue")
	counts, err = d.JobCounts("production", acct)
	require.NoError(t, err)
	assert.Equal(t, 1, counts[JobQueued].Jobs, "production's queue as it was")
	walks, err := d.Walks(normal, acct)
	require.NoError(t, err)
	assert.Len(t, walks, len(spellings), "every spelling's folders being listed")
	page, err := d.HistoryPage(HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, page, len(spellings), "no upload lost")
	for _, e := range page {
		assert.Equal(t, normal, e.Env, "%s", e.Name)
	}
	var left int
	require.NoError(t, d.r.QueryRow(`SELECT
		(SELECT count(*) FROM jobs WHERE env NOT IN (?, 'production')) +
		(SELECT count(*) FROM walks WHERE env != ?) +
		(SELECT count(*) FROM history WHERE env != ?)`, normal, normal, normal).Scan(&left))
	assert.Zero(t, left, "no row is left under another spelling")

	s, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, "https://dstor.example.com", s.LastEnv)
	assert.Equal(t, []RememberedAccount{
		{Env: normal, Account: acct, Method: MethodAPIKey, FiledUnder: "HTTP://127.0.0.1:8787"},
		{Env: "production", Account: acct, Method: MethodAPIKey},
	}, s.RememberedAccounts, "one account per server, the most recent first, with the spelling its secrets are filed under")
	s = s.WithRememberedAccount(RememberedAccount{Env: normal, Account: acct, Method: MethodPassword})
	assert.Equal(t, RememberedAccount{Env: normal, Account: acct, Method: MethodPassword, FiledUnder: "HTTP://127.0.0.1:8787"},
		s.RememberedAccounts[0], "signed in again: the secrets filed under the old spelling are still its own")
	assert.Len(t, s.RememberedAccounts, 2)
	s = s.WithoutRememberedAccount("HTTP://127.0.0.1:8787/", acct)
	assert.Equal(t, []RememberedAccount{{Env: "production", Account: acct, Method: MethodAPIKey}}, s.RememberedAccounts,
		"forgotten by any spelling")
}

// dStor's own services are keyed by name ("production", "testnet"), not
// by their URL, however it was spelled: rows and accounts stored under a
// spelling of their URL before ("HTTPS://API.dstor.cloud:443", typed as a
// custom base) are found under the name after the upgrade. Filed under the
// URL's normal form, the queue never ran again and the account was not
// remembered.
func TestRowsOfANamedServiceSpelledAsAURLAreFiledUnderItsName(t *testing.T) {
	const acct = "a@example.com"
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	for i, c := range []struct{ stored, want string }{
		{"HTTPS://API.dstor.cloud:443", "production"},
		{"https://API.testnet.dstor.cloud", "testnet"},
	} {
		require.NoError(t, d.InsertJobs([]JobRow{{Env: c.stored, Account: acct, LocalPath: "/f" + c.want, State: JobQueued}}))
		require.NoError(t, d.InsertWalks([]WalkRow{{BatchID: "b", Env: c.stored, Account: acct, Path: "/d" + c.want}}))
		_, err := d.AddHistory(HistoryEntry{Env: c.stored, Account: acct, Name: "h" + string(rune('a'+i)), Hash: "QmA", Verified: true})
		require.NoError(t, err)
	}
	d = reopenAsVersion13(t, d, dir, `{"last_env": "HTTPS://API.dstor.cloud/", "remembered_accounts": [
			{"env": "HTTPS://API.dstor.cloud:443", "account": "a@example.com", "method": "api-key"}]}`)
	for _, env := range []string{"production", "testnet"} {
		counts, err := d.JobCounts(env, acct)
		require.NoError(t, err)
		assert.Equal(t, 1, counts[JobQueued].Jobs, "%s's queued file", env)
		walks, err := d.Walks(env, acct)
		require.NoError(t, err)
		assert.Len(t, walks, 1, "%s's folder being listed", env)
	}
	page, err := d.HistoryPage(HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.ElementsMatch(t, []string{"production", "testnet"}, []string{page[0].Env, page[1].Env})

	s, err := d.LoadSettings()
	require.NoError(t, err)
	assert.Equal(t, "production", s.LastEnv)
	assert.Equal(t, []RememberedAccount{{Env: "production", Account: acct, Method: MethodAPIKey, FiledUnder: "HTTPS://API.dstor.cloud:443"}},
		s.RememberedAccounts, "remembered under the name, its secrets found under the spelling they were filed under")
	assert.Empty(t, s.WithoutRememberedAccount("https://api.dstor.cloud", acct).RememberedAccounts, "forgotten by its URL too")
}

// reopenAsVersion13 gives d the app settings settings (JSON, as written
// before environments were keyed in normal form), marks it as a database
// of schema 13, closes it and opens it again, so the migrations since run
// over its rows as they would at an upgrade.
func reopenAsVersion13(t *testing.T, d *DB, dir, settings string) *DB {
	t.Helper()
	_, err := d.w.Exec(`INSERT INTO settings (key, value) VALUES ('app', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, settings)
	require.NoError(t, err)
	_, err = d.w.Exec(`PRAGMA user_version = 13`)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	d, err = Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}
