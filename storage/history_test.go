package storage

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

func TestAddHistoryRoundTrip(t *testing.T) {
	d := openTestDB(t)
	want := sampleEntry(3)
	id, err := d.AddHistory(want)
	require.NoError(t, err)
	require.Positive(t, id)
	want.ID = id

	got, err := d.HistoryByID(id)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	_, err = d.HistoryByID(id + 1)
	require.ErrorIs(t, err, ErrNotFound)
}

func TestAddHistoryIsIdempotentByJobID(t *testing.T) {
	d := openTestDB(t)
	first := sampleEntry(1)
	id1, err := d.AddHistory(first)
	require.NoError(t, err)

	second := sampleEntry(2)
	second.JobID = first.JobID
	id2, err := d.AddHistory(second)
	require.NoError(t, err)
	assert.Equal(t, id1, id2, "the existing id is returned")

	got, err := d.HistoryByID(id1)
	require.NoError(t, err)
	assert.Equal(t, first.Name, got.Name, "the second insert wrote nothing")
	assertHistoryCount(t, d, "", 1)

	// Without a job id, entries are never merged.
	for range 2 {
		e := sampleEntry(5)
		e.JobID = ""
		_, err := d.AddHistory(e)
		require.NoError(t, err)
	}
	assertHistoryCount(t, d, "", 3)
}

func TestAddHistoryDefaultsFinishedAtToNow(t *testing.T) {
	d := openTestDB(t)
	before := time.Now()
	id, err := d.AddHistory(HistoryEntry{Name: "x"})
	require.NoError(t, err)
	e, err := d.HistoryByID(id)
	require.NoError(t, err)
	assert.False(t, e.FinishedAt.Before(before.Truncate(time.Microsecond)))
	assert.True(t, e.StartedAt.IsZero())
	assert.Nil(t, e.ParentID)
}

func TestHistorySearch(t *testing.T) {
	d := openTestDB(t)
	entries := []HistoryEntry{
		{Name: "Holiday_Photo.JPG", Hash: "QmAAA111", Comment: "Beach day", FolderPath: "/Pictures/2024"},
		{Name: "report 100%.pdf", Hash: "QmBBB222", Comment: "", FolderPath: "/Work"},
		{Name: "report-100x.pdf", Hash: "QmCCC333", Comment: "draft", FolderPath: "/Work/old"},
		{Name: "ÉTÉ.png", Hash: "QmDDD444", Comment: "Été à Paris", FolderPath: "/Photos"},
		{Name: "a_b.txt", Hash: "QmEEE555", Comment: "", FolderPath: ""},
		{Name: "axb.txt", Hash: "QmFFF666", Comment: "", FolderPath: ""},
	}
	for i, e := range entries {
		e.JobID = fmt.Sprint("j", i)
		e.FinishedAt = baseTime.Add(time.Duration(i) * time.Minute)
		_, err := d.AddHistory(e)
		require.NoError(t, err)
	}
	tests := []struct {
		search string
		want   []string // names, newest first
	}{
		{"", []string{"axb.txt", "a_b.txt", "ÉTÉ.png", "report-100x.pdf", "report 100%.pdf", "Holiday_Photo.JPG"}},
		{"   ", []string{"axb.txt", "a_b.txt", "ÉTÉ.png", "report-100x.pdf", "report 100%.pdf", "Holiday_Photo.JPG"}},
		{"holiday", []string{"Holiday_Photo.JPG"}},
		{"PHOTO.jpg", []string{"Holiday_Photo.JPG"}},
		{"qmccc", []string{"report-100x.pdf"}},                     // hash
		{"beach", []string{"Holiday_Photo.JPG"}},                   // comment
		{"/work", []string{"report-100x.pdf", "report 100%.pdf"}},  // folder path
		{"100%", []string{"report 100%.pdf"}},                      // % is literal
		{"a_b", []string{"a_b.txt"}},                               // _ is literal
		{"été", []string{"ÉTÉ.png"}},                               // Unicode case folding
		{"report", []string{"report-100x.pdf", "report 100%.pdf"}}, // several
		{"nothing like this", nil},                                 // none
		{"draft/work", nil},                                        // no match across fields
		{"*", nil},                                                 // no glob
		{"'; DROP TABLE history; --", nil},                         // just text
		{" beach ", []string{"Holiday_Photo.JPG"}},                 // trimmed
		{"qm", []string{"axb.txt", "a_b.txt", "ÉTÉ.png", "report-100x.pdf", "report 100%.pdf", "Holiday_Photo.JPG"}},
	}
	for _, tt := range tests {
		t.Run(tt.search, func(t *testing.T) {
			assertSearchFinds(t, d, tt.search, tt.want)
			assertHistoryCount(t, d, tt.search, len(tt.want))
		})
	}
}

