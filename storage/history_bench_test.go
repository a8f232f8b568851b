package storage

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// BenchmarkHistory1M measures the History tab at a million entries: the
// first page, a deep page, the total, searches (rare, common, none, an
// accented name, typed in either Unicode form, a whole CID, a CID's first 12 characters, a real CID as CIDv0, CIDv1 and a
// subdomain link, a common and a missing two-character needle) and search as you type — each keystroke of "img_04242" and of
// accentedBenchNeedles as the window runs it (TypedSearch: a page and a capped count). DSTOR_BENCH_HISTORY_DIR keeps the
// filled data folder between runs (filling a million entries takes minutes).
//
//	go test -run x -bench History1M -benchtime 20x ./storage/
func BenchmarkHistory1M(b *testing.B) { benchmarkHistory(b, 1_000_000) }

// BenchmarkHistory100k is the same at 100,000 entries.
func BenchmarkHistory100k(b *testing.B) { benchmarkHistory(b, 100_000) }

func benchmarkHistory(b *testing.B, rows int) {
	d := openFilledHistory(b, rows)
	defer d.Close()

	page := func(q HistoryQuery, want int) func(b *testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				p, err := d.HistoryPage(q)
				if err != nil || (want >= 0 && len(p) != want) {
					b.Fatal(err, len(p))
				}
			}
		}
	}
	mid, err := d.HistoryPage(HistoryQuery{Limit: 1, Offset: rows / 2})
	require.NoError(b, err)
	b.Run("FirstPage", page(HistoryQuery{Limit: DefaultPageSize}, DefaultPageSize))
	b.Run("DeepKeysetPage", page(HistoryQuery{Limit: DefaultPageSize, BeforeID: mid[0].ID, BeforeFinishedAt: mid[0].FinishedAt}, DefaultPageSize))
	b.Run("Total", func(b *testing.B) {
		for b.Loop() {
			if n, err := d.HistoryCount(""); err != nil || n != rows {
				b.Fatal(err, n)
			}
		}
	})
	b.Run("Search", page(HistoryQuery{Search: "IMG_04242.", Limit: DefaultPageSize}, 1))
	b.Run("SearchCommon", page(HistoryQuery{Search: "family", Limit: DefaultPageSize}, DefaultPageSize))
	b.Run("SearchNoMatch", page(HistoryQuery{Search: "no such file", Limit: DefaultPageSize}, 0))
	b.Run("SearchAccented", page(HistoryQuery{Search: "Café", Limit: DefaultPageSize}, 0))
	b.Run("SearchCID", page(HistoryQuery{Search: fakeCID(rows / 3), Limit: DefaultPageSize}, 1))
	b.Run("SearchCIDPrefix", page(HistoryQuery{Search: fakeCID(rows / 3)[:12], Limit: DefaultPageSize}, 1))
	// A real CID (the generated ones are not), in each form a person may
	// hold it: each is searched for with its other forms (none is in the
	// history: the cost of a miss, which reads as many doclists as a hit).
	const realV0, realV1 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby"
	b.Run("SearchRealCIDv0", page(HistoryQuery{Search: realV0, Limit: DefaultPageSize}, 0))
	b.Run("SearchRealCIDv1", page(HistoryQuery{Search: realV1, Limit: DefaultPageSize}, 0))
	b.Run("SearchSubdomainLink", page(HistoryQuery{Search: "https://" + realV1 + ".ipfs.dweb.link/", Limit: DefaultPageSize}, 0))
	b.Run("TypeRealCIDv1", func(b *testing.B) {
		for b.Loop() {
			if _, _, _, err := d.TypedSearch(realV1, 100); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ShortCommon", page(HistoryQuery{Search: "ly", Limit: DefaultPageSize, MaxScan: TypingMaxScan}, DefaultPageSize))
	b.Run("ShortNoMatch", page(HistoryQuery{Search: "#~", Limit: DefaultPageSize, MaxScan: TypingMaxScan}, 0))
	// Accented needles (none in the history: the cost of a miss), typed
	// in NFC, each keystroke as the window runs it, and the whole needle
	// in NFD, as pasted from a name a Mac wrote: each is folded to one
	// form, as the history's text is (foldSearch).
	for _, accented := range accentedBenchNeedles {
		runes := []rune(accented)
		for i := 1; i <= len(runes); i++ {
			b.Run("TypeAccented/"+string(runes[:i]), typed(d, string(runes[:i])))
		}
		b.Run("TypeAccentedNFD/"+accented, typed(d, norm.NFD.String(accented)))
	}
	needle := "img_04242"
	for i := 1; i <= len(needle); i++ {
		typed := needle[:i]
		b.Run("Type/"+typed, func(b *testing.B) {
			for b.Loop() {
				if _, _, _, err := d.TypedSearch(typed, 100); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// accentedBenchNeedles are BenchmarkHistory1M's accented needles: one
// and two marks on a letter, a Cyrillic letter with a decomposed form, a
// Vietnamese name with two marks on one letter, and 20 accented letters.
var accentedBenchNeedles = []string{"café", "müller", "ñ", "й", "nguyễn", "éèêëàâäôöûüùçñíóúýãõ"}

// typed is a benchmark of TypedSearch(search), a keystroke in the window.
func typed(d *DB, search string) func(b *testing.B) {
	return func(b *testing.B) {
		for b.Loop() {
			if _, _, _, err := d.TypedSearch(search, 100); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// openFilledHistory opens a database holding rows generated entries
// (sampleEntry), in DSTOR_BENCH_HISTORY_DIR/<rows> when set (filled once,
// reused after), else in a temporary folder.
func openFilledHistory(b *testing.B, rows int) *DB {
	dir := b.TempDir()
	if keep := os.Getenv("DSTOR_BENCH_HISTORY_DIR"); keep != "" {
		dir = filepath.Join(keep, strconv.Itoa(rows))
	}
	d, err := Open(dir)
	require.NoError(b, err)
	if n, err := d.HistoryCount(""); err == nil && n == rows {
		require.NoError(b, d.indexHistory())
		return d
	}
	_, err = d.w.Exec(`DELETE FROM history`)
	require.NoError(b, err)
	start := time.Now()
	fillHistory(b, d, rows)
	b.Logf("filled %d rows in %s", rows, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	require.NoError(b, d.indexHistory()) // the steady state: everything indexed
	b.Logf("indexed them in %s", time.Since(start).Round(time.Millisecond))
	// Reopen, as the app does at startup with a long history (Close also
	// checkpoints the fill out of the WAL).
	require.NoError(b, d.Close())
	d, err = Open(dir)
	require.NoError(b, err)
	return d
}
