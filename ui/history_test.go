package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// fixedNow is the clock of history tests and goldens.
var fixedNow = time.Date(2026, 5, 20, 16, 0, 0, 0, time.UTC)

// seedHistory adds n entries named file-000.txt… plus two with words to
// search for, all with fixed times.
func seedHistory(t *testing.T, db *storage.DB, n int) {
	t.Helper()
	hashes := []string{
		"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
		"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
		"QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT",
	}
	add := func(i int, name, folder, comment string) {
		_, err := db.AddHistory(storage.HistoryEntry{
			JobID: fmt.Sprintf("job-%d", i), Env: api.SandboxKey, Account: "demo", Name: name,
			Size: int64(1000 * (i + 1)), Hash: hashes[i%len(hashes)], Verified: i%5 != 4,
			FolderPath: folder, Comment: comment,
			StartedAt: fixedNow.Add(-time.Duration(i+1) * time.Hour), FinishedAt: fixedNow.Add(-time.Duration(i) * time.Hour),
		})
		require.NoError(t, err)
	}
	for i := 0; i < n; i++ {
		add(i, fmt.Sprintf("file-%03d.txt", i), "/photos/2026/", "")
	}
	add(n, "holiday-beach.jpg", "/photos/2026/", "Spring trip")
	add(n+1, "invoice-march.pdf", "/invoices/", "")
}

func TestHistorySearchAndPaging(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 250)
	e.ui(func() {
		a.now = func() time.Time { return fixedNow }
		a.history.reload()
	})
	e.eventually(func() bool { return len(a.history.entries) == historyPageSize }, "first page")
	e.ui(func() {
		assert.Equal(t, "252 uploads", a.history.count.Text)
		assert.Equal(t, "file-000.txt", a.history.entries[0].Name, "newest first")
		a.history.loadMore()
	})
	e.eventually(func() bool { return len(a.history.entries) == 2*historyPageSize }, "second page")

	e.ui(func() { test.Type(a.history.search, "beach") })
	e.eventually(func() bool { return len(a.history.entries) == 1 }, "search filters as you type")
	e.ui(func() {
		assert.Equal(t, "holiday-beach.jpg", a.history.entries[0].Name)
		assert.Equal(t, "1 match", a.history.count.Text)
		a.history.search.SetText("no-such-thing")
	})
	e.eventually(func() bool { return len(a.history.entries) == 0 && a.history.empty.Visible() }, "nothing matches")
	e.ui(func() { assert.Contains(t, a.history.empty.Text, "no-such-thing") })
}

func TestHistoryDeleteAndExport(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 3)
	e.ui(func() { a.history.reload() })
	e.eventually(func() bool { return len(a.history.entries) == 5 }, "loaded")
	var id int64
	e.ui(func() {
		id = a.history.entries[0].ID
		a.history.deleteEntry(id)
	})
	e.eventually(func() bool { return len(a.history.entries) == 4 }, "deleted")
	e.ui(func() {
		_, ok := a.history.entry(id)
		assert.False(t, ok)
	})

	out := filepath.Join(t.TempDir(), "export.csv")
	e.ui(func() { a.history.exportToPath(out, "csv", storage.ExportOptions{}) })
	e.eventually(func() bool { return a.toast.Visible() && strings.Contains(a.toast.Text, "export.csv") }, "exported")
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 5, strings.Count(string(b), "\n"), "header and 4 rows")
	st, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
}

func TestFindShortcutFocusesSearch(t *testing.T) {
	e := newTestEnv(t)
	e.signInSandbox()
	e.ui(func() {
		e.a.onFind()
		assert.Equal(t, e.a.historyTab, e.a.tabs.Selected())
		assert.Equal(t, e.a.history.search, e.a.win.Canvas().Focused())
	})
}

// TestHistoryRowShowsServerNameApart: the local name is the row's name; a
// different name dStor answered is shown as dStor's, never in its place.
func TestHistoryRowShowsServerNameApart(t *testing.T) {
	e := newTestEnv(t)
	e.ui(func() {
		r := newHistoryRow(e.a.history)
		r.set(storage.HistoryEntry{ID: 1, Name: "report.pdf", ServerName: "renamed by server", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Verified: true, FinishedAt: fixedNow})
		assert.Equal(t, "report.pdf", r.name.Text)
		assert.Contains(t, r.detail.Text, "dStor named it “renamed by server”")
		r.set(storage.HistoryEntry{ID: 2, Name: "same.pdf", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
		assert.NotContains(t, r.detail.Text, "dStor named it", "a recycled row drops the old server name")
	})
}