func TestHistoryPaging(t *testing.T) {
	d := openTestDB(t)
	const total = 23
	var all []HistoryEntry
	for i := range total {
		e := sampleEntry(i)
		if i%4 == 0 {
			e.FinishedAt = baseTime // ties: id breaks them
		}
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		e.ID = id
		all = append(all, e)
	}
	// Expected order: finished_at DESC, id DESC.
	want := make([]int64, 0, total)
	for _, e := range sortedNewestFirst(all) {
		want = append(want, e.ID)
	}

	tests := []struct {
		name  string
		first HistoryQuery
		next  func(q HistoryQuery, last HistoryEntry) HistoryQuery
	}{
		{"offset", HistoryQuery{Limit: 5}, func(q HistoryQuery, _ HistoryEntry) HistoryQuery {
			q.Offset += 5
			return q
		}},
		{"keyset by id", HistoryQuery{Limit: 5}, func(q HistoryQuery, last HistoryEntry) HistoryQuery {
			q.BeforeID = last.ID
			return q
		}},
		{"keyset with time", HistoryQuery{Limit: 7}, func(q HistoryQuery, last HistoryEntry) HistoryQuery {
			q.BeforeID, q.BeforeFinishedAt = last.ID, last.FinishedAt
			return q
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, want, pagedIDs(t, d, tt.first, tt.next))
		})
	}

	t.Run("default limit", func(t *testing.T) {
		page, err := d.HistoryPage(HistoryQuery{Limit: -1})
		require.NoError(t, err)
		assert.Len(t, page, total) // < DefaultPageSize
	})
	t.Run("cursor on a deleted entry", func(t *testing.T) {
		page, err := d.HistoryPage(HistoryQuery{Limit: 5})
		require.NoError(t, err)
		last := page[4]
		require.NoError(t, d.DeleteHistory(last.ID))

		_, err = d.HistoryPage(HistoryQuery{Limit: 5, BeforeID: last.ID})
		require.ErrorIs(t, err, ErrNotFound)

		next, err := d.HistoryPage(HistoryQuery{Limit: 5, BeforeID: last.ID, BeforeFinishedAt: last.FinishedAt})
		require.NoError(t, err)
		require.NotEmpty(t, next)
		assert.Equal(t, want[5], next[0].ID, "the page after the deleted cursor")
	})
}

func sortedNewestFirst(es []HistoryEntry) []HistoryEntry {
	out := append([]HistoryEntry(nil), es...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0; j-- {
			a, b := out[j-1], out[j]
			if a.FinishedAt.After(b.FinishedAt) || (a.FinishedAt.Equal(b.FinishedAt) && a.ID > b.ID) {
				break
			}
			out[j-1], out[j] = b, a
		}
	}
	return out
}

func TestDeleteHistory(t *testing.T) {
	d := openTestDB(t)
	id, err := d.AddHistory(sampleEntry(1))
	require.NoError(t, err)
	require.NoError(t, d.DeleteHistory(id))
	require.ErrorIs(t, d.DeleteHistory(id), ErrNotFound)
	_, err = d.HistoryByID(id)
	require.ErrorIs(t, err, ErrNotFound)

	// Ids are never reused after a delete.
	id2, err := d.AddHistory(sampleEntry(2))
	require.NoError(t, err)
	assert.Greater(t, id2, id)
}

