package storage

import (
	"strconv"
	"testing"
)

// BenchmarkIndexWalks times the hot-path reads whose plan walks a whole
// index from one end (those boundedWalks names), at 20,000 and 200,000
// history entries: a walk its LIMIT stops takes as long at both. The needle matches nothing, so no walk ends early on a full
// page. ShortUnbounded, the same walk with no MaxScan (as a script's
// EachHistory makes it, never a keystroke), is the control that reads
// every entry: ten times as long at ten times the entries.
//
//	go test -run x -bench IndexWalks -benchtime 20x ./storage/
func BenchmarkIndexWalks(b *testing.B) {
	const needle = "#~" // two characters: no trigram, in no entry
	for _, rows := range []int{20_000, 200_000} {
		b.Run(strconv.Itoa(rows), func(b *testing.B) {
			d := openFilledHistory(b, rows)
			defer d.Close()
			page := func(q HistoryQuery, want int) func(b *testing.B) {
				return func(b *testing.B) {
					for b.Loop() {
						if p, err := d.HistoryPage(q); err != nil || len(p) != want {
							b.Fatal(err, len(p))
						}
					}
				}
			}
			b.Run("FirstPage", page(HistoryQuery{Limit: DefaultPageSize}, DefaultPageSize))
			b.Run("ShortBounded", page(HistoryQuery{Search: needle, MaxScan: TypingMaxScan}, 0))
			b.Run("ShortBoundedCount", func(b *testing.B) {
				for b.Loop() {
					q := HistoryQuery{Search: needle, MaxScan: TypingMaxScan, Limit: TypingCountLimit}
					if n, _, err := d.HistoryMatches(q); err != nil || n != 0 {
						b.Fatal(err, n)
					}
				}
			})
			b.Run("ShortUnbounded", page(HistoryQuery{Search: needle}, 0))
		})
	}
}
