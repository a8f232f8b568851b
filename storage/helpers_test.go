package storage

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// openTestDB opens a fresh database in a temporary directory, closed at the
// end of the test. Its file is a copy of newHistoryFile's, so Open finds
// the schema made: the tests about making it use openNewTestDB, or Open.
func openTestDB(t testing.TB) *DB {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, DBFileName), newHistoryFile(t), 0o600))
	return openTestDBIn(t, dir)
}

// openNewTestDB is openTestDB whose Open makes the history: for the tests
// of what that open does (its schema, its transactions).
func openNewTestDB(t testing.TB) *DB {
	t.Helper()
	return openTestDBIn(t, t.TempDir())
}

// openTestDBIn opens the history in dir, closed at the end of the test.
func openTestDBIn(t testing.TB, dir string) *DB {
	t.Helper()
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// newHistory is the file newHistoryFile made (or why it could not).
var newHistory struct {
	once sync.Once
	data []byte
	err  error
}

// newHistoryFile is the database file Open makes for a new history, once
// closed: made once a test binary. Making the schema is most of an open's
// time (about 1.2 s of wall time under -race on the loaded 2 cores, 0.4 s
// for a copy), and most of the package's tests only need a history to
// start from.
func newHistoryFile(t testing.TB) []byte {
	t.Helper()
	newHistory.once.Do(func() {
		dir, err := os.MkdirTemp("", "dstor-new-history-")
		if err != nil {
			newHistory.err = err
			return
		}
		defer func() { _ = os.RemoveAll(dir) }()
		d, err := Open(dir)
		if err != nil {
			newHistory.err = err
			return
		}
		if err := d.Close(); err != nil {
			newHistory.err = err
			return
		}
		newHistory.data, newHistory.err = os.ReadFile(filepath.Join(dir, DBFileName))
	})
	require.NoError(t, newHistory.err, "make the new history the tests copy")
	return newHistory.data
}

// assertHistoryCount asserts that HistoryCount(search) answers want
// without an error; msgAndArgs say what the count means, as for assert.Equal.
func assertHistoryCount(t testing.TB, d *DB, search string, want int, msgAndArgs ...any) {
	t.Helper()
	n, err := d.HistoryCount(search)
	require.NoError(t, err)
	assert.Equal(t, want, n, msgAndArgs...)
}

// assertSearchFinds asserts that the first page of the history searched
// for search holds the entries named want, in that order.
func assertSearchFinds(t testing.TB, d *DB, search string, want []string) {
	t.Helper()
	page, err := d.HistoryPage(HistoryQuery{Search: search})
	require.NoError(t, err)
	var names []string
	for _, e := range page {
		names = append(names, e.Name)
	}
	assert.Equal(t, want, names)
}

// searchCase is a search and the names of the entries its first page
// holds, in order.
type searchCase struct {
	search string
	want   []string
}

// assertSearchCases checks each case's first page and count, as a subtest,
// on d as it is and again once every entry is indexed.
func assertSearchCases(t *testing.T, d *DB, cases []searchCase) {
	t.Helper()
	for _, indexed := range []bool{false, true} {
		if indexed {
			require.NoError(t, d.indexHistory())
		}
		for _, tt := range cases {
			t.Run(fmt.Sprintf("%+.40q indexed=%v", tt.search, indexed), func(t *testing.T) {
				assertSearchFinds(t, d, tt.search, tt.want)
				assertHistoryCount(t, d, tt.search, len(tt.want))
			})
		}
	}
}

// pagedIDs reads the history a page at a time from q until a page comes
// back empty, each next query made by next from the last entry read, and
// returns the ids in the order read.
func pagedIDs(t testing.TB, d *DB, q HistoryQuery, next func(q HistoryQuery, last HistoryEntry) HistoryQuery) []int64 {
	t.Helper()
	var ids []int64
	for {
		page, err := d.HistoryPage(q)
		require.NoError(t, err)
		if len(page) == 0 {
			return ids
		}
		for _, e := range page {
			ids = append(ids, e.ID)
		}
		q = next(q, page[len(page)-1])
	}
}

// baseTime is a fixed instant so tests do not depend on the clock.
var baseTime = time.Date(2025, 3, 14, 9, 26, 53, 589793000, time.UTC)

// sampleEntry returns a distinct, fully populated history entry.
func sampleEntry(i int) HistoryEntry {
	parent := int64(1000 + i%7)
	return HistoryEntry{
		JobID:      fmt.Sprintf("job-%06d", i),
		Env:        "testnet",
		Account:    "someone@example.com",
		LocalPath:  fmt.Sprintf("/home/someone/Pictures/IMG_%05d.jpg", i),
		Name:       fmt.Sprintf("IMG_%05d.jpg", i),
		Size:       int64(1000 + i),
		Hash:       fakeCID(i),
		Verified:   i%10 != 0,
		FolderPath: fmt.Sprintf("/photos/%d/%02d", 2020+i%5, 1+i%12),
		ParentID:   &parent,
		Comment:    []string{"holiday", "work", "", "family reunion", "scan"}[i%5],
		StartedAt:  baseTime.Add(time.Duration(i) * time.Second),
		FinishedAt: baseTime.Add(time.Duration(i)*time.Second + 500*time.Millisecond),
		Attempts:   1 + i%3,
	}
}

// fakeCID returns a CIDv0-looking string (46 chars, "Qm" prefix) unique to i.
func fakeCID(i int) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	b := []byte("Qm")
	x := uint64(i)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	for len(b) < 46 {
		x ^= x >> 29
		x *= 0xBF58476D1CE4E5B9
		x ^= x >> 32
		b = append(b, alphabet[x%uint64(len(alphabet))])
	}
	return string(b)
}

// insertRows runs head ("INSERT INTO t (a, b) VALUES") in tx for n rows,
// row(i) giving row i's values, fillRows rows a statement: a fill's
// statement a row took 3.5–18 ms a row under -race on the loaded 2
// cores, most of the time of tests whose fill is their setup.
func insertRows(t testing.TB, tx *sql.Tx, head string, n int, row func(i int) []any) {
	t.Helper()
	const fillRows = 200
	for from := 0; from < n; from += fillRows {
		var args []any
		var values []string
		for i := from; i < min(from+fillRows, n); i++ {
			vals := row(i)
			args = append(args, vals...)
			values = append(values, "("+strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ")+")")
		}
		_, err := tx.Exec(head+" "+strings.Join(values, ", "), args...)
		require.NoError(t, err)
	}
}