func fillExportRows(t *testing.T, d *DB) []HistoryEntry {
	t.Helper()
	var es []HistoryEntry
	for i := range 5 {
		e := sampleEntry(i)
		if i == 2 {
			e.Name = `=HYPERLINK("http://evil.example","click")`
			e.Comment = "line one\nline \"two\", with comma"
			e.ParentID = nil
		}
		id, err := d.AddHistory(e)
		require.NoError(t, err)
		e.ID = id
		es = append(es, e)
	}
	return sortedNewestFirst(es)
}

// mustExport checks an export's error and gives its count of entries.
func mustExport(t *testing.T) func(int, error) int {
	return func(n int, err error) int {
		t.Helper()
		require.NoError(t, err)
		return n
	}
}

func TestExportHistoryCSV(t *testing.T) {
	d := openTestDB(t)
	es := fillExportRows(t, d)

	var buf bytes.Buffer
	n := mustExport(t)(d.ExportHistoryCSV(&buf, ExportOptions{Link: func(e HistoryEntry) string { return "ipfs://" + e.Hash }}))
	assert.Equal(t, len(es), n, "the count of entries written")
	records, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 1+len(es))
	assert.Equal(t, csvHeader, records[0])
	col := map[string]int{}
	for i, h := range records[0] {
		col[h] = i
	}
	for i, e := range es {
		r := records[i+1]
		assert.Equal(t, fmt.Sprint(e.ID), r[col["id"]])
		assert.Equal(t, e.Hash, r[col["hash"]])
		assert.Equal(t, inert.Text(e.Comment), r[col["comment"]], "quotes and commas survive, a line break is escaped")
		assert.Equal(t, e.FinishedAt.Format(time.RFC3339Nano), r[col["finished_at"]])
		assert.Equal(t, fmt.Sprint(e.Verified), r[col["verified"]])
		assert.Equal(t, "ipfs://"+e.Hash, r[col["link"]])
		if e.ParentID == nil {
			assert.Empty(t, r[col["parent_id"]])
		} else {
			assert.Equal(t, fmt.Sprint(*e.ParentID), r[col["parent_id"]])
		}
		if strings.HasPrefix(e.Name, "=") {
			assert.Equal(t, "'"+e.Name, r[col["name"]], "formula defused")
		} else {
			assert.Equal(t, e.Name, r[col["name"]])
		}
	}

	buf.Reset()
	mustExport(t)(d.ExportHistoryCSV(&buf, ExportOptions{Search: es[0].Hash}))
	records, err = csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2, "search filters the export")

	buf.Reset()
	assert.Equal(t, 2, mustExport(t)(d.ExportHistoryCSV(&buf, ExportOptions{Limit: 2})))
	records, err = csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 1+2, "limit keeps the newest")
	assert.Equal(t, fmt.Sprint(es[1].ID), records[2][0])
	assert.Empty(t, records[1][len(csvHeader)-1], "no link function: an empty link")
}

func TestExportHistoryJSON(t *testing.T) {
	d := openTestDB(t)

	var buf bytes.Buffer
	assert.Zero(t, mustExport(t)(d.ExportHistoryJSON(&buf, ExportOptions{})))
	assert.JSONEq(t, "[]", buf.String(), "empty history is an empty array")

	es := fillExportRows(t, d)
	buf.Reset()
	mustExport(t)(d.ExportHistoryJSON(&buf, ExportOptions{Link: func(e HistoryEntry) string { return "ipfs://" + e.Hash }}))
	var got []HistoryEntry
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	assert.Equal(t, es, got)
	assert.Contains(t, buf.String(), `"hash":`)
	assert.Contains(t, buf.String(), `"parent_id":null`)
	assert.Contains(t, buf.String(), `"link":"ipfs://`+es[0].Hash+`"`)

	buf.Reset()
	assert.Equal(t, 1, mustExport(t)(d.ExportHistoryJSON(&buf, ExportOptions{Search: "hyperlink"})))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.Len(t, got, 1)
	assert.Equal(t, es[len(es)-1-2].ID, got[0].ID)
}

// TestExportsAreInert: a local name that could retitle the terminal, move
// the cursor or fake a line (ESC, BEL, a line break, C1 CSI, a bidi
// override) reaches neither export as it is, and the JSON still reads back
// the same name.
func TestExportsAreInert(t *testing.T) {
	d := openTestDB(t)
	e := sampleEntry(0)
	e.Name = "x\x1b]0;owned\a\x1b[2J\nFAKE\u009b2J\u202etxt.exe"
	e.Comment = "=cmd\x07"
	_, err := d.AddHistory(e)
	require.NoError(t, err)
	raw := func(out string) {
		t.Helper()
		for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e", "\nFAKE"} {
			assert.NotContains(t, out, bad)
		}
	}

	var buf bytes.Buffer
	_, err = d.ExportHistoryCSV(&buf, ExportOptions{})
	require.NoError(t, err)
	raw(buf.String())
	records, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2)
	assert.Contains(t, records[1], inert.Text(e.Name))
	assert.Contains(t, records[1], inert.Text(e.Comment), "quoted, so no formula either")

	buf.Reset()
	_, err = d.ExportHistoryJSON(&buf, ExportOptions{})
	require.NoError(t, err)
	raw(buf.String())
	var got []HistoryEntry
	require.NoError(t, json.Unmarshal(buf.Bytes(), &got))
	require.Len(t, got, 1)
	assert.Equal(t, e.Name, got[0].Name, "the JSON means the same")
}

// TestCSVExportDefusesFormulasInEveryColumn: every cell of a CSV export
// goes through the one rule (csvSafe), the link and the columns the
// program fills itself (job id, SHA-256) as much as a name: a cell that
// begins with = + - @, a tab or a CR, after spaces too (an import that
// trims them, as LibreOffice's "Trim spaces" does, would see the formula),
// opens in a spreadsheet as text, and one with a control character is
// escaped. The link comes from the caller
// (the window's and the command line's link builder, whose gateway is a
// setting), so the exporter does not trust it to be inert.
func TestCSVExportDefusesFormulasInEveryColumn(t *testing.T) {
	for _, tc := range []struct{ name, link, want string }{
		{"formula", `=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"plus", "+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"minus", "-2+3", "'-2+3"},
		{"at", "@SUM(1)", "'@SUM(1)"},
		{"tab", "\t=1", `"\t=1"`},
		{"space before a formula", ` =HYPERLINK("http://evil.example")`, `' =HYPERLINK("http://evil.example")`},
		{"spaces before an at", "   @SUM(1)", "'   @SUM(1)"},
		{"space before text", " a link", " a link"},
		{"control", "https://gw.example/ipfs/Qm\x1b[2J", `"https://gw.example/ipfs/Qm\x1b[2J"`},
		{"a link", "https://gw.example/ipfs/Qm1?filename=a%20b", "https://gw.example/ipfs/Qm1?filename=a%20b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := openTestDB(t)
			e := sampleEntry(0)
			e.JobID = "=job"
			e.SHA256 = "@sha"
			e.Name = " =1+1.txt"
			e.Comment = "  -trip"
			_, err := d.AddHistory(e)
			require.NoError(t, err)
			var buf bytes.Buffer
			mustExport(t)(d.ExportHistoryCSV(&buf, ExportOptions{Link: func(HistoryEntry) string { return tc.link }}))
			records, err := csv.NewReader(&buf).ReadAll()
			require.NoError(t, err)
			require.Len(t, records, 2)
			row := records[1]
			assert.Equal(t, tc.want, row[len(csvHeader)-1], "the link column")
			for i, cell := range row {
				if c := strings.TrimLeft(cell, " "); c != "" {
					assert.NotContains(t, "=+-@\t\r", c[:1], "column %s begins a formula: %q", csvHeader[i], cell)
				}
			}
		})
	}
}

// TestCSVCellRoundTrip: a CSV cell is read back unambiguously: a cell
// that starts with ' is one csvSafe prefixed, and stripping that one '
// gives back the text (inert.Text) of the original; any other cell is
// that text as it is. A name that itself starts with ' (after spaces
// too) gets one more, so '=1 no longer exports as =1 does. The export
// (ExportHistoryCSV, the window's Export and history --csv) writes each
// name as csvSafe does, and no two of these names export alike.
func TestCSVCellRoundTrip(t *testing.T) {
	for _, tc := range []struct{ name, original, cell string }{
		{"formula", "=1+1", "'=1+1"},
		{"a quote then a formula", "'=1+1", "''=1+1"},
		{"two quotes then a formula", "''=1+1", "'''=1+1"},
		{"spaces then a formula", "  =1", "'  =1"},
		{"spaces, a quote, a formula", "  '=1", "'  '=1"},
		{"a quote", "'", "''"},
		{"a quote then text", "'quoted.txt", "''quoted.txt"},
		{"spaces then a quote", " 'a", "' 'a"},
		{"a quote inside", "it's.txt", "it's.txt"},
		{"plus", "+1", "'+1"},
		{"minus", "-report.pdf", "'-report.pdf"},
		{"at", "@home", "'@home"},
		{"plain", "IMG_0001.jpg", "IMG_0001.jpg"},
		{"spaces then text", "  a.txt", "  a.txt"},
		{"blank", "", ""},
		{"a control after a quote", "'\x1b=1", inert.Text("'\x1b=1")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cell := csvSafe(tc.original)
			assert.Equal(t, tc.cell, cell)
			back, prefixed := strings.CutPrefix(cell, "'")
			if !prefixed {
				back = cell
			}
			assert.Equal(t, inert.Text(tc.original), back, "one leading ' stripped from %q", cell)
		})
	}

	d := openTestDB(t)
	names := []string{"=1", "'=1", "''=1", "'", "''", "'a", "a", " 'a", " a", "-1", "'-1"}
	for i, name := range names {
		e := sampleEntry(i)
		e.Name = name
		_, err := d.AddHistory(e)
		require.NoError(t, err)
	}
	var buf bytes.Buffer
	mustExport(t)(d.ExportHistoryCSV(&buf, ExportOptions{}))
	records, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	nameAt := slices.Index(csvHeader, "name")
	seen := map[string]string{}
	for _, row := range records[1:] {
		cell := row[nameAt]
		back, prefixed := strings.CutPrefix(cell, "'")
		if !prefixed {
			back = cell
		}
		assert.Contains(t, names, back, "the exported name %q read back", cell)
		assert.NotContains(t, seen, cell, "two names export as %q", cell)
		seen[cell] = back
	}
	assert.Len(t, seen, len(names), "every name exported")
}

// failingWriter accepts limit bytes, then fails — like a full disk.
type failingWriter struct{ limit, n int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, errDiskFull
	}
	w.n += len(p)
	return len(p), nil
}

func TestExportsStreamAndStopOnWriteError(t *testing.T) {
	d := openTestDB(t)
	entries := make([]HistoryEntry, 3000)
	for i := range entries {
		entries[i] = sampleEntry(i)
	}
	require.NoError(t, d.insertHistoryBatch(entries))

	exports := []struct {
		name string
		fn   func(io.Writer, ExportOptions) (int, error)
	}{{"csv", d.ExportHistoryCSV}, {"json", d.ExportHistoryJSON}}
	for _, ex := range exports {
		t.Run(ex.name, func(t *testing.T) {
			// A full export is several hundred KB; a writer that fails after
			// 64 KB must see the error propagate instead of a buffered whole.
			w := &failingWriter{limit: 100 << 10}
			_, err := ex.fn(w, ExportOptions{})
			require.ErrorIs(t, err, errDiskFull)
			assert.Positive(t, w.n, "rows were streamed before the failure")
		})
	}
}

// TestExportWriteErrorIsNotTheDatabases: a listing whose writer fails
// (history > /dev/full, an export onto a full USB stick) fails with that
// write's error, not one said of the database: a full disk behind the
// writer is not the data folder's disk.
func TestExportWriteErrorIsNotTheDatabases(t *testing.T) {
	d := openTestDB(t)
	fillHistory(t, d, 1000) // more than the exports buffer before they write
	full := &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.ENOSPC}
	listings := map[string]func() error{
		"csv":  func() error { _, err := d.ExportHistoryCSV(errWriter{full}, ExportOptions{}); return err },
		"json": func() error { _, err := d.ExportHistoryJSON(errWriter{full}, ExportOptions{}); return err },
		"each": func() error { return d.EachHistory(HistoryQuery{}, func(HistoryEntry) error { return full }) },
	}
	for name, list := range listings {
		t.Run(name, func(t *testing.T) {
			err := list()
			require.ErrorIs(t, err, syscall.ENOSPC)
			assert.NotErrorIs(t, err, ErrDiskFull, "the writer's disk is not the data folder's")
			assert.Contains(t, err.Error(), "/dev/stdout")
		})
	}
}

// errWriter fails every write with err.
type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }

// fillHistory adds n generated entries, 10,000 to a transaction with one
// prepared statement — the code the benchmarks use, tested small below.
func fillHistory(tb testing.TB, d *DB, n int) {
	tb.Helper()
	insertInBatches(tb, n, sampleEntry, d.insertHistoryBatch)
}

// insertInBatches inserts row(0) to row(n-1) with insert, 10,000 rows a
// call, so that a benchmark's 100,000 rows are never all in memory at once.
func insertInBatches[T any](tb testing.TB, n int, row func(i int) T, insert func([]T) error) {
	tb.Helper()
	const batch = 10_000
	rows := make([]T, 0, min(n, batch))
	for i := range n {
		rows = append(rows, row(i))
		if len(rows) == batch || i == n-1 {
			require.NoError(tb, insert(rows))
			rows = rows[:0]
		}
	}
}

func TestHistoryFillPageAndSearch(t *testing.T) {
	d := openTestDB(t)
	fillHistory(t, d, 2000)

	assertHistoryCount(t, d, "", 2000)

	page, err := d.HistoryPage(HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, page, DefaultPageSize)
	assert.Equal(t, "IMG_01999.jpg", page[0].Name, "newest first")

	page, err = d.HistoryPage(HistoryQuery{Search: "img_01234"})
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, fakeCID(1234), page[0].Hash)

	assertHistoryCount(t, d, "family", 400)

	// Re-filling the same job ids adds nothing.
	fillHistory(t, d, 2000)
	assertHistoryCount(t, d, "", 2000)
}

// TestHistoryReceipts: an entry's SHA-256 is stored, read, exported (the
// last CSV column, a JSON field), and its uploads are found by any form of
// its CID.
func TestHistoryReceipts(t *testing.T) {
	d := openTestDB(t)
	const v0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	const v1 = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby"
	sum := strings.Repeat("ab", 32)
	_, err := d.AddHistory(HistoryEntry{JobID: "j1", Name: "a.txt", Hash: v0, SHA256: sum, LocalPath: "/home/a/a.txt"})
	require.NoError(t, err)
	_, err = d.AddHistory(HistoryEntry{JobID: "j2", Name: "b.txt", Hash: v1, SHA256: sum})
	require.NoError(t, err)
	_, err = d.AddHistory(HistoryEntry{JobID: "j3", Name: "other.txt", Hash: "QmOther"})
	require.NoError(t, err)

	got, err := d.HistoryOfContent(v0, v1)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, "b.txt", got[0].Name, "newest first")
	assert.Equal(t, sum, got[1].SHA256)
	assert.Equal(t, "/home/a/a.txt", got[1].LocalPath)
	none, err := d.HistoryOfContent()
	require.NoError(t, err)
	assert.Empty(t, none)

	var csvOut, jsonOut strings.Builder
	mustExport(t)(d.ExportHistoryCSV(&csvOut, ExportOptions{Search: "a.txt"}))
	records, err := csv.NewReader(strings.NewReader(csvOut.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2)
	col := slices.Index(records[0], "sha256")
	require.Positive(t, col)
	assert.Equal(t, sum, records[1][col])
	mustExport(t)(d.ExportHistoryJSON(&jsonOut, ExportOptions{Search: "a.txt"}))
	assert.Contains(t, jsonOut.String(), `"sha256":"`+sum+`"`)
}

// TestHistoryKeepsServerNameApart: the local name and a different name a
// server answered are stored, read and exported side by side.
func TestHistoryKeepsServerNameApart(t *testing.T) {
	d := openTestDB(t)
	_, err := d.AddHistory(HistoryEntry{JobID: "j1", Name: "report.pdf", ServerName: "renamed by server", Hash: "QmA"})
	require.NoError(t, err)
	page, err := d.HistoryPage(HistoryQuery{})
	require.NoError(t, err)
	require.Len(t, page, 1)
	assert.Equal(t, "report.pdf", page[0].Name)
	assert.Equal(t, "renamed by server", page[0].ServerName)

	var csvOut, jsonOut strings.Builder
	mustExport(t)(d.ExportHistoryCSV(&csvOut, ExportOptions{}))
	records, err := csv.NewReader(strings.NewReader(csvOut.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, 2)
	col := slices.Index(records[0], "server_name")
	assert.Equal(t, 15, col, "new columns go at the end")
	assert.Equal(t, "renamed by server", records[1][col])
	assert.Equal(t, "report.pdf", records[1][5])
	mustExport(t)(d.ExportHistoryJSON(&jsonOut, ExportOptions{}))
	assert.Contains(t, jsonOut.String(), `"name":"report.pdf"`)
	assert.Contains(t, jsonOut.String(), `"server_name":"renamed by server"`)
}

// TestHistoryByIDsGivesEachEntryOnce: a selection's entries (HistoryByIDs)
// are each there once, newest first, however many ids name them and
// wherever in the list: one IN list of them all, as NewestOf reads its
// ids, not chunks of 500 each read on its own, which gave an entry named
// in two chunks twice (exported twice).
func TestHistoryByIDsGivesEachEntryOnce(t *testing.T) {
	d := openTestDB(t)
	es := fillExportRows(t, d) // newest first
	ids := []int64{es[1].ID, es[0].ID}
	for i := range 40_000 { // more than one statement binds variables (manyUploads)
		ids = append(ids, int64(1_000_000+i)) // no entry
	}
	ids = append(ids, es[0].ID, es[1].ID, es[1].ID)
	got, err := d.HistoryByIDs(ids)
	require.NoError(t, err)
	gotIDs := make([]int64, len(got))
	for i, e := range got {
		gotIDs[i] = e.ID
	}
	assert.Equal(t, []int64{es[0].ID, es[1].ID}, gotIDs)
}

// TestExportAndDeleteSelected: a selection exports exactly its entries,
// newest first, whatever the search, skipping ids already gone; deleting
// a selection reports how many went and leaves the rest.
func TestExportAndDeleteSelected(t *testing.T) {
	d := openTestDB(t)
	es := fillExportRows(t, d) // newest first
	picked := []int64{es[3].ID, es[0].ID, 999_999, es[2].ID}

	got, err := d.HistoryByIDs(picked)
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []int64{es[0].ID, es[2].ID, es[3].ID}, []int64{got[0].ID, got[1].ID, got[2].ID}, "newest first")

	var buf bytes.Buffer
	n := mustExport(t)(d.ExportHistoryJSON(&buf, ExportOptions{IDs: picked, Search: "no such thing", Limit: 1,
		Link: func(e HistoryEntry) string { return "ipfs://" + e.Hash }}))
	assert.Equal(t, 3, n)
	var out []struct {
		ID   int64  `json:"id"`
		Link string `json:"link"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &out))
	require.Len(t, out, 3)
	assert.Equal(t, es[0].ID, out[0].ID)
	assert.Equal(t, "ipfs://"+es[0].Hash, out[0].Link)

	buf.Reset()
	n = mustExport(t)(d.ExportHistoryCSV(&buf, ExportOptions{IDs: []int64{}}))
	assert.Zero(t, n, "an empty selection exports nothing, not everything")

	many := make([]int64, 0, 1200) // more than one IN list
	for i := range 1200 {
		many = append(many, int64(i+1))
	}
	got, err = d.HistoryByIDs(many)
	require.NoError(t, err)
	assert.Len(t, got, len(es))

	deleted, err := d.DeleteHistoryIDs(t.Context(), picked)
	require.NoError(t, err)
	assert.Equal(t, 3, deleted, "the missing id counts nothing")
	left, err := d.HistoryByIDs(many)
	require.NoError(t, err)
	require.Len(t, left, 2)
	assert.ElementsMatch(t, []int64{es[1].ID, es[4].ID}, []int64{left[0].ID, left[1].ID})
	assertHistoryCount(t, d, "", 2, "the stored count follows")
}
